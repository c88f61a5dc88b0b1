"""Stage 2, the climate: daily weather on the place, per pathway, and the hazards it brings.

In:  a :class:`~twin.place.Place`, a pathway name (``baseline``, ``gwl2``, ...), the
     scenario's dates and a random stream; or a user's CF-NetCDF file of daily
     ``tasmax``/``tasmin``/``pr``.
Out: :class:`ClimateDrivers` (place-level or gridded daily weather in degC and mm day-1,
     with the local heat-island and canopy offsets per cell), heat-health alert levels and
     heat indices.

Modules: ``pathways`` (UKCP18-scaled warming levels and station climates), ``weather``
(the station weather generator), ``cf`` (the CF-NetCDF reader, units converted at the
boundary), ``drivers`` (local modulation and :func:`make_drivers`), ``hazards`` (alert
thresholds and levels: the one regional threshold table).
"""

from typing import Any

# the pathway table is light (NumPy only); the rest loads pandas and xarray, so it is imported
# on first use (PEP 562): `twin validate` reads pathway names without paying for them
from twin.climate.pathways import PATHWAYS, STATIONS, Pathway, PathwayScaling, StationClimate

_FROM_DRIVERS = {"ClimateDrivers", "ClimateParams", "ModulationParams", "WeatherParams", "generate_weather",
                 "heat_indices", "local_offsets", "make_drivers", "read_cf"}


def __getattr__(name: str) -> Any:
    if name in _FROM_DRIVERS:
        from twin.climate import drivers

        return getattr(drivers, name)
    raise AttributeError(f"module 'twin.climate' has no attribute {name!r}")


__all__ = [
    "PATHWAYS",
    "STATIONS",
    "ClimateDrivers",
    "ClimateParams",
    "ModulationParams",
    "Pathway",
    "PathwayScaling",
    "StationClimate",
    "WeatherParams",
    "generate_weather",
    "heat_indices",
    "local_offsets",
    "make_drivers",
    "read_cf",
]

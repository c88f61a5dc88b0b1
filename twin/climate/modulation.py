"""Local modulation of the station's weather by land cover, in NumPy: heat island, canopy, cool roofs.

In:  a place's grid layers (``impervious``, ``building``, ``canopy`` and, if present,
     ``cool_roof`` fractions; :class:`~twin.place._layers.Layers` or an ``xarray.Dataset``).
Out: per-cell offsets of daily Tmax and Tmin (degC) from the station series.

:func:`twin.climate.drivers.local_offsets` wraps :func:`offsets` as an ``xarray.Dataset``; the
interventions rank and site by it directly, so checking a scenario needs neither xarray nor pandas.
:func:`place_station` finds the weather generator's station of a place, for the same reason here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from twin.climate.pathways import STATIONS, StationClimate, get_station
from twin.errors import ClimateDataError

__all__ = ["ModulationParams", "offsets", "place_station"]


@dataclass(frozen=True)
class ModulationParams:
    """How land cover changes local Tmax/Tmin (degC) relative to the station's surroundings.

    Urban intensity of a cell is ``u = w_impervious * impervious + w_building * building``
    (about 1 for a dense centre: 90 % sealed, 50 % built). Offsets:

    ``tasmin_offset = uhi_night * (u - u_ref) - canopy_night * 10 * (canopy - canopy_ref)
    - cool_roof_night * building * cool_roof`` and likewise for ``tasmax_offset`` with the
    day coefficients.

    Attributes
    ----------
    uhi_night
        Nocturnal heat island of a dense centre (u=1) vs rural land, degC: London's average
        peak ~3 degC, up to 7 on still nights (Graves et al. 2001 / LCCP; docs/sources.md s3, S/H).
    uhi_day
        Daytime heat island of a dense centre, degC (L: a third of the night value; European
        mean UHI 1.5 degC, Iungman et al. 2023).
    w_impervious, w_building
        Weights of impervious and building fraction in ``u`` (L).
    reference_urbanness
        ``u`` of the station's surroundings. Default 1/3 is Heathrow: its ~1 degC UHI over
        the ~3 degC London average peak (docs/sources.md s3, D). :func:`make_drivers` uses the
        station's own value (rural stations ~0.05, L).
    canopy_day
        Daytime cooling per +10 % canopy cover, degC: 0.6 (Marando et al. 2022, S(D)/M).
    canopy_night
        Night-time cooling per +10 % canopy, degC (L: 0.1; small because air under trees can
        be warmer at night, Knight et al. 2021, docs/sources.md s3).
    reference_canopy
        Canopy fraction of the station's surroundings (L: 0.1, open airfield land).
    cool_roof_day, cool_roof_night
        Cooling for a cell fully covered by fully treated roofs, degC; scaled by
        ``building * cool_roof`` (L: assumption, docs/sources.md has no figure; 1.0 / 0.3).
    """

    uhi_night: float = 3.0
    uhi_day: float = 1.0
    w_impervious: float = 0.75
    w_building: float = 0.5
    reference_urbanness: float = 1.0 / 3.0
    canopy_day: float = 0.6
    canopy_night: float = 0.1
    reference_canopy: float = 0.1
    cool_roof_day: float = 1.0
    cool_roof_night: float = 0.3
    source: str = ("Graves et al. 2001/LCCP (UHI); Marando et al. 2022 (canopy); "
                   "Knight et al. 2021 (night canopy); cool roofs: assumption (L)")


def _shape(grid: Any) -> tuple[int, int]:
    shape = getattr(grid, "shape", None)
    return tuple(shape) if shape is not None else (grid.sizes["y"], grid.sizes["x"])


def _fraction(grid: Any, name: str, required: bool = True) -> np.ndarray:
    if name not in grid:
        if required:
            raise ClimateDataError("grid layer missing", field=name, hint="need impervious, canopy, building")
        return np.zeros(_shape(grid))
    v = grid[name]
    if hasattr(v, "dims") and hasattr(v, "transpose"):  # an xarray.DataArray
        v = v.transpose("y", "x")
    v = np.asarray(v, dtype=np.float64)
    if np.isnan(v).any() or (v < 0).any() or (v > 1).any():
        bad = v[np.isnan(v) | (v < 0) | (v > 1)][0]
        raise ClimateDataError("fraction must be within 0..1", field=name, value=float(bad))
    return v


def offsets(grid: Any, params: ModulationParams | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(tasmax_offset, tasmin_offset)``: per-cell offsets (degC, float64, ``(y, x)``) of daily Tmax and Tmin.

    See :class:`ModulationParams` for the formula; cells as urban as the station's surroundings get 0.
    """
    p = params or ModulationParams()
    imp, bld, can = (_fraction(grid, n) for n in ("impervious", "building", "canopy"))
    roof = _fraction(grid, "cool_roof", required=False)
    u = p.w_impervious * imp + p.w_building * bld - p.reference_urbanness
    dcan = 10.0 * (can - p.reference_canopy)  # tens of percent
    roof_area = bld * roof
    tx = p.uhi_day * u - p.canopy_day * dcan - p.cool_roof_day * roof_area
    tn = p.uhi_night * u - p.canopy_night * dcan - p.cool_roof_night * roof_area
    return tx, tn


def place_station(place) -> StationClimate:
    """The place's weather-generator station; an unknown name names place.yaml (and its line)."""
    name = place.meta.get("climate_station", "")
    if str(name).lower() in STATIONS:
        return STATIONS[str(name).lower()]
    path = getattr(place, "path", None)
    if path is not None:
        from twin.place._io import check_station

        check_station(place.meta, str(Path(path) / "place.yaml"))
    return get_station(name)

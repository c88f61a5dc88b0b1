"""Stage 1, the place: grid layers, zones, services and residents by age.

In:  a place directory (``place.yaml``, CF-NetCDF ``grid.nc``, GeoJSON ``zones.geojson`` and
     ``services.geojson``, ONS-style ``population.csv``), or a bundled place's name.
Out: :class:`Place` (an ``xarray.Dataset`` of grid layers on ``y × x`` in British National
     Grid metres, shapely zones, point services and ``population`` zone × sex × age).

Modules: ``_place`` (the Place type, load/save), ``_io`` (file readers with one-line
errors), ``grid`` (rasterising zones, zonal statistics, distances), ``synthetic`` and
``_synth_*`` (the deterministic generators of the bundled places).
"""

from twin.place._place import (
    BUNDLED_PLACES_DIR,
    PLACE_FILES,
    Place,
    Service,
    Zone,
    list_places,
    resolve_place,
)

__all__ = ["BUNDLED_PLACES_DIR", "PLACE_FILES", "Place", "Service", "Zone", "list_places", "resolve_place"]

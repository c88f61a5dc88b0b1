"""Stage 1, the place: grid layers, zones, services and residents by age.

In:  a place directory (``place.yaml``, CF-NetCDF ``grid.nc``, GeoJSON ``zones.geojson`` and
     ``services.geojson``, ONS-style ``population.csv``), or a bundled place's name.
Out: :class:`Place`: grid layers on ``y × x`` in British National Grid metres (NumPy arrays as
     ``place.layers``, the same arrays as an ``xarray.Dataset`` as ``place.grid``), shapely zones,
     point services and residents by zone × sex × age (``place.counts``; ``place.population``
     as a DataArray). Loading and checking a place never imports xarray; the Dataset and
     DataArray are made on first use.

Modules: ``_place`` (the Place type, load/save), ``_layers`` (the grid as NumPy arrays and the
h5netcdf reader), ``_io`` (file readers with one-line errors), ``grid`` (rasterising zones, zonal
statistics, distances), ``synthetic`` and ``_synth_*`` (the deterministic generators of the
bundled places).
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

"""The report: a self-contained ``report.html`` (and WGS84 ``zones.geojson``) for a results directory.

In:  a results directory written by ``twin run`` (``results.nc``, ``manifest.json``).
Out: ``report.html`` with the answer first, then tables, plots and sources; no external links.
"""

from twin.report.html import write_report, write_zones_geojson, zone_table

__all__ = ["write_report", "write_zones_geojson", "zone_table"]

"""The dashboard: explore results, places and futures in the browser (``twin dashboard``).

Modules: ``views`` (option comparison, portfolio, equity: pure figures and tables over a
results Dataset), ``maps`` (zone maps, services, a zone's detail), ``futures`` (projection
views), ``live`` (one run's Mesa model stepped day by day), ``data`` (reading results and
projection directories), ``server`` (Solara settings for offline use; starting the server),
``app``, ``pages``, ``run_pages`` and ``widgets`` (the Solara app, its pages and shared widgets).
Solara is imported only by those four, so the views work in a notebook or the report without it.
"""

__all__: list[str] = []

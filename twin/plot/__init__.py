"""Stage 5, plots: a registry of figures drawn from a results dataset (never from a model).

In:  a results ``xarray.Dataset`` and the place's zones.
Out: PNG files (``plot_all``) or matplotlib figures; ``core`` holds the registry and the
     generic plots, ``heat`` the heat-health ones.

Every figure comes from a pure function ``(results, ...) -> matplotlib.figure.Figure`` that never
switches the backend (so figures show in notebooks and save headless): ``core.reference_map``,
``core.difference_map`` (what an option changes, by zone), ``core.comparison_figure`` (forest plots),
``core.daily_series``, ``core.exposure_by_age``, ``heat.channels_by_age``; trial and projection figures
are ``twin.trials.plots.*_figure`` and ``twin.demography.plots.*_figure``. Each names its metric, units,
option and pathway in words, and stays under 2,000 px (``tests/test_readable.py``).
"""

__all__: list[str] = []

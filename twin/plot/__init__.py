"""Stage 5, plots: a registry of figures drawn from a results dataset (never from a model).

In:  a results ``xarray.Dataset`` and the place's zones.
Out: PNG files (``plot_all``) or matplotlib figures; ``core`` holds the registry and the
     generic plots, ``heat`` the heat-health ones.
"""

__all__: list[str] = []

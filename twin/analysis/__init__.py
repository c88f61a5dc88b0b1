"""Stage 4, analysis: from results to answers.

In:  a results ``xarray.Dataset`` (option × pathway × replicate × ...).
Out: indicators with intervals (``metrics``), the appraisal (``appraisal``: discounting,
     NPV, BCR, cost per death averted, P(best), regret), equity splits (``equity``), the
     budget portfolio (``portfolio``), the progress index (``progress_index``) and the
     climate/demographic decomposition (``decomposition``).
"""

__all__: list[str] = []

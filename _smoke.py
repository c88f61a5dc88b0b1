import time, numpy as np, pandas as pd
from twin.climate import make_drivers
from twin.models import get_model
from twin.place import Place, resolve_place
from twin.run.engine import stream
import twin.models.heat_health as hh
t0=time.time()
place = Place.load(resolve_place("urban_borough"))
params = get_model("heat_health").Params()
tm = pd.date_range("2030-06-01", "2030-09-30")
SEED=20261125
for r in range(2):
    res = hh.make_residents(place, params, stream(SEED, r, "population"))
    drv = make_drivers(place, "baseline", tm, stream(SEED, r, "weather"))
    ds = hh.run(place, drv, res, params, rng=stream(SEED, r, "model"), seed_key=(SEED, r, 0))
    e=float(ds.expected_attributable_deaths.sum()); b=float(ds.expected_baseline_deaths.sum()); d=float(ds.displaced_deaths.sum())
    print(r, len(res), "heat per100k", 1e5*e/len(res), "drawn", float(ds.attributable_deaths.sum()), "baseline exp", b, "displaced", d, "other drawn", float(ds.baseline_deaths.sum()), time.time()-t0)

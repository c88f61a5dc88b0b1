"""Projection outputs: CF-annotated Dataset, projection.nc, tidy CSVs, and the run entry points."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import xarray as xr

from .._names import AGE_BANDS, SEXES, age_band_index
from ..errors import OutputError
from .projection import ProjectionRates, project
from .spec import DemographySpec, spec_hash

__all__ = [
    "base_population",
    "population_for_year",
    "round_preserving_totals",
    "run_projection",
    "to_dataset",
    "write_csv",
    "write_netcdf",
]

_SOURCES = ("mortality: the twin's one baseline (twin.health.mortality: fitted to e0 M 79.0 F 83.0, e65 M 18.6 F 21.1, "
            "ONS National life tables 2021-23) scaled to each variant's e0; "
            "fertility: gamma ASFR, TFR 1.44, mean age 30.9 (ONS Births 2023); "
            "migration: indicative LA rates (docs/sources.md s5, D/L) unless the place brings tables")


def to_dataset(out: dict[str, np.ndarray], population: xr.DataArray, spec: DemographySpec,
               rates: ProjectionRates) -> xr.Dataset:
    """Engine arrays -> Dataset with dims variant x year x zone x age x sex and CF attributes.

    Components at ``year`` y are the flows from y-1 to y (NaN in the base year), so that
    ``population[y] == population[y-1] + births[y] - deaths[y] + net_migration[y]``
    (summed over age and sex) can be checked from the file.
    """
    years = np.arange(spec.base_year, spec.base_year + out["population"].shape[1])
    coords = {"variant": list(rates.variants), "year": years, "zone": population.zone.values,
              "age": population.age.values, "sex": list(SEXES)}

    def full(a: np.ndarray) -> np.ndarray:  # (V,T,Z,S,A) -> (V,T,Z,A,S)
        return np.moveaxis(a, 3, 4)

    def flows(a: np.ndarray) -> np.ndarray:
        a = a.astype(float, copy=True)
        a[:, 0] = np.nan
        return a

    five = ("variant", "year", "zone", "age", "sex")
    ds = xr.Dataset(
        {
            "population": (five, full(out["population"]), {"units": "1", "long_name": "residents at mid-year"}),
            "births": (("variant", "year", "zone", "sex"), flows(out["births"]),
                       {"units": "year-1", "long_name": "live births in the year to mid-year"}),
            "deaths": (five, full(flows(out["deaths"])),
                       {"units": "year-1", "long_name": "deaths in the year to mid-year by age at its start "
                        "(age 0 includes infants born in the year)"}),
            "net_migration": (five, full(flows(out["net_migration"])),
                              {"units": "year-1", "long_name": "net migrants in the year by age at its end"}),
            "migration_clipped": (("variant", "year", "zone"), flows(out["migration_clipped"]),
                                  {"units": "year-1",
                                   "long_name": "planned net outflow that could not leave (nobody left to move)"}),
        },
        coords=coords,
    )
    ds["year"].attrs = {"long_name": "year (population at mid-year)", "units": "1"}
    ds["age"].attrs = {"long_name": "single year of age, last is open (90 = 90+)", "units": "year"}
    ds["zone"].attrs = ({"long_name": f"zone code (ONS {spec.zone_code_vintage})", "ons_code_vintage":
                         spec.zone_code_vintage} if spec.zone_code_vintage else {"long_name": "zone code"})
    from .. import __version__

    ds.attrs = {
        "title": "placetwin cohort-component projection",
        "Conventions": "CF-1.10",
        "base_year": spec.base_year,
        "horizon": spec.horizon,
        "balancing_identity": "population[y] = population[y-1] + births[y] - deaths[y] + net_migration[y]",
        "spec_sha256": spec_hash(spec),
        "spec": json.dumps(spec.model_dump(mode="json"), sort_keys=True),
        "variant_definitions": json.dumps({v: spec.variant_def(v).model_dump() for v in rates.variants}),
        "twin_version": __version__,
        "source": _SOURCES,
    }
    return ds


def write_netcdf(ds: xr.Dataset, path: Path, *, attrs: dict | None = None) -> Path:
    """Write ``ds`` compressed (h5netcdf, zlib 4) to a temporary file, then rename into place."""
    path = Path(path)
    ds = ds.copy()
    for k, v in (attrs or {}).items():
        ds.attrs[k] = v if isinstance(v, (str, int, float)) else json.dumps(v, default=str)
    from twin._cf import finalize_cf

    ds = finalize_cf(ds, "projection")
    enc = {name: {"zlib": True, "complevel": 4} for name in ds.data_vars}
    from twin.run.writer import atomic_write

    return atomic_write(path, lambda tmp: ds.to_netcdf(tmp, engine="h5netcdf", encoding=enc))


def _atomic_text(path: Path, write) -> Path:
    from twin.run.writer import atomic_write

    return atomic_write(path, write)


def tidy_frames(ds: xr.Dataset):
    """(by age band, zone totals): the two tidy tables written as CSV."""
    import pandas as pd

    band = age_band_index(ds.age.values)
    pop = ds.population.groupby(xr.DataArray(np.array(AGE_BANDS)[band], dims="age", name="age_band")).sum("age")
    dth = ds.deaths.groupby(xr.DataArray(np.array(AGE_BANDS)[band], dims="age", name="age_band")).sum("age",
                                                                                                       min_count=1)
    mig = ds.net_migration.groupby(xr.DataArray(np.array(AGE_BANDS)[band], dims="age",
                                                name="age_band")).sum("age", min_count=1)
    by_band = xr.Dataset({"population": pop, "deaths": dth, "net_migration": mig}).sel(age_band=list(AGE_BANDS))
    df = by_band.to_dataframe().reset_index().rename(columns={"zone": "zone_code"})
    df = df[["variant", "year", "zone_code", "sex", "age_band", "population", "deaths", "net_migration"]]
    totals = xr.Dataset({
        "population": ds.population.sum(("age", "sex")),
        "births": ds.births.sum("sex", min_count=1),
        "deaths": ds.deaths.sum(("age", "sex"), min_count=1),
        "net_migration": ds.net_migration.sum(("age", "sex"), min_count=1),
        "migration_clipped": ds.migration_clipped,
        "aged_85_plus": ds.population.where(ds.age >= 85).sum(("age", "sex")),
    }).to_dataframe().reset_index().rename(columns={"zone": "zone_code"})
    return pd.DataFrame(df), totals


def write_csv(ds: xr.Dataset, out_dir: Path) -> dict[str, Path]:
    """projection.csv (variant, year, zone_code, sex, age_band, population, deaths, net_migration)
    and components.csv (zone totals with births, deaths, net migration, clipped outflow, 85+)."""
    by_band, totals = tidy_frames(ds)
    p1 = _atomic_text(Path(out_dir) / "projection.csv", lambda t: by_band.to_csv(t, index=False, float_format="%.6g"))
    p2 = _atomic_text(Path(out_dir) / "components.csv", lambda t: totals.to_csv(t, index=False, float_format="%.10g"))
    return {"projection.csv": p1, "components.csv": p2}


def base_population(place, spec: DemographySpec, base_dir=None) -> xr.DataArray:
    """The place's population, or ``spec.rates.base_population`` when the scenario brings one."""
    pop = place.population.transpose("zone", "sex", "age")
    if spec.rates.base_population is None:
        return pop
    from .inputs import _resolve, read_base_population

    zones = [str(z) for z in pop.zone.values]
    arr = read_base_population(_resolve(spec.rates.base_population, base_dir), zones, pop.sizes["age"])
    return xr.DataArray(arr, dims=("zone", "sex", "age"), coords={"zone": pop.zone.values, "sex": list(SEXES),
                                                                   "age": pop.age.values})


def _classes(place) -> list[str]:
    return [getattr(z, "urban_rural", "urban") for z in place.zones]


def run_place(place, spec: DemographySpec, *, base_dir=None, variants=None) -> xr.Dataset:
    """Project a place's population under ``spec`` (all variants unless ``variants`` given)."""
    return project(base_population(place, spec, base_dir), spec, variants=variants,
                   zone_classes=_classes(place), base_dir=base_dir)


def round_preserving_totals(values: np.ndarray) -> np.ndarray:
    """Integer counts per zone (first axis) whose zone total is the rounded zone total (largest remainder)."""
    v = np.asarray(values, dtype=float)
    flat = v.reshape(v.shape[0], -1)
    floor = np.floor(flat)
    short = np.rint(flat.sum(axis=1)) - floor.sum(axis=1)
    order = np.argsort(-(flat - floor), axis=1, kind="stable")
    out = floor.copy()
    for z in range(flat.shape[0]):
        out[z, order[z, : int(max(short[z], 0))]] += 1
    return out.reshape(v.shape).astype(np.int64)


def population_for_year(place, spec: DemographySpec, year: int, variant: str | None = None, *,
                        base_dir=None, integer: bool = True) -> xr.DataArray:
    """Projected population of ``year`` under ``variant`` (default ``spec.variant``), dims (zone, sex, age).

    Integer counts (as ``place.population``) when ``integer`` is true: each zone's total is the rounded
    projected total, shared out by largest remainder, so residents can be synthesised from it.
    """
    variant = variant or spec.variant
    spec = DemographySpec.model_validate({**spec.model_dump(), "variants": [variant],
                                           "horizon": max(year, spec.base_year), "year": None, "years": None})
    ds = run_place(place, spec, base_dir=base_dir)
    da = ds.population.sel(variant=variant, year=year).transpose("zone", "sex", "age")
    if integer:
        da = da.copy(data=round_preserving_totals(da.values))
    da.attrs = {"units": "1", "long_name": f"projected residents, {year}, variant {variant}",
                "spec_sha256": spec_hash(spec)}
    return da.drop_vars(["variant", "year"])


def run_projection(place, spec: DemographySpec, out_dir, *, overwrite: bool = False,
                   provenance: dict | None = None, base_dir=None, plots: bool = True) -> dict[str, Path]:
    """Project, then write projection.nc, projection.csv, components.csv, demand.csv,
    demand_first_exceeded.csv and plots/*.png into ``out_dir``; return name -> path.

    An existing non-empty ``out_dir`` is refused (:class:`~twin.errors.OutputError`) unless ``overwrite``.
    """
    from .demand import demand_tables

    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()) and not overwrite:
        raise OutputError("output directory exists and is not empty", file=out_dir, hint="pass --overwrite")
    out_dir.mkdir(parents=True, exist_ok=True)
    ds = run_place(place, spec, base_dir=base_dir)
    paths = {"projection.nc": write_netcdf(ds, out_dir / "projection.nc", attrs=provenance)}
    paths.update(write_csv(ds, out_dir))
    if spec.zone_lookup is not None:
        from .zones import reaggregate

        pop = reaggregate(ds.population, spec.zone_code_vintage, spec.zone_lookup)
        new = [d for d in pop.dims if d not in ds.population.dims][0]
        band = xr.DataArray(np.array(AGE_BANDS)[age_band_index(ds.age.values)], dims="age", name="age_band")
        df = pop.groupby(band).sum("age").sel(age_band=list(AGE_BANDS)).to_dataframe(name="population").reset_index()
        df = df[["variant", "year", new, "sex", "age_band", "population"]]
        paths[f"projection_{new}.csv"] = _atomic_text(out_dir / f"projection_{new}.csv",
                                                      lambda t: df.to_csv(t, index=False, float_format="%.6g"))
    demand, first = demand_tables(ds, place, spec)
    paths["demand.csv"] = _atomic_text(out_dir / "demand.csv", lambda t: demand.to_csv(t, index=False, float_format="%.6g"))
    paths["demand_first_exceeded.csv"] = _atomic_text(out_dir / "demand_first_exceeded.csv",
                                                      lambda t: first.to_csv(t, index=False))
    if plots:
        from .plots import plot_all

        units = {k: r.unit for k, r in (getattr(spec, "service_use", None) or {}).items()}
        paths.update(plot_all(ds, place, demand, out_dir / "plots", units=units))
    return paths

"""`twin project`, and resident models on a projected population (issue 5, item 7)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from tests.conftest import scenario_text
from twin.cli import main
from twin.run import run_scenario
from twin.scenario import load


def _projection_yaml(place, extra: str = "") -> str:
    return (
        f"name: proj\nplace: {place}\nseed: 1\noutputs: {{plots: false}}\n"
        "demography:\n  base_year: 2023\n  horizon: 2040\n  variants: [principal, high_life_expectancy, zero_migration]\n"
        + extra
    )


def test_project_writes_identity_checkable_outputs(tiny_place_dir, tmp_path, capsys):
    sc = tmp_path / "p.yaml"
    sc.write_text(_projection_yaml(tiny_place_dir))
    out = tmp_path / "out"
    assert main(["project", str(sc), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "85+ 2040" in printed and "high_life_expectancy" in printed
    for name in ("projection.nc", "projection.csv", "demand.csv", "manifest.json"):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["sha256"] and any(k.startswith("place/") for k in manifest["input_checksums"])
    with xr.open_dataset(out / "projection.nc", engine="h5netcdf") as ds:
        pop = ds["population"].load()
        comp = {v: ds[v].load() for v in ("births", "deaths", "net_migration")}
    # the balancing identity, checked from the file alone
    years = pop["year"].values
    nxt = pop.sel(year=years[1:]).sum(("age", "sex"))
    prev = pop.sel(year=years[:-1]).sum(("age", "sex")).assign_coords(year=years[1:])
    flows = (comp["births"].sel(year=years[1:]).sum("sex") - comp["deaths"].sel(year=years[1:]).sum(("age", "sex"))
             + comp["net_migration"].sel(year=years[1:]).sum(("age", "sex")))
    np.testing.assert_allclose(nxt.values, (prev + flows).values, rtol=1e-9)
    # more life expectancy, more over-85s
    old = pop.sel(year=2040, age=pop["age"] >= 85).sum(("age", "sex", "zone"))
    assert float(old.sel(variant="high_life_expectancy")) > float(old.sel(variant="principal"))
    # an existing projection is kept without --overwrite
    assert main(["project", str(sc), "-o", str(out), "-q"]) == 2
    assert "--overwrite" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra,needle",
    [
        ("  horizonn: 2050\n", "horizonn"),
        ("  variants: [principal, sideways]\n", "sideways"),
        ("  tfr: -1\n", "tfr"),
    ],
)
def test_bad_projection_scenario_is_one_line_exit_2(extra, needle, tiny_place_dir, tmp_path, capsys):
    text = _projection_yaml(tiny_place_dir)
    if extra.startswith("  variants"):
        text = text.replace("  variants: [principal, high_life_expectancy, zero_migration]\n", extra)
    else:
        text += extra
    sc = tmp_path / "p.yaml"
    sc.write_text(text)
    out = tmp_path / "out"
    code = main(["project", str(sc), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and needle in err, err
    assert not (out / "projection.nc").exists()


def test_bad_rate_table_is_one_line_exit_2(tiny_place_dir, tmp_path, capsys):
    table = pd.DataFrame({"sex": ["F"] * 91 + ["M"] * 91, "age": list(range(91)) * 2, "rate": [0.01] * 182})
    table.loc[5, "rate"] = -0.2
    table.to_csv(tmp_path / "mortality.csv", index=False)
    sc = tmp_path / "p.yaml"
    sc.write_text(_projection_yaml(tiny_place_dir, "  rates: {mortality: mortality.csv}\n"))
    code = main(["project", str(sc), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "mortality.csv" in err and "-0.2" in err and err.count("\n") == 1, err


DEMOGRAPHY_YEAR = "demography:\n  horizon: 2040\n  year: 2040\n  variants: [principal]"


def test_heat_run_on_projected_population_splits_climate_and_demography(tiny_place_dir, tmp_path):
    text = scenario_text(
        tiny_place_dir, period="period: {start: 2040-06-15, end: 2040-07-14}", replicates="replicates: 2",
    ) + DEMOGRAPHY_YEAR + "\n"
    path = tmp_path / "s.yaml"
    path.write_text(text)
    out = run_scenario(load(path), tmp_path / "out").path
    assert (out / "base_population" / "results.nc").is_file()
    dec = pd.read_csv(out / "decomposition.csv")
    assert set(dec["pathway"]) == {"gwl4"} and set(dec["option"]) == {"do_nothing", "canopy_all"}
    np.testing.assert_allclose(dec["total_change"], dec["demographic"] + dec["climate"] + dec["interaction"], rtol=1e-9)
    assert (dec.loc[dec.variable == "hot_day_exposure", "climate"] > 0).all()  # a 4 degC world is hotter
    with xr.open_dataset(out / "results.nc", engine="h5netcdf") as fut, \
            xr.open_dataset(out / "base_population" / "results.nc", engine="h5netcdf") as base:
        assert int(fut["residents"].sum()) != int(base["residents"].sum())  # a different population was simulated
        np.testing.assert_array_equal(fut["station_tasmax"].values, base["station_tasmax"].values)  # same weather
        assert "projected" in fut.attrs["population"]


def test_multi_year_run_ages_population_each_year(tiny_place_dir, tmp_path):
    text = scenario_text(
        tiny_place_dir, period="period: {start: 2030-07-01, end: 2032-07-10}", replicates="replicates: 1",
        pathways="pathways: [baseline]",
    ) + "demography:\n  horizon: 2035\n  variants: [principal]\n"
    path = tmp_path / "s.yaml"
    path.write_text(text)
    ens_out = run_scenario(load(path), tmp_path / "out").path
    manifest = json.loads((ens_out / "manifest.json").read_text())
    assert manifest["population"]["years"] == [2030, 2031, 2032]
    with xr.open_dataset(ens_out / "results.nc", engine="h5netcdf") as ds:
        assert ds.sizes["time"] == (pd.Timestamp("2032-07-10") - pd.Timestamp("2030-07-01")).days + 1
        assert ds["hot_day_exposure_by_age"].dims[-2:] == ("zone", "age_band")

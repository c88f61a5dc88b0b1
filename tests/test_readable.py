"""Readable results (issue 15): sources page, CF-clean files, 80-column tables, plots a reader understands.

All tests share one small results directory (:mod:`tests.small_results`), built once per process.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from tests.small_results import small_results_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def results() -> xr.Dataset:
    return xr.load_dataset(small_results_dir() / "results.nc", engine="h5netcdf")


def test_sources_page_is_generated_and_nothing_cites_a_file_outside_the_repository():
    from twin._sources import SECTIONS, SOURCES, sources_markdown

    assert (ROOT / "docs" / "sources.md").read_text(encoding="utf-8").startswith(sources_markdown()), \
        "docs/sources.md does not start with the generated part: python -m twin._sources prints it"
    assert all(s.section in SECTIONS and s.citation and s.where for s in SOURCES)
    cited = set()
    for path in [*ROOT.glob("twin/**/*.py"), *ROOT.glob("models/*.py"), *ROOT.glob("data/places/*/place.yaml")]:
        cited |= {int(n) for n in re.findall(r"docs/sources\.md (?:s|§|section )(\d+)", path.read_text(encoding="utf-8"))}
    assert cited <= set(SECTIONS), f"code cites sections docs/sources.md lacks: {sorted(cited - set(SECTIONS))}"
    hits = subprocess.run(["git", "grep", "-l", "FACTS", "--", ":!tests/test_readable.py"], cwd=ROOT,
                          capture_output=True, text=True)
    assert hits.stdout == "", f"files still citing FACTS: {hits.stdout}"


def test_results_grid_pass_cf_1_10(results):
    from tests.cf_check import cf_errors
    from twin._cf import display_units, finalize_cf, udunits_ok

    assert cf_errors(small_results_dir() / "results.nc") == []
    assert cf_errors(ROOT / "data" / "places" / "urban_borough" / "grid.nc") == []
    # meaning kept: counts say what they count, money its currency; the metrics still see counts
    assert display_units(results["hot_day_exposure"]) == "person-days"
    assert results["capital_cost"].attrs["currency"] == "GBP" and display_units(results["capital_cost"]) == "GBP"
    assert all(udunits_ok(v.attrs["units"]) for v in results.variables.values() if "units" in v.attrs)
    assert results["time"].attrs["standard_name"] == "time" and "history" in results.attrs
    again = finalize_cf(results, "results")  # idempotent apart from one more history line
    assert again["hot_day_exposure"].attrs == results["hot_day_exposure"].attrs


def _lines(text: str) -> list[str]:
    return text.splitlines()


def test_show_and_compare_fit_80_columns_when_piped(capsys, tmp_path):
    import pandas as pd

    from twin.cli import main
    from twin.report._text import compare_text

    d = str(small_results_dir())
    assert main(["show", d]) == 0
    show = capsys.readouterr().out
    assert main(["compare", d, "--csv", str(tmp_path / "c.csv")]) == 0
    compare = capsys.readouterr().out
    every = compare_text(pd.read_csv(tmp_path / "c.csv"), everything=True)  # what --all prints
    for text in (show, compare, every):
        assert max(len(line) for line in _lines(text)) <= 80
        assert not re.search(r"\de[-+]\d", text)  # no scientific notation
    assert "heat deaths (per 100,000 residents)" in show
    assert "outreach_centres" in compare and "£" in compare and "chance" in compare
    assert "cost per death averted" in every
    # intervals of means of quantities that cannot be negative stay non-negative (and say how)
    from twin.analysis.metrics import summary_table

    st = summary_table(xr.load_dataset(small_results_dir() / "results.nc", engine="h5netcdf"))
    assert (st["lower"] >= 0).all() and "bootstrap" in show


def test_mean_interval_stays_within_the_replicates():
    from twin.analysis.metrics import mean_interval

    x = xr.DataArray(np.array([[0.0, 0.0, 0.0, 0.0, 40.0], [5.0, 6.0, 7.0, 8.0, 9.0]]), dims=("option", "replicate"))
    lo, hi = mean_interval(x)
    assert float(lo[0]) >= 0.0 and float(hi[0]) <= 40.0  # a t interval would reach -14
    assert 5.0 <= float(lo[1]) < 7.0 < float(hi[1]) <= 9.0
    assert np.array_equal(mean_interval(x)[0].values, lo.values)  # deterministic


def _check_figure(name: str, fig) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    dpi = 110
    w, h = fig.get_size_inches() * dpi
    assert w <= 2000 and h <= 2000, f"{name}: {w:.0f} x {h:.0f} px"
    FigureCanvasAgg(fig).draw()
    titles = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]
    assert any(t.strip() for t in titles), f"{name}: no title"
    for ax in fig.axes:
        if not ax.get_visible() or not ax.axison:
            continue
        if ax.get_label() == "<colorbar>":
            assert ax.get_ylabel() or ax.get_xlabel(), f"{name}: colour bar without a label"
            continue
        for axis, label in ((ax.xaxis, ax.get_xlabel()), (ax.yaxis, ax.get_ylabel())):
            ticks = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
            shared = ax.get_shared_x_axes() if axis is ax.xaxis else ax.get_shared_y_axes()
            if ticks and not label and not any(o.get_xlabel() if axis is ax.xaxis else o.get_ylabel()
                                               for o in shared.get_siblings(ax)):
                pytest.fail(f"{name}: an axis with tick labels and no axis label ({ax.get_title()!r})")


def test_every_registered_plot_is_labelled_and_no_taller_than_2000_px(results):
    from twin.place import Place
    from twin.plot.core import PLOTS
    from twin.trials.plots import power_figure

    small = results.sel(option=["do_nothing", "outreach"], pathway=["gwl2"])
    zones = Place.load(small_results_dir() / "tiny").zones
    seen = 0
    for name, make in PLOTS.items():
        for stem, fig in make(small, zones) or ():
            _check_figure(stem, fig)
            seen += 1
    assert seen >= 6
    import pandas as pd

    rows = [{"design": "parallel", "periods": 1, "cluster_size": 50.0, "icc": 0.0002, "n_clusters": k, "effect": e,
             "power": min(1, e * k / 40), "power_lo": 0, "power_hi": 1, "closed_form": min(1, e * k / 40)}
            for k in range(10, 24) for e in (0.5, 1.0, 2.0)]
    fig = power_figure(pd.DataFrame(rows), units="deaths per 100,000")
    _check_figure("power", fig)
    assert "0.0002" in fig.axes[0].get_title() and "ICC 0.000" not in fig.axes[0].get_title()
    assert len(fig.axes[0].get_legend().get_texts()) <= 6


def test_no_backend_switching_in_library_code():
    offenders = [str(p.relative_to(ROOT)) for p in [*ROOT.glob("twin/**/*.py"), *ROOT.glob("models/*.py"), ROOT / "cli.py"]
                 if re.search(r"matplotlib\.use\(|\bplt\.switch_backend\(", p.read_text(encoding="utf-8"))]
    assert offenders == []

"""Indicators, paired option differences and summaries over a results Dataset."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import special

from twin._names import AGE_BANDS
from twin.errors import TwinError
from twin.analysis.metrics import (
    OLDER_BANDS,
    PLACE,
    count_variables,
    format_summary,
    indicators,
    paired_difference,
    rate_per_1000,
    summary_table,
    unpaired_difference,
    write_indicators_csv,
)

DAY, NIGHT = 30.0, 16.0


def make_results(
    options: dict[str, dict[int, float]] | None = None,
    pathways: dict[str, float] | None = None,
    replicates: int = 5,
    days: int = 30,
    n_zones: int = 6,
    seed: int = 1,
) -> xr.Dataset:
    """A results Dataset laid out like the runner's results.nc, from a toy heat model.

    ``options`` maps option name -> {zone index: local cooling in degC}; the first option is the
    reference. ``pathways`` maps pathway -> warming in degC. Weather and behaviour noise are drawn
    once per (pathway, replicate) and shared by every option (common random numbers).
    """
    options = options or {"do_nothing": {}, "canopy_hottest": {0: 1.5, 1: 1.5}, "no_effect": {}}
    pathways = pathways or {"baseline": 0.0, "gwl2": 1.5}
    rng = np.random.default_rng(seed)
    codes = [f"Z{i + 1:02d}" for i in range(n_zones)]
    urban = np.array([i < n_zones // 2 for i in range(n_zones)])
    older = np.where(urban, 0.6, 1.6)  # rural zones are older
    shape = np.exp(-((np.arange(18) - 7) ** 2) / 60) + older[:, None] * (np.arange(18) >= 15)
    by_age = rng.poisson(400 * shape).astype("int64")
    time = pd.date_range("2025-06-01", periods=days, freq="D")
    P, R, T, Z, O = len(pathways), replicates, days, n_zones, len(options)
    season = 25 + 3 * np.sin(np.linspace(0, np.pi, T))
    anomaly = np.zeros((R, T))
    shocks = rng.normal(0, 2.0, (R, T))
    for t in range(T):  # AR(1) day-to-day persistence
        anomaly[:, t] = (0.7 * anomaly[:, t - 1] if t else 0) + shocks[:, t]
    warming = np.array(list(pathways.values()))
    tx = season + anomaly[None] + warming[:, None, None]  # (P, R, T): pathways share anomalies
    tn = tx - 11 + rng.normal(0, 1.0, (R, T))[None]
    offset = np.where(urban, 2.0, 0.0) + rng.normal(0, 0.3, Z)
    cooling = np.zeros((O, Z))
    for o, effect in enumerate(options.values()):
        for z, c in effect.items():
            cooling[o, z] = c
    behaviour = rng.lognormal(0, 0.15, (P, R, T, Z))  # shared draws, same in every option
    local_x = tx[None, :, :, :, None] + offset - cooling[:, None, None, None, :]
    local_n = tn[None, :, :, :, None] + 0.6 * offset - 0.5 * cooling[:, None, None, None, :]
    frac_x = np.clip(special.ndtr((local_x - DAY) / 1.5) * behaviour, 0, 1)
    frac_n = np.clip(special.ndtr((local_n - NIGHT) / 1.0) * behaviour, 0, 1)
    residents = by_age.sum(1)
    dims = ("option", "pathway", "replicate", "time", "zone")
    age_dims = ("option", "pathway", "replicate", "zone", "age_band")

    def var(data, dims, units, long_name):
        return xr.Variable(dims, np.asarray(data, dtype="float32"), {"units": units, "long_name": long_name})

    ds = xr.Dataset(
        {
            "residents": (("zone",), residents, {"units": "1", "long_name": "residents"}),
            "residents_by_age": (("zone", "age_band"), by_age, {"units": "1", "long_name": "residents by age band"}),
            "hot_day_exposure": var(frac_x * residents, dims, "person day",
                                    "person-days with local tasmax at or above the day threshold"),
            "hot_night_exposure": var(frac_n * residents, dims, "person day",
                                      "person-days with local tasmin at or above the night threshold"),
            "tasmax_mean": var(local_x.repeat(1, 0), dims, "degC", "population-weighted mean local tasmax"),
            "hot_day_exposure_by_age": var(frac_x.sum(3)[..., None] * by_age, age_dims, "person day",
                                           "person-days with local tasmax at or above the day threshold"),
            "hot_night_exposure_by_age": var(frac_n.sum(3)[..., None] * by_age, age_dims, "person day",
                                             "person-days with local tasmin at or above the night threshold"),
            "station_tasmax": (("pathway", "replicate", "time"), tx.astype("float32"),
                               {"units": "degC", "long_name": "station daily maximum temperature"}),
            "station_tasmin": (("pathway", "replicate", "time"), tn.astype("float32"),
                               {"units": "degC", "long_name": "station daily minimum temperature"}),
        },
        coords={
            "option": list(options), "pathway": list(pathways), "replicate": np.arange(R), "time": time,
            "zone": codes, "age_band": list(AGE_BANDS),
            "zone_name": ("zone", [f"Ward {c}" for c in codes]),
            "urban_rural": ("zone", np.where(urban, "urban", "rural")),
            "deprivation_decile": ("zone", (np.arange(Z) % 10 + 1).astype("int64")),
        },
        attrs={"place": "toyville", "scenario_name": "test", "seed": seed, "placetwin_version": "test",
               "scenario_sha256": "0" * 64, "reference_option": list(options)[0]},
    )
    return ds


def tiny() -> xr.Dataset:
    """Two zones, two age bands, one run: small enough to check by hand."""
    return xr.Dataset(
        {
            "residents": ("zone", [300, 50]),
            "residents_by_age": (("zone", "age_band"), [[100, 200], [50, 0]]),
            "x_by_age": (("option", "pathway", "replicate", "zone", "age_band"),
                         np.array([[[[[10.0, 20.0], [0.0, 0.0]]]]]), {"units": "person day"}),
            "x": (("option", "pathway", "replicate", "time", "zone"),
                  np.array([[[[[3.0, 1.0], [0.0, 0.0], [3.0, 4.0]]]]]), {"units": "person day"}),
        },
        coords={"option": ["a"], "pathway": ["p"], "replicate": [0], "zone": ["Z01", "Z02"],
                "age_band": ["0-4", "85+"], "time": pd.date_range("2025-07-01", periods=3)},
    )


def _value(da, **sel):
    return float(da.squeeze(("option", "pathway", "replicate")).sel(sel))


def test_rate_per_1000_by_hand():
    ds = tiny()
    both = rate_per_1000(ds, "x_by_age")
    assert _value(both, zone="Z01", age_band="0-4") == pytest.approx(100.0)
    assert _value(both, zone="Z01", age_band="85+") == pytest.approx(100.0)
    assert _value(both, zone="Z02", age_band="0-4") == 0.0
    assert np.isnan(_value(both, zone="Z02", age_band="85+"))  # nobody lives there: no rate
    by_zone = rate_per_1000(ds, "x_by_age", by="zone")
    assert _value(by_zone, zone="Z01") == pytest.approx(100.0)
    assert _value(by_zone, zone="Z02") == 0.0
    by_age = rate_per_1000(ds, "x_by_age", by=("age_band",))
    assert _value(by_age, age_band="0-4") == pytest.approx(1000 * 10 / 150)
    assert float(rate_per_1000(ds, "x_by_age", by=()).squeeze()) == pytest.approx(1000 * 30 / 350)
    assert float(rate_per_1000(ds, "x_by_age", by=(), age_bands=["85+"]).squeeze()) == pytest.approx(100.0)
    # daily variable: summed over time, residents(zone) as denominator
    daily = rate_per_1000(ds, "x", by="zone")
    assert _value(daily, zone="Z01") == pytest.approx(1000 * 6 / 300)
    assert _value(daily, zone="Z02") == pytest.approx(1000 * 5 / 50)
    assert daily.attrs["units"] == "person-days per 1000 residents"


@pytest.mark.parametrize(
    ("var", "kw", "match"),
    [("x_by_age", {"by": ("ward",)}, "by"), ("x", {"by": ("age_band",)}, "age_band"),
     ("nope", {}, "nope"), ("x_by_age", {"by": (), "age_bands": ["90+"]}, "90")],
)
def test_rate_per_1000_refuses_bad_requests(var, kw, match):
    with pytest.raises(TwinError, match=match):
        rate_per_1000(tiny(), var, **kw)


def test_indicators_names_dims_units():
    res = make_results()
    assert set(count_variables(res)) == {"hot_day_exposure", "hot_night_exposure",
                                         "hot_day_exposure_by_age", "hot_night_exposure_by_age"}
    ind = indicators(res)
    assert set(ind.data_vars) == {"hot_day_exposure_per_1000", "hot_day_exposure_per_1000_75plus",
                                  "hot_night_exposure_per_1000", "hot_night_exposure_per_1000_75plus"}
    for da in ind.data_vars.values():
        assert da.dims == ("option", "pathway", "replicate", "zone")
        assert da.sizes["zone"] == res.sizes["zone"] + 1 and str(da.zone.values[0]) == PLACE
        assert da.attrs["units"] == "person-days per 1000 residents" and "per 1,000" in da.attrs["long_name"]
    assert "aged 75+" in ind["hot_day_exposure_per_1000_75plus"].attrs["long_name"]
    # whole place: total person-days over all residents
    want = 1000 * res.hot_day_exposure.sum(("time", "zone")) / res.residents.sum()
    np.testing.assert_allclose(ind.hot_day_exposure_per_1000.sel(zone=PLACE), want, rtol=1e-5)
    old = res.hot_day_exposure_by_age.sel(age_band=list(OLDER_BANDS)).sum(("zone", "age_band"))
    want = 1000 * old / res.residents_by_age.sel(age_band=list(OLDER_BANDS)).sum()
    np.testing.assert_allclose(ind.hot_day_exposure_per_1000_75plus.sel(zone=PLACE), want, rtol=1e-5)
    assert int(ind.deprivation_decile.sel(zone="Z03")) == 3


def test_indicators_pick_up_new_count_variables_with_extra_dims():
    res = make_results(replicates=2, days=5)
    contacts = xr.ones_like(res.hot_day_exposure_by_age).expand_dims(channel=["phone", "digital"], axis=-1)
    res["contacts_by_age"] = contacts.assign_attrs(units="contact", long_name="service contacts")
    res["deaths"] = (res.hot_day_exposure * 1e-4).assign_attrs(units="death", long_name="attributable deaths")
    ind = indicators(res)
    assert ind["contacts_per_1000_by_channel"].dims == ("option", "pathway", "replicate", "zone", "channel")
    # the total over channels is the sum of the split, per 1,000 of the same residents
    assert ind["contacts_per_1000"].dims == ("option", "pathway", "replicate", "zone")
    xr.testing.assert_allclose(ind["contacts_per_1000"], ind["contacts_per_1000_by_channel"].sum("channel"))
    assert "deaths_per_1000" in ind and "deaths_per_1000_75plus" not in ind
    rows = summary_table(res, ind=ind)
    assert "contacts_per_1000_by_channel[channel=phone]" in set(rows.indicator)
    from rich.console import Console

    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(format_summary(rows))
    text = console.export_text()
    assert "contacts_per_1000_by_channel[channel=phone]" in text  # square brackets are not taken as markup
    assert "(contacts per 1000 residents)" in text  # mixed units are shown per indicator


def test_identical_option_gives_exactly_zero_difference():
    ind = indicators(make_results())
    for name, da in ind.data_vars.items():
        d = paired_difference(da).sel(option="no_effect")
        assert (d.difference == 0).all() and (d.lower == 0).all() and (d.upper == 0).all(), name
        assert d.attrs["reference_option"] == "do_nothing"
    cooler = paired_difference(ind.hot_day_exposure_per_1000).sel(option="canopy_hottest", zone=PLACE)
    assert (cooler.upper < 0).all()  # cooling the hottest zones lowers exposure, clearly


def test_pairing_narrows_the_interval():
    ind = indicators(make_results(replicates=8)).hot_day_exposure_per_1000.sel(zone=PLACE)
    paired = paired_difference(ind).sel(option="canopy_hottest")
    unpaired = unpaired_difference(ind).sel(option="canopy_hottest")
    np.testing.assert_allclose(paired.difference, unpaired.difference)
    assert ((paired.upper - paired.lower) < 0.5 * (unpaired.upper - unpaired.lower)).all()
    assert "Welch" in unpaired.attrs["method"]


def _coverage(fn, x, true):
    ind = xr.DataArray(x, dims=("option", "study", "replicate"), coords={"option": ["ref", "opt"]})
    d = fn(ind).sel(option="opt")
    return float(((d.lower <= true) & (true <= d.upper)).mean())


def test_intervals_cover_the_true_difference():
    # 4000 simulated studies of 6 replicates each.
    rng = np.random.default_rng(7)
    sims, n, true = 4000, 6, -2.0
    shared = rng.normal(50, 10, (sims, n))  # replicate effects shared by both options (CRN)
    crn = np.stack([shared + rng.normal(0, 1, (sims, n)), shared + true + rng.normal(0, 1, (sims, n))])
    assert 0.9 <= _coverage(paired_difference, crn, true) <= 0.99
    # Welch is right for independent samples, and needlessly wide (over-covers) under CRN.
    independent = np.stack([rng.normal(50, 10, (sims, n)), rng.normal(50 + true, 5, (sims, n))])
    assert 0.9 <= _coverage(unpaired_difference, independent, true) <= 0.99
    assert _coverage(unpaired_difference, crn, true) > 0.995


def test_one_replicate_gives_nan_interval_not_error():
    ind = indicators(make_results(replicates=1, days=5)).hot_day_exposure_per_1000
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = paired_difference(ind)
        u = unpaired_difference(ind)
    assert np.isnan(d.lower).all() and np.isnan(u.upper).all()
    assert np.isfinite(d.difference).all()
    assert "1 replicate" in d.attrs["note"]


def test_paired_difference_refuses_bad_input():
    ind = indicators(make_results(replicates=2, days=3)).hot_day_exposure_per_1000
    with pytest.raises(TwinError, match="reference"):
        paired_difference(ind, reference="nonsense")
    with pytest.raises(TwinError, match="level"):
        paired_difference(ind, level=95)


def test_summary_table_and_rich_table():
    res = make_results()
    df = summary_table(res)
    assert list(df.columns) == ["indicator", "pathway", "option", "units", "n_replicates", "mean", "lower",
                                "upper", "difference", "difference_lower", "difference_upper", "percent_change"]
    assert len(df) == 4 * 2 * 3
    ref = df[df.option == "do_nothing"]
    assert (ref.difference == 0).all() and (ref.percent_change == 0).all()
    assert ((df["lower"] <= df["mean"]) & (df["mean"] <= df["upper"])).all()
    canopy = df[(df.option == "canopy_hottest") & (df.indicator == "hot_day_exposure_per_1000")]
    assert (canopy.percent_change < 0).all()
    from rich.console import Console

    table = format_summary(df)
    assert table.row_count == len(df)
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(table)
    text = console.export_text()
    assert "canopy_hottest" in text and "reference" in text and "%" in text


def test_indicators_csv_round_trip(tmp_path):
    res = make_results(replicates=3, days=10)
    path = write_indicators_csv(res, tmp_path / "indicators.csv")
    assert [p.name for p in tmp_path.iterdir()] == ["indicators.csv"]  # no temporary left behind
    df = pd.read_csv(path)
    assert list(df.columns) == ["option", "pathway", "replicate", "zone", "indicator", "value", "units"]
    ind = indicators(res)
    assert len(df) == sum(da.size for da in ind.data_vars.values())
    back = df.set_index(["indicator", "option", "pathway", "replicate", "zone"]).value
    for name, da in ind.data_vars.items():
        got = back.loc[name].to_xarray().transpose(*da.dims).sel(zone=da.zone, option=da.option)
        np.testing.assert_allclose(got.values, da.values, rtol=1e-5)


def test_accessor_delegates():
    res = make_results(replicates=3, days=10)
    ind = res.twin.indicators()
    xr.testing.assert_identical(ind, indicators(res))
    pd.testing.assert_frame_equal(res.twin.summary(), summary_table(res))
    xr.testing.assert_identical(res.twin.paired_difference("hot_day_exposure_per_1000"),
                                paired_difference(ind.hot_day_exposure_per_1000))
    xr.testing.assert_identical(ind.twin.paired_difference("hot_night_exposure_per_1000"),
                                paired_difference(ind.hot_night_exposure_per_1000))
    with pytest.raises(TwinError, match="not an indicator"):
        res.twin.paired_difference("station_tasmax")

"""Several councils as one place: twin places combine / make on tiny inputs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from twin.cli import main
from twin.errors import PlaceDataError
from twin.place import Place
from twin.place.combine import COUNCIL, combine_places, metropolitan_area, translate_place
from twin.testing import tiny_place


@pytest.fixture(scope="module")
def two():
    a = tiny_place(4, 800, seed=1, name="alpha")
    b = translate_place(tiny_place(4, 600, seed=2, name="beta"), 2_500.0, -300.0, prefix="B")
    return a, b


def test_combined_place_keeps_councils_services_and_population(two, tmp_path):
    a, b = two
    shared_id = b.services[-1].id
    c = combine_places([a, b], shared=[shared_id])
    assert c.residents == a.residents + b.residents
    assert int(c.grid["residents"].sum()) == c.residents
    assert [z.properties[COUNCIL] for z in c.zones] == ["alpha"] * 4 + ["beta"] * 4
    assert c.meta["councils"] == ["alpha", "beta"]
    # the merged grid spans both, on the same 100 m lattice; each council's cells are its own
    assert c.grid.sizes["x"] == 20 + 5 + 20 and c.grid.sizes["y"] == 20 + 3
    zi = np.asarray(c.zone_index)
    assert np.bincount(zi[zi >= 0], minlength=8).min() > 0
    by_id = {s.id: s for s in c.services}
    assert by_id[a.services[0].id].properties["zones"] == [z.code for z in a.zones]
    assert by_id[shared_id].properties["shared"] is True and "zones" not in by_id[shared_id].properties
    # services stay with their council: every cell's nearest GP is its own council's
    from twin.models._services import NearestTable, ServiceAgent
    from twin.place.grid import cell_centres

    import mesa

    model = mesa.Model(rng=0)
    gps = [ServiceAgent(model, s) for s in c.services if s.type == "gp_practice"]
    X, Y = cell_centres(c.grid)
    table = NearestTable(gps, X.ravel(), Y.ravel(), zi.ravel(), c.zone_codes)
    council_of_zone = np.array([z.properties[COUNCIL] for z in c.zones])
    inside = zi.ravel() >= 0
    got = np.array([gps[k].service.properties[COUNCIL] for k in table.index[inside]])
    np.testing.assert_array_equal(got, council_of_zone[zi.ravel()[inside]])
    # the heat_health model runs on it: contacts by each council's own services
    from twin.climate import ClimateDrivers, local_offsets
    from twin.models import get_model
    from twin.models import heat_health as hh
    from twin.run.engine import simulate
    from twin.run.streams import RunStreams
    import pandas as pd
    import xarray as xr

    params = get_model("heat_health").Params.model_validate({"services": {"help_seeking_by_alert": [0, 0.2, 0.3, 0.4]}})
    w = xr.Dataset({"tasmax": ("time", np.full(5, 34.0)), "tasmin": ("time", np.full(5, 20.0)),
                    "pr": ("time", np.zeros(5))}, coords={"time": pd.date_range("2030-07-06", periods=5)})
    res = hh.HeatHealthModel.make_residents(c, params, np.random.default_rng(0))
    ds = simulate(hh.HeatHealthModel, c, ClimateDrivers(w, local_offsets(c.grid)), res, params,
                  streams=RunStreams(3, 0))
    assert float(ds["contacts"].sum()) > 0 and float(ds["exposed"].sum()) > 0
    # written and read back as an ordinary place
    back = Place.load(c.save(tmp_path / "combined"))
    assert back.zones[5].properties[COUNCIL] == "beta" and back.residents == c.residents


@pytest.mark.parametrize("change, needle", [
    (lambda b: translate_place(b, -2_500.0, 300.0), "overlaps"),
    (lambda b: translate_place(b, 0.0, 0.0, prefix="A"), "zone code"),
    (lambda b: b.replace(meta={**b.meta, "crs": "EPSG:4326"}), "CRS"),
    (lambda b: b.replace(meta={**b.meta, "cell_size": 200.0}), "cell size"),
    (lambda b: b.replace(grid=b.grid.assign_coords(x=b.grid["x"] + 30.0)), "lattice"),
    (lambda b: b.replace(meta={**b.meta, "region": "South West"}), "region"),
])
def test_bad_combinations_are_one_line_errors(two, change, needle):
    a, b = two
    if needle == "zone code":
        b = tiny_place(4, 600, seed=2, name="beta")
        b = translate_place(b, 2_500.0, 0.0)  # same codes Z01.. as alpha
    else:
        b = change(b)
    with pytest.raises(PlaceDataError, match=needle) as err:
        combine_places([a, b])
    assert "\n" not in str(err.value)


def test_make_is_deterministic_and_the_cli_writes_it(tmp_path, capsys):
    assert main(["places", "make", "--residents", "2000", "--councils", "2", "-o", str(tmp_path / "m")]) == 0
    assert "2,000 residents" in capsys.readouterr().out
    disk = Place.load(tmp_path / "m")
    again = metropolitan_area(2000, 2)
    again.save(tmp_path / "m2")
    assert Place.load(tmp_path / "m2").checksums == disk.checksums
    assert disk.meta["councils"] == ["Northbury", "Eastwick"]
    assert {z.properties[COUNCIL] for z in disk.zones} == {"Northbury", "Eastwick"}
    # an existing directory is not overwritten; bad input is exit 2 with one line
    assert main(["places", "make", "--residents", "2000", "--councils", "2", "-o", str(tmp_path / "m")]) == 2
    assert main(["places", "combine", str(tmp_path / "m"), "-o", str(tmp_path / "c")]) == 2
    assert main(["places", "make", "--councils", "40", "-o", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 3 and "--overwrite" in err and "two or more" in err and "councils" in err
    assert not (tmp_path / "c").exists() and not (tmp_path / "x").exists()


def test_benefits_split_by_council_add_up_to_the_place():
    from tests.appraisal_fakes import fake_results
    from twin.analysis.equity import benefit_by
    from twin.errors import TwinError

    results = fake_results()
    with pytest.raises(TwinError, match="no council coordinate"):
        benefit_by(results, "council")
    n = results.sizes["zone"]
    results = results.assign_coords(council=("zone", ["alpha"] * (n // 2) + ["beta"] * (n - n // 2)))
    by = benefit_by(results, "council").sel(option="centres", pathway="gwl4")["mean"]
    pop = results["residents"].groupby(results["council"]).sum()
    place = benefit_by(results, "zone").sel(option="centres", pathway="gwl4")["mean"]
    assert list(by["council"].values) == ["alpha", "beta"]
    assert float((by * pop).sum()) == pytest.approx(float((place * results["residents"]).sum()))

"""Every heat-health parameter has a default, a unit and a named source; scenarios can override them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from twin.health import SLOPE_CI, HeatHealthParams, describe_params


def test_every_parameter_row_names_a_unit_and_a_source():
    rows = describe_params()
    assert len(rows) > 50
    names = [r[0] for r in rows]
    assert len(set(names)) == len(names)
    for name, _value, unit, source in rows:
        assert unit, name
        assert source, name
    sources = dict((r[0], r[3]) for r in rows)
    assert "Hajat" in sources["exposure_response.slope_high_london"]
    assert "Bouchama" in sources["behaviour.or_cool_places"]
    assert sources["traits.ltc_prevalence"].startswith("assumption, L")


def test_overrides_show_in_the_table_and_unknown_keys_are_errors():
    params = HeatHealthParams.model_validate({"exposure_response": {"slope_high_london": SLOPE_CI[1]},
                                              "behaviour": {"adopt_home_ac": 0.1}})
    rows = dict((r[0], r[1]) for r in describe_params(params))
    assert rows["exposure_response.slope_high_london"] == 0.0415
    assert rows["behaviour.adopt_home_ac"] == 0.1
    with pytest.raises(ValidationError, match="extra"):
        HeatHealthParams.model_validate({"traits": {"internet_users": 0.5}})
    with pytest.raises(ValidationError):
        HeatHealthParams.model_validate({"services": {"help_seeking_by_alert": [0, 0.1, 0.2, 1.5]}})

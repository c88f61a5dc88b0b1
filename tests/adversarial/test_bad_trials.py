"""Bad trial sections: `twin validate` refuses what `twin trial` would, with the same line, before any output."""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import assert_refused, nothing_left, trial_text

TRIALS = {
    "unknown_variable": (("variable: hot_day_exposure", "variable: happiness"), ("trial.outcome.variable", "happiness")),
    "variable_of_other_model": (("variable: hot_day_exposure", "variable: contacts"), ("heat_exposure", "contacts")),
    "unknown_intervention_key": (("increase: 0.1", "increse: 0.1"), ("trial.intervention",)),
    "intervention_value": (("increase: 0.1", "increase: 7"), ("trial.intervention",)),
    "unknown_cluster_zone": (("periods: 3", "periods: 3\n  clusters: [Z01, Z99, Z02]"), ("trial.clusters", "Z99")),
    "pathway_not_in_scenario": (("periods: 3", "periods: 3\n  pathway: gwl3"), ("trial.pathway", "gwl3")),
    "unknown_strata_column": (("periods: 3", "periods: 3\n  strata: ward_type"), ("strata", "ward_type")),
}


@pytest.mark.parametrize("case", list(TRIALS))
def test_trial_section_validate_and_trial_agree(case, tiny_place_dir, tmp_path, cli):
    (old, new), needles = TRIALS[case]
    text = trial_text(tiny_place_dir)
    assert old in text
    sc = tmp_path / "t.yaml"
    sc.write_text(text.replace(old, new, 1))
    code, _, err = cli("validate", sc)
    line = assert_refused(code, err, *needles)
    code, _, err = cli("trial", sc, "-o", tmp_path / "out", "-q")
    assert assert_refused(code, err) == line
    nothing_left(tmp_path, "out")


def test_declared_zone_variables_match_the_heat_health_records():
    from twin.models import get_model
    from twin.models._heat_records import VARIABLES

    assert get_model("heat_health").zone_variables == tuple(VARIABLES)

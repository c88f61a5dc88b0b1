"""What a run checks before its first model step, in one place: ``twin validate`` and the run path both call it.

:func:`preflight` loads the scenario's place and checks everything a run, projection or trial
would otherwise reject later: the place files, the weather station (when the generator is used),
the climate file (readable, covers the period, expected dims, on the place), every option's
interventions on the place, the projected populations of a ``demography:`` section, and a
``trial:`` section's zones and pathway. It returns *all* problems found (up to
:data:`MAX_PROBLEMS`), each a one-line :class:`~twin.errors.TwinError` naming file, line, field and
value, so ``validate`` lists them and a run raises the first with the very same message.

:func:`run_cost` and :func:`check_cost` estimate the size of an ensemble before it starts
(``twin run`` refuses a very large one without ``--yes``).

Nothing here imports Mesa, xclim or matplotlib: ``twin validate`` stays quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from twin.errors import ScenarioError, TwinError

__all__ = ["MAX_PROBLEMS", "MAX_RUN_DAYS", "SECONDS_PER_RUN", "SECONDS_PER_RUN_DAY", "check_cost", "preflight",
           "raise_first", "run_cost"]

#: Most problems listed for one file.
MAX_PROBLEMS = 20
#: Ensembles larger than this many simulated run-days (runs x days) need ``--yes``
#: (the bundled appraisal scenarios are ~22,000; 1,000 replicates of the quickstart are 368,000).
MAX_RUN_DAYS = 100_000
#: Cost of one run besides its resident-days (building the model, writing its records), seconds on
#: one core; each model's cost per resident-day is registered with it (``seconds_per_resident_day``,
#: measured by ``benchmarks/run_cost.py``).
SECONDS_PER_RUN = 0.3
#: Rough cost of one simulated day of one run when the place's residents are not known, seconds on one core.
SECONDS_PER_RUN_DAY = 0.02


def preflight(scenario: Any, *, kind: str = "run", limit: int = MAX_PROBLEMS) -> list[TwinError]:
    """Every problem a run (``kind="run"``), projection (``"projection"``) or trial (``"trial"``) of
    ``scenario`` would hit before its first step, in the order they are found (at most ``limit``)."""
    from twin.place import Place, resolve_place

    problems: list[TwinError] = []

    def check(fn: Any, *args: Any) -> Any:
        if len(problems) >= limit:
            return None
        try:
            return fn(*args)
        except TwinError as err:
            problems.append(err)
            return None

    place = check(_place, scenario, Place, resolve_place)
    if place is None:
        return problems
    demo = getattr(scenario, "demography", None)
    if kind == "projection":
        if demo is not None:
            check(_projection_inputs, place, demo, scenario.base_dir)
        return problems
    source = scenario.climate_path
    if source is None:
        from twin.climate.modulation import place_station

        check(place_station, place)
    else:
        from twin.climate.drivers import climate_file_for

        check(climate_file_for, place, source, scenario.period.time())
    for i, opt in enumerate(scenario.options):
        check(_option, place, opt, i, scenario)
    if demo is not None:
        check(_run_populations, place, demo, scenario)
    if kind == "trial" or getattr(scenario, "trial", None) is not None:
        check(_trial, place, scenario)
    return problems[:limit]


def _place(scenario: Any, Place: Any, resolve_place: Any) -> Any:  # noqa: N803
    try:
        where = resolve_place(scenario.place, scenario.base_dir)
    except TwinError as err:  # name the scenario file and line: that is where the place is named
        if err.file is not None or scenario.path is None:
            raise
        raise type(err)(err.message, file=_file(scenario), line=_line(scenario, ("place",)), field=err.field,
                        value=err.value, hint=err.hint) from None
    return Place.load(where)


def raise_first(problems: list[TwinError]) -> None:
    """Raise the first problem (with all of them on its ``errors`` attribute), if any."""
    if problems:
        first = problems[0]
        first.errors = list(problems)  # type: ignore[attr-defined]
        raise first


def _option(place: Any, opt: Any, i: int, scenario: Any) -> None:
    from twin.interventions import apply_option

    try:
        apply_option(place, opt.interventions)
    except TwinError as err:
        if err.file is not None:
            raise
        raise type(err)(err.message, file=_file(scenario), field=f"options[{i}] ({opt.name})"
                        + (f": {err.field}" if err.field else ""), value=err.value, hint=err.hint,
                        line=_line(scenario, ("options", i))) from None


def _projection_inputs(place: Any, demo: Any, base_dir: Any) -> None:
    from twin.demography.outputs import base_population

    base_population(place, demo, base_dir)


def _run_populations(place: Any, demo: Any, scenario: Any) -> None:
    from twin.demography import population_for_year

    period = scenario.period
    years = [demo.year] if demo.year is not None else range(period.start.year, period.end.year + 1)
    for year in years:
        population_for_year(place, demo, int(year), base_dir=scenario.base_dir)


def _trial(place: Any, scenario: Any) -> None:
    spec = scenario.trial
    if spec is None:
        raise ScenarioError("the scenario has no trial: section", file=_file(scenario), field="trial",
                            hint="add trial: {design, outcome, intervention, ...}; see twin.trials.spec")
    if isinstance(spec.clusters, list):
        bad = [z for z in spec.clusters if z not in place.zone_codes]
        if bad:
            raise ScenarioError("unknown zone", file=_file(scenario), field="trial.clusters", value=bad[0],
                                line=_line(scenario, ("trial", "clusters")),
                                hint=f"zones of {place.name}: " + ", ".join(place.zone_codes))
    from twin.models import get_model

    known = get_model(scenario.model).zone_variables
    if known and spec.outcome.variable not in known:
        import difflib

        close = difflib.get_close_matches(spec.outcome.variable, known, n=1)
        raise ScenarioError(f"is not a daily by-zone variable of the {scenario.model} model",
                            file=_file(scenario), field="trial.outcome.variable",
                            line=_line(scenario, ("trial", "outcome", "variable")), value=spec.outcome.variable,
                            hint=(f"did you mean {close[0]!r}? " if close else "") + "valid: " + ", ".join(known))
    _trial_intervention(scenario)
    if spec.pathway is not None and spec.pathway not in scenario.pathways:
        raise ScenarioError("pathway is not one of the scenario's pathways", file=_file(scenario),
                            field="trial.pathway", line=_line(scenario, ("trial", "pathway")), value=spec.pathway,
                            hint="valid: " + ", ".join(scenario.pathways))


def _trial_intervention(scenario: Any) -> None:
    from twin.trials.run import _check_intervention

    _check_intervention(scenario.trial, _lines(scenario), _file(scenario), scenario.model)


def _lines(scenario: Any) -> Any:
    from twin.scenario._yaml import LineMap, load_with_lines

    try:
        return load_with_lines(scenario.text, _file(scenario))[1]
    except TwinError:
        return LineMap()


def _file(scenario: Any) -> str:
    return str(scenario.path) if scenario.path is not None else "<string>"


def _line(scenario: Any, path: tuple) -> int | None:
    from twin.scenario._yaml import load_with_lines

    try:
        return load_with_lines(scenario.text, _file(scenario))[1].line_of(path)
    except TwinError:
        return None


def run_cost(scenario: Any, replicates: int | None = None) -> tuple[int, int, float]:
    """``(runs, run_days, seconds)``: runs and simulated run-days of an ensemble, and a rough one-core time.

    The time is ``runs x SECONDS_PER_RUN + run_days x residents x`` the model's measured cost per
    resident-day, with the residents of the scenario's place (loaded once per process, so after
    :func:`preflight` this reads nothing); ``run_days x SECONDS_PER_RUN_DAY`` if the place cannot be read.
    """
    reps = int(scenario.replicates if replicates is None else replicates)
    runs = len(scenario.options) * len(scenario.pathways) * reps
    run_days = runs * int(scenario.period.days)
    rate, residents = _rate(scenario), _residents(scenario)
    if not rate or residents is None:
        return runs, run_days, run_days * SECONDS_PER_RUN_DAY
    return runs, run_days, runs * SECONDS_PER_RUN + run_days * residents * rate


def _rate(scenario: Any) -> float:
    from twin.models import get_model

    try:
        return float(get_model(scenario.model).seconds_per_resident_day)
    except KeyError:
        return 0.0


def _residents(scenario: Any) -> int | None:
    from twin.place import Place, resolve_place

    try:
        return Place.load(resolve_place(scenario.place, scenario.base_dir)).residents
    except TwinError:
        return None


def check_cost(scenario: Any, replicates: int | None, jobs: int, yes: bool, *, field: str = "--replicates") -> None:
    """Refuse an ensemble of more than :data:`MAX_RUN_DAYS` run-days unless ``yes``; the message states the cost."""
    runs, run_days, seconds = run_cost(scenario, replicates)
    if run_days <= MAX_RUN_DAYS or yes:
        return
    hours = seconds / max(1, jobs) / 3600
    reps = int(scenario.replicates if replicates is None else replicates)
    raise ScenarioError(
        f"this ensemble is large: {runs:,} runs x {scenario.period.days} days = {run_days:,} run-days, "
        f"roughly {hours:,.1f} h with --jobs {jobs}",
        file=_file(scenario), field=field, value=reps,
        hint=f"pass --yes to run it anyway, or use fewer replicates (above {MAX_RUN_DAYS:,} run-days needs --yes)",
    )

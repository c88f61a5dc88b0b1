"""The Run page (run a scenario, watch progress, open the result) and the Live model page.

A run goes through :func:`twin.run.run_scenario` in a background thread of the session that
started it (``solara.lab.task``: its state belongs to that session); progress comes from the
engine's ``on_run`` callback. The live model is one run's Mesa model, built by
:func:`twin.dashboard.live.build_live_model` and stepped one day per click (or on a timer
while playing), kept in the page's own component state.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import solara
import solara.lab

from twin.dashboard import widgets as A
from twin.dashboard.data import prepare_scenario
from twin.errors import TwinError

__all__ = ["LiveModel", "RunPage", "run_task"]


@solara.lab.task
def run_task(scenario: Any, out: str, overwrite: bool) -> str:
    from twin.run import run_scenario

    total = len(scenario.options) * len(scenario.pathways) * int(scenario.replicates)
    demo = getattr(scenario, "demography", None)
    if demo is not None and demo.year is not None and demo.year != demo.base_year:
        total *= 2  # the base-year population runs too (climate/demographic split)
    done = [0]

    def on_run(key: Any, seconds: float) -> None:
        done[0] += 1
        run_task.progress = 100.0 * done[0] / total

    run_task.progress = 0.0
    try:
        run_scenario(scenario, out, overwrite=overwrite, progress=False, on_run=on_run)
    except TwinError as err:
        return f"error: {err}"
    return str(Path(out).resolve())


@solara.component
def RunPage():
    from twin.dashboard.data import bundled_scenarios, runs_root
    from twin.scenario import pathway_names

    bundled = solara.use_memo(bundled_scenarios, [])
    names = list(bundled)
    choice, set_choice = solara.use_state(names[0] if names else "")
    pasted, set_pasted = solara.use_state("")  # the user's own scenario, as YAML text
    replicates, set_replicates = solara.use_state(2)
    chosen_pathways, set_pathways = solara.use_state(["baseline"])
    overwrite, set_overwrite = solara.use_state(False)
    out, set_out = solara.use_state("")
    problem, set_problem = solara.use_state("")
    opened, set_opened = solara.use_state("")
    router = solara.use_router()
    own = pasted.strip()
    name = _own_name(own) if own else choice
    target = out or str(runs_root() / f"{name}_dashboard")

    def start() -> None:
        set_problem("")
        try:
            if own:
                text, file, base = pasted, "pasted scenario", None
            else:
                path = bundled[choice]
                text, file, base = path.read_text(encoding="utf-8"), str(path), path.parent
            sc = prepare_scenario(text, file, base, replicates=replicates, pathways=chosen_pathways)
        except TwinError as err:
            set_problem(str(err))
            return
        run_task(sc, target, overwrite)

    result = run_task.value if run_task.finished else None

    def open_result() -> None:
        if result and not result.startswith("error:") and opened != result:
            if result not in A.dirs.value:
                A.dirs.set(A.dirs.value + [result])
            A.current.set(result)
            set_opened(result)
            router.push("/")  # the result opens on the Options page

    solara.use_effect(open_result, [result])
    with solara.Card("Run a scenario"):
        solara.Select("bundled scenario", values=names, value=choice, on_value=set_choice, classes=["run-scenario"],
                      disabled=bool(own))
        solara.InputTextArea("…or paste your own scenario file (YAML); places and climate files named by relative "
                             "paths are looked for from the folder the dashboard was started in", value=pasted,
                             on_value=set_pasted, rows=4, continuous_update=False)
        solara.InputInt("replicates", value=replicates, on_value=set_replicates, classes=["run-replicates"])
        solara.SelectMultiple("pathways", values=chosen_pathways, all_values=list(pathway_names()),
                              on_value=set_pathways, classes=["run-pathways"])
        solara.InputText("output directory", value=target, on_value=set_out, continuous_update=False)
        solara.Checkbox(label="replace an existing result there", value=overwrite, on_value=set_overwrite)
        solara.Button("Start run", on_click=start, disabled=run_task.pending, color="primary", classes=["run-start"])
    if problem:
        solara.Error(problem, classes=["run-error"])
    if run_task.pending:
        solara.ProgressLinear(run_task.progress if run_task.progress is not None else True)
        solara.Text(f"running… {run_task.progress or 0:.0f}% of the runs done", classes=["run-progress"])
    elif result and result.startswith("error:"):
        solara.Error(result.removeprefix("error: "), classes=["run-error"])
    elif run_task.error:
        solara.Error(f"the run failed: {run_task.exception}", classes=["run-error"])
    elif result:
        solara.Success(f"done: {result}", classes=["run-done"])


@solara.component
def LiveModel():
    from twin.dashboard.data import bundled_scenarios
    from twin.dashboard.live import build_live_model, live_figure, live_summary

    loaded = A.use_loaded()
    sources: dict[str, Any] = {}
    if loaded is not None and loaded.scenario is not None and loaded.ds.attrs.get("model") == "heat_health":
        sources[f"results: {loaded.path.name}"] = loaded.scenario
    for n, p in bundled_scenarios().items():
        if "model: heat_health" in p.read_text(encoding="utf-8"):
            sources[f"bundled: {n}"] = p
    source, set_source = solara.use_state(next(iter(sources), ""))
    tick = solara.use_reactive(0)
    playing, set_playing = solara.use_state(False)
    request, set_request = solara.use_state(0)  # each Build press builds a fresh model
    scenario = solara.use_memo(lambda: _scenario(sources.get(source)), [source])
    opts = [o.name for o in scenario.options] if scenario is not None else []
    paths = list(scenario.pathways) if scenario is not None else []
    opt, set_opt = solara.use_state(0)
    pw, set_pw = solara.use_state(len(paths) - 1 if paths else 0)

    def build() -> Any:
        if request == 0 or scenario is None:
            return None
        return build_live_model(scenario, min(opt, len(opts) - 1), min(pw, len(paths) - 1), 0)

    built = solara.use_thread(build, dependencies=[request])
    building = built.state == solara.ResultState.RUNNING
    model = built.value if built.state == solara.ResultState.FINISHED else None
    problem = str(built.error) if built.state == solara.ResultState.ERROR else ""

    def step() -> None:
        if model is not None and model.running:
            model.step()
            tick.value += 1

    def play_loop(cancel: threading.Event) -> None:
        if not playing:
            return
        while model is not None and model.running and not cancel.is_set():
            model.step()
            tick.value += 1
            time.sleep(0.3)
        if not cancel.is_set():
            set_playing(False)  # the last day is reached

    # not intrusive: a day is never cut short (the loop checks the cancel event between days)
    solara.use_thread(play_loop, dependencies=[playing, model], intrusive_cancel=False)
    with solara.Card("Live model: one run of the heat–health model, day by day, at the place's real size"):
        solara.Select("scenario", values=list(sources), value=source, on_value=set_source, classes=["live-source"])
        with solara.Row(style="flex-wrap: wrap; align-items: center"):
            solara.Select("option", values=opts, value=opts[min(opt, len(opts) - 1)] if opts else None,
                          on_value=lambda o: set_opt(opts.index(o)))
            solara.ToggleButtonsSingle(value=paths[min(pw, len(paths) - 1)] if paths else None, values=paths,
                                       on_value=lambda p: set_pw(paths.index(p)))
        with solara.Row():
            solara.Button("Build", on_click=lambda: (set_playing(False), set_request(request + 1)),
                          disabled=building or scenario is None, classes=["live-build"])
            solara.Button("Step one day", on_click=step, disabled=model is None or playing, classes=["live-step"])
            solara.Button("Pause" if playing else "Play", on_click=lambda: set_playing(lambda p: not p),
                          disabled=model is None or not model.running, classes=["live-play"])
    if problem:
        solara.Error(problem, classes=["live-error"])
    if building:
        solara.ProgressLinear(True)
        solara.Text("building the model (residents, services, weather)…")
    fig = solara.use_memo(lambda: live_figure(model) if model is not None else None, [model, tick.value])
    if model is None:
        solara.Text("Press Build to construct the model, then step it.", classes=["live-day"])
        return
    s = live_summary(model)
    solara.Text(f"day {s['day']} of {s['days']}" + (f" ({s['date']}, alert {s['alert']})" if 'date' in s else "")
                + f": {model.n:,} residents; so far {s['contacts']:,.0f} contacts, {s['unmet_demand']:,.0f} unmet "
                f"requests, {s['expected_attributable_deaths']:.2f} expected heat deaths", classes=["live-day"])
    A.Figure(fig, "live", dpi=90)


def _own_name(text: str) -> str:
    import re

    m = re.search(r"^name:\s*([A-Za-z0-9_.-]+)", text, flags=re.MULTILINE)
    return m.group(1) if m else "own_scenario"


def _scenario(source: Any) -> Any:
    if source is None or not isinstance(source, Path):
        return source
    from twin.scenario import load

    try:
        return load(source)
    except TwinError:
        return None

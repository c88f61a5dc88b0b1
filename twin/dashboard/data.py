"""What the dashboard reads: results and projection directories, and the bundled scenarios.

Everything here reads files that a run or a projection already wrote; nothing runs a model.
A :class:`Loaded` directory is read once per browser session (the app keeps its own cache
per session), never shared between sessions.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xarray as xr

from twin.errors import OutputError, TwinError

__all__ = ["Loaded", "bundled_scenarios", "configured_dirs", "load_dir", "prepare_scenario", "runs_root"]


@dataclass
class Loaded:
    """A results directory (``kind="results"``) or a projection directory (``kind="projection"``).

    ``setup`` holds the options as ``results.nc`` stores them (costs, budgets, intervention
    specs, zones: :func:`twin.analysis._options.stored_options`), or None for results written
    without them. ``scenario`` and ``place`` come from the scenario text stored in the file,
    when its place can still be found (for services on the map and the live model).
    ``demand`` is a projection's ``demand.csv``.
    """

    path: Path
    kind: str
    ds: xr.Dataset
    setup: Any = None
    place: Any = None
    scenario: Any = None
    demand: Any = None
    _services: dict = field(default_factory=dict, repr=False)

    @property
    def zones(self) -> Any:
        if self.setup is not None and self.setup.zones:
            return self.setup.zones
        return None if self.place is None else self.place.zones

    @property
    def label(self) -> str:
        if self.kind == "projection":
            what = "population projection"
        else:
            what = f"{self.ds.attrs.get('model', 'results')}, {self.ds.sizes.get('option', 0)} options"
        return f"{self.path.name} ({what}, {self.ds.attrs.get('place', '?')})"

    def option_services(self, option: str) -> tuple:
        """Services of the place after ``option``'s interventions (new cooling centres, hubs...); () without a place."""
        if self.place is None or self.scenario is None:
            return ()
        if option not in self._services:
            from twin.interventions import apply_option

            specs = next((o.interventions for o in self.scenario.options if o.name == option), [])
            self._services[option] = tuple(apply_option(self.place, specs)[0].services)
        return self._services[option]


def _manifest_base_dir(path: Path) -> Path | None:
    try:
        scenario = json.loads((path / "manifest.json").read_text())["scenario"]["path"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Path(scenario).parent if scenario else None


def _stored_scenario(ds: xr.Dataset, path: Path, kind: str) -> tuple[Any, Any]:
    """The scenario stored in a results or projection file and its place; (None, None) when unusable."""
    text = ds.attrs.get("scenario")
    if not text:
        return None, None
    from twin.place import Place, resolve_place
    from twin.scenario import loads

    try:
        sc = loads(str(text), file=f"{path.name}:scenario", base_dir=_manifest_base_dir(path), kind=kind)
        return sc, Place.load(resolve_place(sc.place, sc.base_dir))
    except (TwinError, OSError):
        return None, None


def load_dir(path: str | os.PathLike[str]) -> Loaded:
    """Read ``results.nc`` (and re-apply the options to the place) or ``projection.nc`` (and ``demand.csv``)."""
    p = Path(path)
    if (p / "results.nc").is_file():
        from twin.analysis._options import stored_options

        from twin.run import load_results

        res = load_results(p)  # checked; the indicators twin run stored are attached (ds.twin.indicators())
        ds = res.dataset.load()
        res.indicators.load()
        res.close()
        scenario, place = _stored_scenario(ds, p, "run")
        return Loaded(p, "results", ds, setup=stored_options(ds), place=place, scenario=scenario)
    if (p / "projection.nc").is_file():
        import pandas as pd

        ds = xr.load_dataset(p / "projection.nc", engine="h5netcdf")
        _, place = _stored_scenario(ds, p, "projection")
        demand = pd.read_csv(p / "demand.csv") if (p / "demand.csv").is_file() else None
        return Loaded(p, "projection", ds, place=place, demand=demand)
    raise OutputError("holds neither results.nc nor projection.nc", field="RESULTS_DIR", value=str(p))


def configured_dirs() -> list[Path]:
    """The results directories given to ``twin dashboard`` (``PLACETWIN_DASHBOARD_RESULTS``)."""
    from twin.dashboard.server import ENV_RESULTS

    return [Path(s) for s in os.environ.get(ENV_RESULTS, "").split(os.pathsep) if s]


def runs_root() -> Path:
    """Where the Run page writes new results (``PLACETWIN_DASHBOARD_RUNS``, default ``./results``)."""
    from twin.dashboard.server import ENV_RUNS

    return Path(os.environ.get(ENV_RUNS) or "results")


def bundled_scenarios() -> dict[str, Path]:
    """Scenario files shipped with the checkout (``scenarios/*.yaml``) that run a model, by name."""
    roots = [Path(__file__).resolve().parents[2] / "scenarios", Path.cwd() / "scenarios"]
    out: dict[str, Path] = {}
    for root in roots:
        for f in sorted(root.glob("*.yaml")) if root.is_dir() else ():
            text = f.read_text(encoding="utf-8", errors="replace")
            if "\nmodel:" in "\n" + text and f.stem not in out:  # projection-only files have no model
                out[f.stem] = f
    return out


def prepare_scenario(text: str, file: str, base_dir: Path | None, *, replicates: int | None = None,
                     pathways: list[str] | None = None) -> Any:
    """Validate scenario YAML with replicates and pathways overridden (the stored text records the overrides)."""
    import yaml

    from twin.errors import ScenarioError
    from twin.scenario import loads

    loads(text, file=file, base_dir=base_dir)  # errors with the user's own line numbers first
    data = yaml.safe_load(text)
    if replicates is not None:
        data["replicates"] = int(replicates)
    if pathways is not None:
        if not pathways:
            raise ScenarioError("choose at least one pathway", field="pathways", value=[])
        data["pathways"] = list(pathways)
    return loads(yaml.safe_dump(data, sort_keys=False), file=file, base_dir=base_dir)

"""Scenario files: one schema, validated before anything runs.

A scenario is a YAML file naming a place, a model and its parameters, climate
pathways, a period, an ensemble size and seed, and the options to compare
(each a list of interventions). It is read with the safe loader and checked
against one pydantic model (``extra="forbid"`` everywhere), so a typo is an error
that names the file, the line, the dotted key, the bad value and what is valid::

    quickstart.yaml:23: options[1].interventions[0].increase: must be less than
    or equal to 0.5 (got 0.8); valid: 0 < value <= 0.5

The schema is built from the registries: the model names from
:mod:`twin.models`, the model's own ``Params`` for ``parameters``, and one
member of a union on ``type`` per registered intervention
(:mod:`twin.interventions`). :func:`json_schema` exports it for editors.

Format (``period`` is ``{start, end}``: ISO dates, both inclusive)::

    name: quickstart                 # letters, digits, _ and -
    description: ...                 # optional
    place: urban_borough             # bundled place, or a path relative to this file
    model: heat_exposure             # a registered model
    parameters: {}                   # checked by the model's Params
    pathways: [baseline, gwl2]       # baseline, gwl1.5, gwl2, gwl3, gwl4; unique
    period: {start: 2030-06-01, end: 2030-08-31}   # at most 50 years
    replicates: 5                    # 1..1000
    seed: 20261125                   # integer >= 0
    climate: {source: generator}     # or a CF NetCDF path relative to this file
    options:                         # the first is the reference ("do nothing")
      - name: do_nothing
        interventions: []
      - name: canopy_hottest
        budget: 2000000              # optional, GBP
        interventions:
          - type: tree_canopy
            increase: 0.15
            target: {top: 5, by: heat_exposure}
    outputs: {daily_by_age: false, plots: true}
"""

from __future__ import annotations

import hashlib
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, create_model, field_validator, model_validator
from pydantic_core import PydanticCustomError

from twin.scenario._errors import convert, first_error, sort_errors
from twin.demography.spec import DemographySpec
from twin.trials.spec import TrialSpec
from twin.scenario._yaml import LineMap, load_with_lines
from twin.errors import ScenarioError

__all__ = [
    "MAX_PERIOD_YEARS",
    "MAX_REPLICATES",
    "MAX_SEED",
    "Climate",
    "Option",
    "Outputs",
    "Period",
    "ProjectionScenario",
    "Scenario",
    "json_schema",
    "load",
    "loads",
    "pathway_names",
    "scenario_kind",
    "scenario_model",
]

MAX_REPLICATES = 1000
#: Largest seed (NumPy's SeedSequence takes any non-negative integer; results and manifests store int64).
MAX_SEED = 2**63 - 1
#: Longest period a scenario may simulate day by day.
MAX_PERIOD_YEARS = 50
#: Years a period may fall in (observed 1991-2020 baselines, warming levels reached this century).
FIRST_YEAR, LAST_YEAR = 1950, 2150
#: Pathways known when twin.climate.pathways / twin.climate cannot be imported (kept equal by a test).
_FALLBACK_PATHWAYS = ("baseline", "gwl1.5", "gwl2", "gwl3", "gwl4")
_NAME = r"^[A-Za-z][A-Za-z0-9_-]*$"


def pathway_names() -> tuple[str, ...]:
    """Names a scenario's ``pathways`` may use (from ``twin.climate.PATHWAYS``)."""
    for module in ("twin.climate.pathways", "twin.climate"):  # twin.climate.pathways is the light home of PATHWAYS
        try:
            return tuple(__import__(module, fromlist=["PATHWAYS"]).PATHWAYS)
        except (ImportError, AttributeError):
            continue
    return _FALLBACK_PATHWAYS


def _no_control(value: str) -> str:
    """A place or file path: no control characters (a NUL would crash the operating system's path calls)."""
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise PydanticCustomError("scenario", "a path or name cannot hold control characters (NUL, tab, newline)",
                                  {"value": value})
    return value


class _Section(BaseModel):
    # strict: a quoted "5" is not silently an integer; floats accept integers
    model_config = ConfigDict(allow_inf_nan=False, extra="forbid", strict=True, frozen=True)


class Period(_Section):
    """Days simulated: ``start`` to ``end``, both inclusive (ISO dates)."""

    start: date = Field(strict=False, description="First day simulated, YYYY-MM-DD.")
    end: date = Field(strict=False, description="Last day simulated (inclusive), YYYY-MM-DD.")

    @model_validator(mode="after")
    def _order(self) -> Period:
        if self.end <= self.start:
            raise PydanticCustomError(
                "scenario", "must be after period.start", {"at": ("end",), "value": self.end, "hint": f"start is {self.start}"}
            )
        for key, day in (("start", self.start), ("end", self.end)):
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise PydanticCustomError(
                    "scenario", "is outside the years the climate pathways and calendars cover",
                    {"at": (key,), "value": day, "hint": f"valid: {FIRST_YEAR}..{LAST_YEAR}"},
                )
        if (self.end - self.start).days > round(MAX_PERIOD_YEARS * 365.25):
            raise PydanticCustomError(
                "scenario", "period is too long", {"at": ("end",), "value": self.end, "hint": f"valid: at most {MAX_PERIOD_YEARS} years"}
            )
        return self

    @property
    def days(self) -> int:
        """Number of days simulated."""
        return (self.end - self.start).days + 1

    def time(self) -> Any:
        """Daily ``pandas.DatetimeIndex`` from start to end inclusive."""
        import pandas as pd

        return pd.date_range(pd.Timestamp(self.start), pd.Timestamp(self.end), freq="D")


class Climate(_Section):
    """Where the daily weather comes from."""

    source: str = Field(
        "generator", min_length=1, description="'generator' (stochastic weather generator) or a CF NetCDF path relative to the scenario."
    )

    @field_validator("source")
    @classmethod
    def _printable(cls, value: str) -> str:
        return _no_control(value)


class Outputs(_Section):
    """What a run writes beyond the standard results."""

    daily_by_age: bool = Field(False, description="Store daily series by age band (larger results.nc).")
    plots: bool = Field(True, description="Write the standard plots.")
    heat_indices: bool = Field(
        True, description="Store each pathway's heat indices (xclim's definitions: hot days, heat waves, tropical nights) in results.nc."
    )


class Option(_Section):
    """One adaptation option: a named list of interventions applied in order."""

    name: str = Field(pattern=_NAME, max_length=64, description="Short name used in results and plots.")
    description: str = ""
    budget: float | None = Field(None, ge=0, description="Budget in GBP (optional; reported against the option's cost).")
    interventions: list[Any] = Field(default_factory=list, description="Interventions, applied in order.")


class Scenario(_Section):
    """A validated scenario. Build it with :func:`load` or :func:`loads`.

    Besides the fields of the file it keeps ``path``, ``base_dir`` (resolve
    relative ``place`` and ``climate.source`` paths against it), ``text`` (the raw
    file) and ``sha256`` (of the text), which go into every result's provenance.
    """

    name: str = Field(pattern=_NAME, max_length=64, description="Scenario name.")
    description: str = ""
    place: str = Field(min_length=1, description="Bundled place name, or a place directory relative to the scenario file.")
    model: str = Field(description="Registered model name.")
    parameters: dict[str, Any] = Field(default_factory=dict, description="Model parameters, checked by the model's Params.")
    pathways: list[str] = Field(min_length=1, description="Climate pathways (global warming levels); unique.")
    period: Period
    replicates: int = Field(ge=1, le=MAX_REPLICATES, description="Ensemble members per option and pathway.")
    seed: int = Field(ge=0, le=MAX_SEED, description="Seed of every random stream of the scenario.")
    climate: Climate = Field(default_factory=Climate)
    options: list[Option] = Field(min_length=1, description="Options to compare; the first is the reference.")
    outputs: Outputs = Field(default_factory=Outputs)
    demography: DemographySpec | None = Field(
        None,
        description="Run the resident model on a projected population: `year` (with a base-year twin run for the "
        "climate/demographic decomposition), or follow each calendar year of the period (residents age each year).",
    )
    trial: TrialSpec | None = Field(
        None, description="A field trial to simulate with `twin trial`: design, clusters, periods, outcome, intervention, power."
    )
    # Optional top-level sections go here, each a _Section with its own defaults:
    # add the field, and json_schema() and the error messages pick it up.

    _path: Path | None = PrivateAttr(None)
    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _text: str = PrivateAttr("")
    _sha256: str = PrivateAttr("")
    _model_params: Any = PrivateAttr(None)

    @field_validator("place")
    @classmethod
    def _place_printable(cls, value: str) -> str:
        return _no_control(value)

    @field_validator("pathways")
    @classmethod
    def _unique_pathways(cls, value: list[str]) -> list[str]:
        for i, p in enumerate(value):
            if p in value[:i]:
                raise PydanticCustomError("scenario", "pathway listed twice", {"at": (i,), "value": p})
        return value

    @model_validator(mode="after")
    def _unique_options(self) -> Scenario:
        seen: set[str] = set()
        for i, opt in enumerate(self.options):
            if opt.name in seen:
                raise PydanticCustomError(
                    "scenario", "duplicate option name", {"at": ("options", i, "name"), "value": opt.name, "hint": "option names must be unique"}
                )
            seen.add(opt.name)
        return self

    @property
    def path(self) -> Path | None:
        """The scenario file, or ``None`` for text given to :func:`loads`."""
        return self._path

    @property
    def base_dir(self) -> Path:
        """Directory relative paths in the scenario are resolved against."""
        return self._base_dir

    @property
    def text(self) -> str:
        """The scenario's raw YAML text."""
        return self._text

    @property
    def sha256(self) -> str:
        """SHA-256 (hex) of :attr:`text` encoded as UTF-8."""
        return self._sha256

    @property
    def model_params(self) -> BaseModel:
        """``parameters`` validated by the model's ``Params`` (defaults filled in)."""
        return self._model_params

    @property
    def reference(self) -> Option:
        """The first option, against which the others are compared."""
        return self.options[0]

    @property
    def climate_path(self) -> Path | None:
        """The climate file, resolved against :attr:`base_dir`; ``None`` for the generator."""
        if self.climate.source == "generator":
            return None
        return (self.base_dir / self.climate.source).resolve()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # The class is built from the registries at run time, so it cannot be pickled by
        # reference; a scenario is its text, so worker processes re-validate the text.
        return _restore, (self._text, self._path, self._base_dir)

    def option(self, name: str) -> Option:
        """The option called ``name`` (KeyError if none)."""
        for opt in self.options:
            if opt.name == name:
                return opt
        raise KeyError(name)


class ProjectionScenario(_Section):
    """A projection-only scenario for ``twin project``: a place and a ``demography:`` section.

    No model, pathways, period or options: the cohort-component projection is
    deterministic array arithmetic. Keeps the same provenance attributes as
    :class:`Scenario` (``path``, ``base_dir``, ``text``, ``sha256``).
    """

    name: str = Field(pattern=_NAME, max_length=64, description="Scenario name.")
    description: str = ""
    place: str = Field(min_length=1, description="Bundled place name, or a place directory relative to the scenario file.")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Recorded for provenance (the projection itself is deterministic).")
    demography: DemographySpec = Field(description="Base year, horizon, variants, rates, migration, service use.")
    outputs: Outputs = Field(default_factory=Outputs)

    _path: Path | None = PrivateAttr(None)
    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _text: str = PrivateAttr("")
    _sha256: str = PrivateAttr("")

    _place_printable = field_validator("place")(classmethod(lambda cls, v: _no_control(v)))

    path = Scenario.path
    base_dir = Scenario.base_dir
    text = Scenario.text
    sha256 = Scenario.sha256


def _restore(text: str, path: Path | None, base_dir: Path) -> Scenario:
    scenario = loads(text, file="<string>" if path is None else str(path), base_dir=base_dir)
    scenario._path = path
    return scenario


def scenario_model() -> type[Scenario]:
    """The Scenario model with the registries' current names and interventions filled in."""
    from twin.interventions import names
    from twin.models import model_names

    return _build(names(), model_names(), pathway_names())


@cache
def _build(interventions: tuple[str, ...], models: tuple[str, ...], pathways: tuple[str, ...]) -> type[Scenario]:
    from twin.interventions import intervention_union

    option = create_model(
        "OptionSpec",
        __base__=Option,
        __module__=__name__,
        __doc__=Option.__doc__,
        interventions=(list[intervention_union()], Field(default_factory=list, description="Interventions, applied in order.")),
    )
    return create_model(
        "ScenarioSpec",
        __base__=Scenario,
        __module__=__name__,
        __doc__=Scenario.__doc__,
        model=(Literal[models], Field(description="Registered model name.")),
        pathways=(list[Literal[pathways]], Field(min_length=1, description="Climate pathways (global warming levels); unique.")),
        options=(list[option], Field(min_length=1, description="Options to compare; the first is the reference.")),
    )


def __getattr__(attr: str) -> Any:
    # ScenarioSpec / OptionSpec: built from the registries on first use (also when unpickling)
    if attr == "ScenarioSpec":
        return scenario_model()
    if attr == "OptionSpec":
        return scenario_model().model_fields["options"].annotation.__args__[0]
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")


def scenario_kind(path: str | Path) -> Literal["run", "projection"]:
    """``"projection"`` for a file with a ``demography:`` section and no ``model:`` (``twin project``), else ``"run"``."""
    from twin.errors import TwinError
    from twin.scenario._yaml import read_yaml

    try:
        _, data, _ = read_yaml(path)
    except TwinError:
        return "run"  # `load` reports the problem with its file and line
    if isinstance(data, dict) and "demography" in data and "model" not in data:
        return "projection"
    return "run"


def load(path: str | Path, *, kind: Literal["run", "projection"] = "run") -> Any:
    """Read and validate a scenario file (``kind="projection"`` for ``twin project`` files).

    Raises
    ------
    ScenarioError
        If the file cannot be read, is not valid YAML, or fails validation. The
        message is one line, ``FILE:LINE: dotted.key: what is wrong (got VALUE);
        valid: ...``; all problems found are on the error's ``errors`` attribute.
    """
    from twin._files import read_text
    from twin.scenario._yaml import MAX_YAML_BYTES

    path = Path(path)
    text = read_text(path, limit=MAX_YAML_BYTES, what="scenario file", error=ScenarioError)
    scenario = loads(text, file=str(path), base_dir=path.resolve().parent, kind=kind)
    scenario._path = path
    return scenario


def loads(
    text: str, file: str = "<string>", base_dir: str | Path | None = None, *, kind: Literal["run", "projection"] = "run"
) -> Any:
    """Validate scenario YAML given as text; ``file`` names it in errors.

    ``base_dir`` (default: the current directory) is where relative paths are resolved.
    ``kind="projection"`` validates a :class:`ProjectionScenario` (``twin project``).
    """
    data, lines = load_with_lines(text, file)
    if data is None:
        raise ScenarioError("file is empty; a scenario needs at least name, place, model, pathways, period, replicates, seed, options", file=file, line=1)
    if not isinstance(data, dict):
        raise ScenarioError(
            "the top level must be a mapping of keys (name:, place:, model:, ...)", file=file, line=lines.line_of(()), value=data
        )
    if kind == "projection":
        return _loads_projection(text, data, lines, file, base_dir)
    model = scenario_model()
    errors: list[ScenarioError] = []
    scenario = None
    try:
        scenario = model.model_validate(data)
    except ValidationError as exc:
        errors = convert(exc, model, data, lines, file)
    params = _model_params(data, lines, file, errors)
    if errors:
        raise first_error(errors)
    assert scenario is not None
    scenario._base_dir = Path.cwd() if base_dir is None else Path(base_dir)
    _check_climate_file(scenario, lines, file)
    scenario._text = text
    scenario._sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    scenario._model_params = params
    return scenario


def _loads_projection(text: str, data: dict, lines: LineMap, file: str, base_dir: str | Path | None) -> ProjectionScenario:
    try:
        scenario = ProjectionScenario.model_validate(data)
    except ValidationError as exc:
        raise first_error(convert(exc, ProjectionScenario, data, lines, file)) from None
    scenario._base_dir = Path.cwd() if base_dir is None else Path(base_dir)
    scenario._text = text
    scenario._sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return scenario


def _model_params(data: dict, lines: LineMap, file: str, errors: list[ScenarioError]) -> Any:
    from twin.models import get_model, model_names

    name, parameters = data.get("model"), data.get("parameters", {})
    if not isinstance(name, str) or name not in model_names() or not isinstance(parameters, dict):
        return None  # reported by the main validation
    Params = get_model(name).Params
    try:
        return Params.model_validate(parameters)
    except ValidationError as exc:
        errors[:] = sort_errors(errors + convert(exc, Params, parameters, lines, file, prefix=("parameters",)))
        return None


def _check_climate_file(scenario: Scenario, lines: LineMap, file: str) -> None:
    path = scenario.climate_path
    if path is not None and path.exists() and not path.is_file():
        raise ScenarioError(
            "climate file is not a regular file (a directory, FIFO or device)",
            file=file, line=lines.line_of(("climate", "source")), field="climate.source", value=scenario.climate.source,
        )
    if path is not None and not path.is_file():
        raise ScenarioError(
            "climate file not found",
            file=file,
            line=lines.line_of(("climate", "source")),
            field="climate.source",
            value=scenario.climate.source,
            hint=f"looked in {scenario.base_dir}; valid: generator, or a CF NetCDF file path relative to the scenario",
        )


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of scenario files, for ``twin schema`` and editors.

    ``parameters`` is constrained per model with ``if model == X then parameters: X.Params``.
    """
    from twin.models import get_model, model_names

    schema = scenario_model().model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": "placetwin scenario"}
    defs = schema.setdefault("$defs", {})
    rules = []
    for name in model_names():
        params = get_model(name).Params
        sub = params.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(sub.pop("$defs", {}))
        defs[params.__name__] = sub
        rules.append(
            {
                "if": {"properties": {"model": {"const": name}}, "required": ["model"]},
                "then": {"properties": {"parameters": {"$ref": f"#/$defs/{params.__name__}"}}},
            }
        )
    if rules:
        schema["allOf"] = rules
    return schema

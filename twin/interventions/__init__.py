"""Adaptation interventions: a registry of pure transforms of a Place, each with a cost.

An intervention is one file in this package. It subclasses :class:`Intervention`,
declares its ``name`` and a pydantic ``Params`` class, and registers itself with
:func:`register`. The scenario schema, ``twin schema`` and the tests are built
from the registry, so adding the file is all it takes to offer a new option.

``apply(place, params, zones)`` must be pure: it returns ``place.replace(grid=...)``
with a new grid and never changes the place it was given.
``cost(place, params, zones)`` prices the same change on the place *before* it.

Examples
--------
>>> from twin.interventions import names
>>> names()
('cool_roofs', 'tree_canopy')
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from twin.errors import InterventionError
from twin.interventions.targeting import Target, select_zones

__all__ = [
    "REGISTRY",
    "Cost",
    "Intervention",
    "InterventionParams",
    "apply_option",
    "get",
    "intervention_union",
    "names",
    "register",
    "spec_model",
    "total_cost",
]

#: name -> registered intervention (an instance of an :class:`Intervention` subclass).
REGISTRY: dict[str, Intervention] = {}

# modules of this package that are not interventions
_NOT_INTERVENTIONS = {"targeting"}


@dataclass(frozen=True)
class Cost:
    """What an intervention costs, in GBP at ``price_base_year`` prices.

    Attributes
    ----------
    capital
        Up-front cost (GBP), including establishment where the source prices it in.
    annual
        Recurring cost (GBP per year) over the lifetime.
    lifetime_years
        Years before the measure must be renewed.
    price_base_year
        Year of the prices.
    source
        Where the unit costs come from (docs/sources.md citation, or "assumption (L)").
    intervention
        Name of the intervention priced.
    notes
        Human-readable quantities ("1,234 trees, 3.7 ha of canopy").
    quantities
        The same quantities as numbers, e.g. ``{"trees": 1234, "canopy_m2": 37020}``.
    """

    capital: float
    annual: float
    lifetime_years: float
    price_base_year: int
    source: str
    intervention: str = ""
    notes: str = ""
    quantities: Mapping[str, float] = field(default_factory=dict)

    def __add__(self, other: Cost) -> Cost:
        """Total of two costs (same price base year).

        Capital and annual costs add up. The lifetime of a package is its
        shortest-lived part's (the package needs renewing when that part does);
        appraisal that needs per-part lifetimes should keep the list instead.
        """
        if not isinstance(other, Cost):
            return NotImplemented
        if other.price_base_year != self.price_base_year:
            raise InterventionError(
                "cannot add costs at different price base years; deflate one first",
                field="price_base_year",
                value=(self.price_base_year, other.price_base_year),
            )
        qty = dict(self.quantities)
        for k, v in other.quantities.items():
            qty[k] = qty.get(k, 0.0) + v
        return Cost(
            capital=self.capital + other.capital,
            annual=self.annual + other.annual,
            lifetime_years=min(self.lifetime_years, other.lifetime_years),
            price_base_year=self.price_base_year,
            source="; ".join(dict.fromkeys(s for s in (self.source, other.source) if s)),
            intervention=" + ".join(s for s in (self.intervention, other.intervention) if s),
            notes="; ".join(s for s in (self.notes, other.notes) if s),
            quantities=qty,
        )

    def __radd__(self, other: Any) -> Cost:
        if other == 0:  # sum() starts from 0
            return self
        return NotImplemented


def total_cost(costs: Iterable[Cost]) -> Cost | None:
    """Sum of ``costs`` (see :meth:`Cost.__add__`); ``None`` for an empty list."""
    costs = list(costs)
    return sum(costs[1:], costs[0]) if costs else None


class InterventionParams(BaseModel):
    """Base of every intervention's ``Params``: unknown keys are errors, no type coercion."""

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid", strict=True, frozen=True)


class Intervention:
    """Base class of adaptation interventions.

    Subclasses set ``name`` and ``Params`` and implement :meth:`apply` and
    :meth:`cost`; ``zones`` are the zone codes chosen by the scenario's target.
    ``resident_targeting`` is True for interventions that add services, which an individually
    randomised trial can restrict to its treated residents (:mod:`twin.trials.individual`).
    """

    name: ClassVar[str]
    Params: ClassVar[type[InterventionParams]]
    description: ClassVar[str] = ""
    #: Smallest valid parameters, for docs, ``twin schema`` examples and the per-entry tests.
    example: ClassVar[dict[str, Any]] = {}
    #: adds services that an individually randomised trial can restrict to its treated residents
    resident_targeting: ClassVar[bool] = False

    def apply(self, place: Any, params: InterventionParams, zones: tuple[str, ...]) -> Any:
        """Return a new Place with the intervention applied in ``zones`` (pure)."""
        raise NotImplementedError

    def cost(self, place: Any, params: InterventionParams, zones: tuple[str, ...]) -> Cost:
        """Cost of applying the intervention to ``place`` in ``zones``."""
        raise NotImplementedError


def register(cls: type[Intervention]) -> type[Intervention]:
    """Class decorator: add an :class:`Intervention` subclass to :data:`REGISTRY` under its ``name``."""
    if not (isinstance(cls, type) and issubclass(cls, Intervention)):
        raise TypeError(f"@register expects an Intervention subclass, got {cls!r}")
    if not issubclass(cls.Params, InterventionParams):
        raise TypeError(f"{cls.__name__}.Params must subclass InterventionParams")
    reserved = {"type", "target"} & set(cls.Params.model_fields)
    if reserved:
        raise TypeError(f"{cls.__name__}.Params may not define {sorted(reserved)}: they are common to all interventions")
    REGISTRY[cls.name] = cls()
    return cls


@cache
def _load_all() -> None:
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_") and info.name not in _NOT_INTERVENTIONS:
            importlib.import_module(f"{__name__}.{info.name}")


def names() -> tuple[str, ...]:
    """Registered intervention names, sorted."""
    _load_all()
    return tuple(sorted(REGISTRY))


def get(name: str) -> Intervention:
    """The registered intervention called ``name``.

    Raises
    ------
    InterventionError
        If ``name`` is not registered (the message lists the known ones).
    """
    _load_all()
    try:
        return REGISTRY[name]
    except KeyError:
        raise InterventionError(
            "unknown intervention type", field="type", value=name, hint="valid: " + ", ".join(names())
        ) from None


@cache
def spec_model(name: str) -> type[InterventionParams]:
    """Pydantic model of one intervention as written in a scenario: its Params + ``type`` + ``target``."""
    entry = get(name)
    return create_model(
        f"{type(entry).__name__}Spec",
        __base__=entry.Params,
        __module__=__name__,  # pickled by reference: found again through this module's __getattr__
        __doc__=(type(entry).__doc__ or entry.description or name).strip().splitlines()[0],
        type=(Literal[name], Field(description="Intervention type.")),
        target=(
            Target,
            Field("all", description="Where it applies: all, {zones: [...]}, {top: N, by: indicator}, {class: urban|rural}."),
        ),
    )


def __getattr__(attr: str) -> Any:
    # `TreeCanopySpec` etc.: the spec models are built on first use, also when unpickling
    if attr.endswith("Spec"):
        _load_all()
        for name, entry in REGISTRY.items():
            if f"{type(entry).__name__}Spec" == attr:
                return spec_model(name)
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")


def intervention_union() -> Any:
    """Discriminated union (on ``type``) of every registered intervention's spec model."""
    specs = tuple(spec_model(n) for n in names())
    if len(specs) == 1:
        return specs[0]
    return Annotated[Union[specs], Field(discriminator="type")]  # noqa: UP007 - runtime tuple of types


def apply_option(place: Any, interventions: Iterable[Any]) -> tuple[Any, list[Cost]]:
    """Apply an option's interventions to a place, in order.

    Parameters
    ----------
    place
        The place as it is (not changed).
    interventions
        Intervention specs as validated by the scenario (``spec_model`` instances),
        or plain dicts such as ``{"type": "tree_canopy", "increase": 0.1}``.

    Returns
    -------
    place, costs
        The transformed place, and one :class:`Cost` per intervention.

    Notes
    -----
    Every target is chosen on the place as given, before any intervention of the
    option is applied; the transforms are then applied one after another, each
    priced on the place it changes.
    """
    specs = [_as_spec(s) for s in interventions]
    chosen = [select_zones(place, s.target) for s in specs]
    costs: list[Cost] = []
    for spec, zones in zip(specs, chosen, strict=True):
        entry = get(spec.type)
        costs.append(entry.cost(place, spec, zones))
        place = entry.apply(place, spec, zones)
    return place, costs


def _as_spec(spec: Any) -> Any:
    if isinstance(spec, InterventionParams) and hasattr(spec, "type"):
        return spec
    if isinstance(spec, Mapping) and spec.get("type") is not None:
        from pydantic import ValidationError

        model = spec_model(get(spec["type"]).name)
        try:
            return model.model_validate(dict(spec))
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InterventionError(
                err["msg"], field=".".join(map(str, err["loc"])), value=err.get("input"), hint=f"intervention {spec['type']!r}"
            ) from None
    raise InterventionError("an intervention needs a 'type'", field="type", value=spec, hint="valid: " + ", ".join(names()))

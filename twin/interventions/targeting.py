"""Which zones an intervention goes to.

A scenario says where an intervention applies with a ``target``:

``all``
    every zone of the place (the default);
``{zones: [Z01, Z07]}``
    the listed zone codes;
``{top: 5, by: heat_exposure}``
    the ``top`` zones ranked by an indicator (see :data:`INDICATORS`);
``{class: urban}``
    every zone of one urban/rural class.

Targets are chosen on the place as given to the option, before any of the
option's interventions is applied, so the order of interventions in an option
never changes which zones they reach.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from twin.errors import InterventionError

__all__ = [
    "INDICATORS",
    "ClassTarget",
    "Target",
    "TopTarget",
    "ZonesTarget",
    "cell_area_m2",
    "select_zones",
    "zone_indicator",
    "zone_mask",
]

#: Indicators a ``{top: N, by: ...}`` target can rank zones by, highest need first.
INDICATORS: dict[str, str] = {
    "heat_exposure": "population-weighted mean local daily-maximum offset (degC), hottest first",
    "deprivation": "deprivation decile, most deprived (decile 1) first",
    "share_75plus": "share of residents aged 75 and over, highest first",
    "density": "residents per km2 of zone area, densest first",
}

_TARGET_HINT = (
    "valid: all, {zones: [codes]}, {top: N, by: " + "|".join(INDICATORS) + "}, {class: urban|rural}"
)


class _Strict(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False, extra="forbid", strict=True, frozen=True)


class ZonesTarget(_Strict):
    """The listed zones, by code."""

    zones: list[str] = Field(min_length=1, description="Zone codes, e.g. [Z01, Z07] or ONS ward codes.")


class TopTarget(_Strict):
    """The ``top`` zones ranked by an indicator, highest need first (ties: zone order)."""

    top: int = Field(ge=1, description="How many zones.")
    by: Literal[tuple(INDICATORS)] = Field(  # type: ignore[valid-type]
        description="; ".join(f"{k}: {v}" for k, v in INDICATORS.items())
    )


class ClassTarget(_Strict):
    """Every zone of one urban/rural class (``class`` is the YAML key)."""

    model_config = ConfigDict(populate_by_name=True)

    class_: Literal["urban", "rural"] = Field(alias="class", description="urban or rural")


def _target_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "all"
    if isinstance(value, BaseModel):
        return {ZonesTarget: "zones", TopTarget: "top", ClassTarget: "class"}.get(type(value))
    if isinstance(value, dict):
        for key, tag in (("zones", "zones"), ("top", "top"), ("by", "top"), ("class", "class")):
            if key in value:
                return tag
    return None


#: A target spec: ``"all"``, :class:`ZonesTarget`, :class:`TopTarget` or :class:`ClassTarget`.
Target = Annotated[
    Annotated[Literal["all"], Tag("all")]
    | Annotated[ZonesTarget, Tag("zones")]
    | Annotated[TopTarget, Tag("top")]
    | Annotated[ClassTarget, Tag("class")],
    Discriminator(
        _target_kind,
        custom_error_type="target_form",
        custom_error_message="is not a valid target",
        custom_error_context={"hint": _TARGET_HINT},
    ),
]


def select_zones(place: Any, target: Any, rng: np.random.Generator | None = None) -> tuple[str, ...]:
    """Zone codes a target selects, in the place's zone order (``zones`` lists keep their order).

    Parameters
    ----------
    place
        A :class:`twin.place.Place`.
    target
        ``"all"``, a target model, or a plain dict in one of the module's forms.
    rng
        Unused; reserved for random allocation targets (field trials). Ranking ties
        are broken by zone order, so selection is deterministic.

    Raises
    ------
    InterventionError
        For an unknown zone code, a ``top`` larger than the number of zones, or a
        target in none of the valid forms.
    """
    del rng
    target = _coerce(target)
    codes = tuple(place.zone_codes)
    if target == "all":
        return codes
    if isinstance(target, ZonesTarget):
        known = set(codes)
        for code in target.zones:
            if code not in known:
                raise InterventionError(
                    f"zone code not in place {place.name!r}",
                    field="target.zones",
                    value=code,
                    hint=f"valid: {_list(codes)}",
                )
        return tuple(dict.fromkeys(target.zones))
    if isinstance(target, ClassTarget):
        return tuple(z.code for z in place.zones if z.urban_rural == target.class_)
    if target.top > len(codes):
        raise InterventionError(
            f"asks for more zones than place {place.name!r} has",
            field="target.top",
            value=target.top,
            hint=f"valid: 1..{len(codes)}",
        )
    score = zone_indicator(place, target.by)
    order = np.argsort(-score, kind="stable")[: target.top]
    return tuple(codes[i] for i in sorted(order))


def zone_indicator(place: Any, name: str) -> np.ndarray:
    """One value per zone (place zone order) of a targeting indicator; higher = higher need.

    ``deprivation`` is returned as ``11 - decile`` so that decile 1 ranks first.
    """
    n = len(place.zones)
    if name == "deprivation":
        return np.array([11 - z.deprivation_decile for z in place.zones], dtype=float)
    if name == "share_75plus":
        counts = np.asarray(place.counts)  # (zone, sex, age), ages 0..90+
        total = counts.sum(axis=(1, 2)).astype(float)
        old = counts[:, :, 75:].sum(axis=(1, 2)).astype(float)
        return np.divide(old, total, out=np.zeros(n), where=total > 0)
    if name == "density":
        pop = np.asarray(place.counts).sum(axis=(1, 2)).astype(float)
        area_km2 = np.array([z.geometry.area for z in place.zones], dtype=float) / 1e6
        return np.divide(pop, area_km2, out=np.zeros(n), where=area_km2 > 0)
    if name == "heat_exposure":
        offset = _tasmax_offset(place.layers)
        weights = np.asarray(place.layers["residents"], dtype=float)
        return _weighted_zonal_mean(offset, weights, np.asarray(place.zone_index), n)
    raise InterventionError("unknown targeting indicator", field="target.by", value=name, hint=f"valid: {_list(INDICATORS)}")


def _tasmax_offset(grid: Any) -> np.ndarray:
    """Local offset of daily Tmax (degC) of each cell, as the climate stage computes it (:func:`twin.climate.modulation.offsets`)."""
    from twin.climate.modulation import offsets

    return offsets(grid)[0]


def _weighted_zonal_mean(values: np.ndarray, weights: np.ndarray, zone_index: np.ndarray, n: int) -> np.ndarray:
    """Residents-weighted mean per zone; unweighted where a zone has no residents."""
    inside = zone_index >= 0
    idx = zone_index[inside]
    v = values[inside]
    w = weights[inside]
    wsum = np.bincount(idx, weights=w, minlength=n)
    wmean = np.bincount(idx, weights=w * v, minlength=n)
    count = np.bincount(idx, minlength=n).astype(float)
    plain = np.bincount(idx, weights=v, minlength=n)
    out = np.divide(plain, count, out=np.full(n, -np.inf), where=count > 0)
    return np.divide(wmean, wsum, out=out, where=wsum > 0)


def zone_mask(place: Any, zones: tuple[str, ...] | list[str]) -> np.ndarray:
    """Boolean ``(y, x)`` mask of the cells inside any of ``zones``."""
    position = {code: i for i, code in enumerate(place.zone_codes)}
    missing = [z for z in zones if z not in position]
    if missing:
        raise InterventionError(
            f"zone code not in place {place.name!r}", field="zones", value=missing[0], hint=f"valid: {_list(position)}"
        )
    return np.isin(np.asarray(place.zone_index), [position[z] for z in zones])


def cell_area_m2(grid: Any, meta: dict | None = None) -> float:
    """Area of one grid cell in m², from the cell-centre spacing (or ``meta['cell_size']``)."""
    x = np.asarray(grid["x"], dtype=float)
    y = np.asarray(grid["y"], dtype=float)
    if x.size > 1 and y.size > 1:
        return float(abs(x[1] - x[0]) * abs(y[1] - y[0]))
    if meta and "cell_size" in meta:
        return float(meta["cell_size"]) ** 2
    raise InterventionError("cannot tell the grid cell size", field="cell_size", hint="give place.yaml a cell_size (m)")


def _coerce(target: Any) -> Any:
    if isinstance(target, (ZonesTarget, TopTarget, ClassTarget)) or target == "all":
        return target
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(Target).validate_python(target)
    except ValidationError as exc:
        raise InterventionError("is not a valid target", field="target", value=target, hint=_TARGET_HINT) from exc


def _list(items: Any, limit: int = 12) -> str:
    items = list(items)
    text = ", ".join(map(str, items[:limit]))
    return text + (f", ... ({len(items)} in all)" if len(items) > limit else "")

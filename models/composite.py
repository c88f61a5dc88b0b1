"""Several hazards in one run: a composite of registered models (e.g. ``heat_and_flood``).

A composite is registered like any model (``models/params.py``: :func:`twin.models.register_composite`)
and keeps the model contract of :mod:`twin.models.base`, so the run engine needs no special case:
for each (option, pathway, replicate) it builds the composite, which builds and steps each of its
parts on the same place (after the option's interventions), the same residents and the same
streams, and merges their records into one dataset, hence one ``results.nc`` whose appraisal counts
every part's registered benefits (heat deaths and illness averted, avoided flood EAD) together.

Sharing, and what it guarantees
-------------------------------
* Residents are drawn once per replicate by the first part (its ``make_residents``); every part
  reads the base columns (age, sex, zone, home cell), which every resident model draws first
  from the population stream, so each part sees the residents it would have drawn alone.
* Each part gets its own drivers (:meth:`CompositeModel.make_drivers`: daily weather for heat,
  design storms for flood) and the run's :class:`~twin.run.streams.RunStreams`; streams are
  derived, never consumed in sequence, so each part's records are bit for bit those of the same
  part run alone with the same seed (tested in ``tests/test_combined.py``).
* Parameters are one section per part: ``parameters: {heat_health: {...}, flood: {...}}``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import xarray as xr
from twin.models.base import TwinModel

__all__ = ["CompositeDrivers", "CompositeModel", "composite_class"]


@dataclass(frozen=True)
class CompositeDrivers:
    """The drivers of each part of a composite run (in the parts' order) and the run's days."""

    time: Any
    parts: tuple[Any, ...]

    @property
    def weather(self) -> Any:
        """The daily weather of the first part that has one (kept beside the records by the engine)."""
        for d in self.parts:
            w = getattr(d, "weather", None)
            if w is not None:
                return w
        return None

    @property
    def offsets(self) -> Any:
        return next((d.offsets for d in self.parts if hasattr(d, "offsets")), None)

    def isel_time(self, days: slice) -> CompositeDrivers:
        """The drivers of a span of the run's days (a projected year's segment, a trial span)."""
        from twin.climate import ClimateDrivers

        parts = []
        for d in self.parts:
            if hasattr(d, "isel_time"):
                parts.append(d.isel_time(days))
            elif getattr(d, "weather", None) is not None:
                parts.append(ClimateDrivers(d.weather.isel(time=days), d.offsets))
            else:
                parts.append(replace(d, time=d.time[days]))
        return CompositeDrivers(self.time[days], tuple(parts))


class CompositeModel(TwinModel):
    """Steps each part model day by day and merges their records (see the module notes)."""

    #: registered names of the parts, in order (set by :func:`composite_class`)
    part_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, place: Any, drivers: CompositeDrivers, residents: Any, params: Any, *,
                 streams: Any, outputs: Any = None) -> None:
        super().__init__(place, drivers, residents, params, streams=streams, outputs=outputs)
        self.parts = [cls(place, d, residents, getattr(params, name), streams=streams, outputs=outputs)
                      for name, cls, d in zip(self.part_names, self._classes(), drivers.parts, strict=True)]

    @classmethod
    def _classes(cls) -> list[type]:
        from twin.models import get_model

        return [get_model(name).load() for name in cls.part_names]

    @classmethod
    def make_residents(cls, place: Any, params: Any, rng: Any) -> Any:
        """The first part's residents (the others read their base columns)."""
        return cls._classes()[0].make_residents(place, getattr(params, cls.part_names[0]), rng)

    @classmethod
    def make_drivers(cls, place: Any, pathway: str, time: Any, streams: Any, *, source: Any = None,
                     params: Any = None) -> CompositeDrivers:
        """Each part's drivers on ``pathway`` (each draws from its own streams)."""
        parts = tuple(model.make_drivers(place, pathway, time, streams, source=source,
                                         params=None if params is None else getattr(params, name))
                      for name, model in zip(cls.part_names, cls._classes(), strict=True))
        return CompositeDrivers(time, parts)

    def step_day(self, t: int) -> None:
        for part in self.parts:
            part.step()   # Mesa's step: each part keeps its own day and clock

    def to_dataset(self) -> xr.Dataset:
        """The parts' records in one dataset (shared coordinates: zone, time; each part's own dims)."""
        sets = [part.to_dataset() for part in self.parts]
        clash = {v for i, a in enumerate(sets) for b in sets[i + 1:] for v in a.data_vars if v in b.data_vars}
        if clash:  # pragma: no cover - a registration error, caught by the composite's tests
            raise ValueError(f"parts of {self.model_name!r} record the same variable(s): {sorted(clash)}")
        ds = xr.merge(sets, compat="no_conflicts", join="exact", combine_attrs="drop_conflicts")
        ds.attrs["models"] = ", ".join(self.part_names)
        return ds


_CLASSES: dict[str, type] = {}


def composite_class(name: str, parts: tuple[str, ...]) -> type:
    """The :class:`CompositeModel` subclass of the composite ``name`` made of ``parts``."""
    cls = _CLASSES.get(name)
    if cls is None:
        cls = type(f"Composite_{name}", (CompositeModel,), {"part_names": tuple(parts), "__module__": __name__})
        _CLASSES[name] = cls
    return cls


def __getattr__(attr: str) -> type:
    """``twin.models.composite:<name>`` (a registry target) is the class of that registered composite."""
    from twin.models import get_model

    try:
        entry = get_model(attr)
    except KeyError:
        raise AttributeError(attr) from None
    return composite_class(attr, entry.parts)

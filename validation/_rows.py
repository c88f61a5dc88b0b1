"""One validation figure: published value and interval, modelled value, and how it was used."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Row"]


@dataclass
class Row:
    """A figure of docs/validation.md.

    ``use`` is "calibrated" (the model was tuned to it, so agreement is by construction) or
    "held out" (out-of-sample evidence: the ones that count) or "input" (a published parameter
    used directly, checked as it emerges from the whole model).
    """

    group: str
    figure: str
    published: float
    low: float
    high: float
    modelled: float
    units: str
    source: str
    use: str
    note: str = ""

    @property
    def within(self) -> bool:
        return self.low <= self.modelled <= self.high

    def fmt(self, v: float) -> str:
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}" if abs(v) < 1 else f"{v:.2f}"

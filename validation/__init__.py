"""Validation suite: modelled against published figures, calibrated-on and held-out.

``python -m validation`` runs every script, prints observed vs modelled and regenerates
``docs/validation.md``. Each module has ``figures(quick=False) -> list[Row]``.
"""

from validation._rows import Row

__all__ = ["Row"]

"""The uncertain inputs of a flood run, drawn once per replicate so EAD intervals mean something.

The hydraulics are deterministic given the design storms, so without this every replicate of a
flood run gives the same EAD and its interval is a point. Each replicate instead draws, from its
own stream (``flood_inputs`` in :mod:`twin.run.streams`), one value of each uncertain input,
uniformly within ``central x (1 ± spread)``; the draws are the same for every option and pathway
of a replicate (common random numbers: options differ only by what they change, pathways only by
the climate), and the same seed gives the same draws. Ranges (docs/sources.md, "Flooding"):

``design_depth``  ± 20 % on every design depth of the DDF (L: the parametric DDF stands in for
    an FEH estimate a council would buy per point; replace with its confidence interval);
``uplift_per_degC``  ± 50 % about 10 % per degC, i.e. 5-15 % per degC (Kendon, Fischer & Short,
    Nat Commun 2023; S/H);
``value_per_dwelling``  ± 6.3 %: the Green Book's £37-42k damage per flooded home above 1.2 m
    about its midpoint (HM Treasury Green Book Annex A2; D);
``value_per_business``  ± 20 %: £75-112k per flooded business about its midpoint (EA, The costs
    of the summer 2007 floods, 2010; D).

The interval across replicates therefore covers these four inputs and the order of welfare
contacts; it does not cover the terrain, the losses, the river's design flows or the depth-damage
curves' shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["SampledInputs", "sample_inputs"]


@dataclass(frozen=True)
class SampledInputs:
    """One replicate's values of the uncertain inputs (central values when sampling is off)."""

    design_depth_factor: float
    uplift_per_degC: float
    value_per_dwelling_gbp: float
    value_per_business_gbp: float


def sample_inputs(params: Any, rng: np.random.Generator | None) -> SampledInputs:
    """Draw the uncertain inputs of ``params`` (:class:`twin.flood.params.FloodModelParams`).

    ``rng`` is the replicate's ``flood_inputs`` stream; ``None`` or ``uncertainty.sample: false``
    gives the central values. Four uniforms are drawn in a fixed order whatever the spreads, so
    changing one spread moves no other input's draw.
    """
    u = params.uncertainty
    central = SampledInputs(1.0, params.rainfall.uplift_per_degC, params.damage.value_per_dwelling_gbp,
                            params.damage.value_per_business_gbp)
    if rng is None or not u.sample:
        return central
    x = 2.0 * rng.random(4) - 1.0     # uniform on [-1, 1)
    return SampledInputs(
        design_depth_factor=float(1.0 + u.design_depth_spread * x[0]),
        uplift_per_degC=float(central.uplift_per_degC * (1.0 + u.uplift_spread * x[1])),
        value_per_dwelling_gbp=float(central.value_per_dwelling_gbp * (1.0 + u.dwelling_value_spread * x[2])),
        value_per_business_gbp=float(central.value_per_business_gbp * (1.0 + u.business_value_spread * x[3])),
    )

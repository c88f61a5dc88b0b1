"""Flooding: design storms, a local-inertial surface-water solver, damage and EAD, people affected.

Pure functions of arrays (NumPy; SciPy imported where needed), used by the ``flood`` model
(``models/flood.py``) and callable alone from a notebook:

* :mod:`twin.flood.storms`: depth-duration-frequency, storm profile, climate uplift, CSV tables;
* :mod:`twin.flood.solver`: :func:`simulate_flood` (Bates 2010; de Almeida 2012) with mass books;
* :mod:`twin.flood.damage`: JRC depth-damage curves, :func:`expected_annual_damage`;
* :mod:`twin.flood.people`: displacement and closure days, who is cut off from services;
* :mod:`twin.flood.event`: a place's terrain (derived river, defences, SuDS, bunds) and design events;
* :mod:`twin.flood.flowpaths`: drainage by priority flood, where runoff attenuation bunds go;
* :mod:`twin.flood.uncertainty`: the uncertain inputs drawn once per replicate.

See docs/flood.md.
"""

from __future__ import annotations

from twin.flood.damage import DepthDamage, building_damage, expected_annual_damage
from twin.flood.people import access_after_flood, days_from_depth
from twin.flood.solver import FloodResult, Inflow, MassBalance, simulate_flood
from twin.flood.storms import DDF, DesignStorm, design_storms, rainfall_uplift, read_ddf_csv

__all__ = [
    "DDF",
    "DepthDamage",
    "DesignStorm",
    "FloodResult",
    "Inflow",
    "MassBalance",
    "access_after_flood",
    "building_damage",
    "days_from_depth",
    "design_storms",
    "expected_annual_damage",
    "rainfall_uplift",
    "read_ddf_csv",
    "simulate_flood",
]

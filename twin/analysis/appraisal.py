"""Appraisal the Green Book way: discounting, monetised benefits, NPV and benefit-cost ratios.

Benefits are generic. A :class:`Benefit` names a per-run results variable (``attributable_deaths``,
``heat_illness``; a flood model's ``flood_damage``...), what one unit is worth, at which prices,
and which discount schedule applies. :func:`register_benefit` adds one; :func:`appraise` uses
every registered benefit whose variable is in the results, so a new model plugs in by registering
its own benefit, with no change here.

Method (documented choices)
---------------------------
Paired benefits
    For replicate ``r`` of option ``o`` and pathway ``p``, units averted are
    ``reference[p, r] - option[o, p, r]`` summed over zones, ages, channels and days (common random
    numbers: the same weather and draws in every option of a replicate), so each replicate gives one
    NPV and intervals are taken across replicates (t interval on the paired values).
Annualisation
    A simulated period stands for the heat seasons it covers: annual units = period total / the
    number of calendar years in ``time`` (one summer -> that year's heat season; harm outside the
    simulated months is taken as zero, a conservative choice). The pathway's climate is held over
    the whole appraisal period (a gwl2 run appraises every year at 2 degC of warming).
Timing
    Appraisal years ``t = 0 .. years-1``. Capital at ``t = 0`` and again at every whole multiple of
    the intervention's lifetime before the end (reinvestment, no residual value); running costs and
    benefits in every year ``t`` (the measure is in place for the first summer).
Discounting
    HM Treasury Green Book 2022, Annex A6 (docs/sources.md): STPR 3.5 % (years 0-30), 3.0 % (31-75),
    2.5 % (76-125); health 1.5 %, 1.29 %, 1.07 %. The factor of year ``t`` is the product over years
    ``s = 1..t`` of ``1/(1 + r_s)``, ``r_s`` the rate of the band year ``s`` falls in (so year 31 is
    ``1.035**-30 / 1.03``). Costs and non-health benefits use the STPR; deaths and illness, valued
    in QALYs or VPF, the health rate. Values are not uprated for real income growth (a simplification).
Valuation
    By default (``death_valuation="qaly"``, the Green Book/DHSC basis for a health option) a death
    averted is worth the discounted QALYs lost at the age of death, with mortality displacement
    (:func:`twin.analysis.valuation.qalys_lost_per_death`), x £70,000 (HMT/DHSC 2022 QALY value);
    ages come from the ``*_by_age`` results, else ``qalys_per_death``. The value of a prevented
    fatality, £2,474,341 at 2023 prices (DfT TAG data book v2.03, S/M), is the sensitivity
    (``death_valuation="vpf"``). Both are always computed: ``npv_qaly``/``npv_vpf``,
    ``bcr_qaly``/``bcr_vpf``; ``npv``/``bcr`` follow the setting. An illness episode is
    ``qalys_per_illness`` (L) x £70,000. Sources: docs/sources.md.
Prices
    Everything is expressed at ``settings.price_base_year`` (default 2023). Values at other years are
    converted with ``settings.deflator`` (a ``{year: index}`` table, e.g. HM Treasury's GDP deflator)
    when given, else at a constant ``settings.inflation`` (2 %/yr, assumption L; docs/sources.md holds no
    deflator series). A year missing from a given table is an error, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import xarray as xr

from twin.errors import TwinError
from twin.analysis.stats import reference_option

__all__ = [
    "BENEFITS",
    "HEALTH_RATES",
    "STPR_RATES",
    "AppraisalSettings",
    "Benefit",
    "annuity_factor",
    "appraise",
    "compare_table",
    "convert_price",
    "cost_profile",
    "discount_factors",
    "register_benefit",
]

#: Green Book 2022 Annex A6 schedules: (first year of band, rate). docs/sources.md (S/H).
STPR_RATES: tuple[tuple[int, float], ...] = ((0, 0.035), (31, 0.030), (76, 0.025))
HEALTH_RATES: tuple[tuple[int, float], ...] = ((0, 0.015), (31, 0.0129), (76, 0.0107))
MAX_YEARS = 126  # the schedules in docs/sources.md run to year 125
RUN_DIMS = ("option", "pathway", "replicate")


def _schedule(kind: str) -> tuple[tuple[int, float], ...]:
    if kind == "standard":
        return STPR_RATES
    if kind == "health":
        return HEALTH_RATES
    raise TwinError("unknown discount schedule", field="discount", value=kind, hint="valid: standard, health")


def discount_factors(years: int, kind: Literal["standard", "health"] = "standard") -> np.ndarray:
    """Discount factor of each year ``0 .. years-1`` on the declining Green Book schedule.

    ``D[0] = 1`` and ``D[t] = D[t-1] / (1 + r_t)``, where ``r_t`` is the rate of the band year
    ``t`` falls in (3.5 % for years 1-30, 3.0 % for 31-75, 2.5 % for 76-125 on the STPR).
    """
    if not 1 <= years <= MAX_YEARS:
        raise TwinError(f"appraisal period must be 1..{MAX_YEARS} years", field="years", value=years)
    bands = _schedule(kind)
    rates = np.zeros(years)
    for start, rate in bands:
        rates[start:] = rate
    rates[0] = 0.0
    return np.cumprod(1.0 / (1.0 + rates))


def annuity_factor(years: int, kind: Literal["standard", "health"] = "standard") -> float:
    """Present value of 1 a year in each of years ``0 .. years-1``."""
    return float(discount_factors(years, kind).sum())


@dataclass(frozen=True)
class AppraisalSettings:
    """Choices of an appraisal (see the module docstring). Values marked L are assumptions."""

    years: int = 30
    price_base_year: int = 2023
    death_valuation: Literal["vpf", "qaly"] = "qaly"
    vpf: float = 2_474_341.0          # GBP 2023, DfT TAG data book v2.03 (docs/sources.md, S/M)
    vpf_year: int = 2023
    qaly_value: float = 70_000.0      # GBP 2022, HMT/DHSC 2022 update (docs/sources.md, S/H)
    qaly_year: int = 2022
    qalys_per_death: float = 5.0      # L: used only when results have no age breakdown of deaths
    displacement_share: float = 0.3   # L: as the heat-health model's exposure_response.displacement_share
    displacement_days: int = 14       # L: as exposure_response.displacement_days
    qalys_per_illness: float = 0.01   # L: a few days to weeks of reduced health
    inflation: float = 0.02           # L: used only when no deflator table is given
    deflator: Mapping[int, float] | None = None
    level: float = 0.95
    budget_basis: Literal["first_year", "present_value"] = "first_year"

    def __post_init__(self) -> None:
        discount_factors(self.years)  # validates the period
        if self.death_valuation not in ("vpf", "qaly"):
            raise TwinError("unknown death valuation", field="death_valuation", value=self.death_valuation,
                            hint="valid: vpf, qaly")
        if not 0 < self.level < 1:
            raise TwinError("must be between 0 and 1", field="level", value=self.level)

    def value_of_death(self) -> tuple[float, int]:
        """(GBP, price year) of one death averted."""
        if self.death_valuation == "vpf":
            return self.vpf, self.vpf_year
        return self.qalys_per_death * self.qaly_value, self.qaly_year

    def describe(self) -> list[tuple[str, Any, str, str]]:
        """Rows (name, value, unit, source) for the report's assumptions table."""
        return [
            ("appraisal.years", self.years, "year", "choice; Green Book appraisal period"),
            ("appraisal.price_base_year", self.price_base_year, "year", "choice"),
            ("appraisal.discount.standard", "3.5% (0-30), 3.0% (31-75), 2.5% (76-125)", "yr-1",
             "HM Treasury Green Book 2022 Annex A6 (docs/sources.md, S/H)"),
            ("appraisal.discount.health", "1.5% (0-30), 1.29% (31-75), 1.07% (76-125)", "yr-1", "same"),
            ("appraisal.death_valuation", self.death_valuation, "", "choice: vpf or qaly"),
            ("appraisal.vpf", self.vpf, f"GBP {self.vpf_year}", "DfT TAG data book v2.03 (docs/sources.md, S/M)"),
            ("appraisal.qaly_value", self.qaly_value, f"GBP {self.qaly_year}", "HMT/DHSC 2022 (docs/sources.md, S/H)"),
            ("appraisal.qalys_per_death", self.qalys_per_death, "QALY", "assumption, L (no age breakdown only)"),
            ("appraisal.displacement_share", self.displacement_share, "1", "assumption, L (docs/sources.md)"),
            ("appraisal.displacement_days", self.displacement_days, "day", "assumption, L"),
            ("appraisal.qalys_per_illness", self.qalys_per_illness, "QALY", "assumption, L"),
            ("appraisal.inflation", self.inflation if self.deflator is None else "deflator table", "yr-1",
             "assumption, L (no deflator series in docs/sources.md)" if self.deflator is None else "user deflator table"),
        ]


def convert_price(value: float, year: int, settings: AppraisalSettings) -> float:
    """``value`` at ``year`` prices expressed at ``settings.price_base_year`` prices."""
    year, base = int(year), int(settings.price_base_year)
    if year == base:
        return float(value)
    if settings.deflator is not None:
        table = settings.deflator
        for y in (year, base):
            if y not in table:
                raise TwinError("price year missing from the deflator table", field="deflator", value=y,
                                hint=f"table covers {min(table)}..{max(table)}")
        return float(value) * table[base] / table[year]
    return float(value) * (1.0 + settings.inflation) ** (base - year)


@dataclass(frozen=True)
class Benefit:
    """A monetised benefit: units of ``variables`` averted, valued per unit.

    ``variables`` lists candidate result variables, first present wins (e.g. expected deaths
    before drawn deaths). ``value_per_unit`` is GBP at ``price_base_year`` prices, or a function
    of the settings returning ``(GBP, year)``. ``harm=True``: fewer is better (benefit =
    reference - option); ``False``: more is better. ``qalys_per_unit`` (or a function of the
    settings) counts QALYs gained for the cost per QALY; ``counts_deaths`` marks deaths.
    """

    name: str
    variables: tuple[str, ...]
    value_per_unit: float | Callable[[AppraisalSettings], tuple[float, int]]
    discount: Literal["standard", "health"] = "standard"
    units: str = "1"
    price_base_year: int = 2023
    source: str = ""
    harm: bool = True
    qalys_per_unit: float | Callable[[AppraisalSettings], float] | None = None
    counts_deaths: bool = False

    def value(self, settings: AppraisalSettings) -> float:
        """GBP per unit at the settings' price base year."""
        if callable(self.value_per_unit):
            v, year = self.value_per_unit(settings)
        else:
            v, year = self.value_per_unit, self.price_base_year
        return convert_price(v, year, settings)

    def qalys(self, settings: AppraisalSettings) -> float:
        q = self.qalys_per_unit
        return float(q(settings)) if callable(q) else float(q or 0.0)

    def variable_in(self, results: xr.Dataset) -> str | None:
        return next((v for v in self.variables if v in results.data_vars), None)


#: name -> Benefit; :func:`appraise` uses those whose variable the results hold.
BENEFITS: dict[str, Benefit] = {}


def register_benefit(
    name: str,
    variable: str | Sequence[str],
    value_per_unit: float | Callable[[AppraisalSettings], tuple[float, int]],
    discount: Literal["standard", "health"] = "standard",
    units: str = "1",
    *,
    price_base_year: int = 2023,
    source: str = "",
    harm: bool = True,
    qalys_per_unit: float | Callable[[AppraisalSettings], float] | None = None,
    counts_deaths: bool = False,
) -> Benefit:
    """Register a monetised benefit (e.g. a flood model's ``register_benefit("flood_damage_avoided",
    "flood_damage", 1.0, "standard", "GBP", price_base_year=2023)``). Replaces one of the same name."""
    _schedule(discount)
    variables = (variable,) if isinstance(variable, str) else tuple(variable)
    entry = Benefit(name, variables, value_per_unit, discount, units, price_base_year, source, harm,
                    qalys_per_unit, counts_deaths)
    BENEFITS[name] = entry
    return entry


register_benefit(
    "deaths_averted", ("expected_attributable_deaths", "attributable_deaths"),
    lambda s: s.value_of_death(), "health", "deaths",
    source="QALYs lost at the age of death with displacement x £70,000 (HMT/DHSC 2022), or the VPF "
           "£2,474,341 (2023, DfT TAG v2.03); docs/sources.md",
    qalys_per_unit=lambda s: s.qalys_per_death, counts_deaths=True,
)
register_benefit(
    "illness_averted", ("expected_heat_illness", "heat_illness"),
    lambda s: (s.qalys_per_illness * s.qaly_value, s.qaly_year), "health", "episodes",
    source="QALYs per episode (L) x £70,000 (2022, HMT/DHSC; docs/sources.md)",
    qalys_per_unit=lambda s: s.qalys_per_illness,
)
register_benefit(
    "flood_ead_avoided", ("expected_annual_damage",), 1.0, "standard", "GBP", price_base_year=2017,
    source="expected annual flood damage (JRC depth-damage curves, values per property D from HM Treasury Green "
           "Book Annex A2, 2017 prices; docs/sources.md, Flooding); already a yearly figure: run the flood model "
           "over days of one calendar year",
)


# ------------------------------------------------------------------ costs
@dataclass(frozen=True)
class CostItem:
    """One priced component of an option (from a :class:`twin.interventions.Cost`)."""

    capital: float
    annual: float
    lifetime_years: float | None
    price_base_year: int
    name: str = ""
    source: str = ""


def cost_profile(items: Sequence[Any], settings: AppraisalSettings) -> np.ndarray:
    """Undiscounted cost in each appraisal year (GBP at the settings' prices).

    Capital at year 0 and again at every whole multiple of the lifetime (rounded, at least 1 year)
    before the end; running cost every year. ``lifetime_years=None`` means no reinvestment.
    """
    out = np.zeros(settings.years)
    for it in items:
        capital = convert_price(it.capital, it.price_base_year, settings)
        annual = convert_price(it.annual, it.price_base_year, settings)
        life = it.lifetime_years
        step = settings.years if life is None else max(1, int(round(float(life))))
        out[0:settings.years:step] += capital
        out += annual
    return out


def _option_costs(results: xr.Dataset, costs: Mapping[str, Sequence[Any]] | None) -> dict[str, list[Any]]:
    options = [str(o) for o in results["option"].values]
    if costs is not None:
        missing = [o for o in options if o not in costs]
        if missing:
            raise TwinError("no costs for option", field="costs", value=missing[0])
        return {o: list(costs[o]) for o in options}
    if "capital_cost" not in results:
        return {o: [] for o in options}
    year = int(results["capital_cost"].attrs.get("price_base_year") or 0) or 2023
    return {
        o: [CostItem(float(results["capital_cost"].sel(option=o)), float(results["annual_cost"].sel(option=o)),
                     None, year, "option total", "results.nc capital_cost/annual_cost (no lifetimes: no reinvestment)")]
        for o in options
    }


# ------------------------------------------------------------------ appraisal
def _n_seasons(results: xr.Dataset) -> int:
    if "time" in results.coords and results["time"].size:
        import pandas as pd

        return int(pd.DatetimeIndex(results["time"].values).year.nunique())
    return int(results.attrs.get("n_seasons", 1))


def averted(results: xr.Dataset, benefit: Benefit, reference: str | None = None) -> xr.DataArray | None:
    """Units averted a year, per option × pathway × replicate (paired with the reference)."""
    var = benefit.variable_in(results)
    if var is None:
        return None
    da = results[var].astype("float64")
    ref = reference_option(results, reference)
    total = da.sum([d for d in da.dims if d not in RUN_DIMS])
    diff = total.sel(option=ref) - total if benefit.harm else total - total.sel(option=ref)
    return (diff / _n_seasons(results)).reset_coords(drop=True).assign_attrs(
        units=f"{benefit.units} year-1", long_name=f"{benefit.name} a year ({var})", variable=var)


def appraise(
    results: xr.Dataset,
    settings: AppraisalSettings | None = None,
    *,
    costs: Mapping[str, Sequence[Any]] | None = None,
    reference: str | None = None,
    benefits: Sequence[str] | None = None,
) -> xr.Dataset:
    """Per-replicate appraisal of every option against the reference.

    Parameters
    ----------
    results
        Results Dataset (option × pathway × replicate × ...), with the registered benefits' variables.
    settings
        :class:`AppraisalSettings`; default settings when omitted.
    costs
        Option name -> list of :class:`twin.interventions.Cost` (per-intervention lifetimes and price
        years). Default: ``capital_cost``/``annual_cost`` from the results, without reinvestment.
    reference
        The do-nothing option; default ``results.attrs["reference_option"]`` or the first option.
    benefits
        Registered benefit names to use; default every one whose variable is present.

    Returns
    -------
    xarray.Dataset
        ``pv_cost(option)``, ``first_year_cost(option)`` and per option × pathway × replicate:
        ``pv_benefit``, ``npv``, ``bcr``, ``pv_<benefit>``, ``<benefit>_per_year`` (units averted a
        year), ``discounted_deaths``, ``discounted_qalys``. GBP at ``price_base_year`` (attrs).
    """
    settings = settings or AppraisalSettings()
    ref = reference_option(results, reference)
    names = list(BENEFITS) if benefits is None else list(benefits)
    unknown = [n for n in names if n not in BENEFITS]
    if unknown:
        raise TwinError("unknown benefit", field="benefits", value=unknown[0], hint=f"registered: {', '.join(BENEFITS)}")
    used = {n: BENEFITS[n] for n in names if BENEFITS[n].variable_in(results) is not None}
    if not used:
        raise TwinError("results hold none of the benefits' variables", field="benefits",
                        hint="variables: " + ", ".join(v for b in BENEFITS.values() for v in b.variables))
    option_costs = _option_costs(results, costs)
    d_std = discount_factors(settings.years, "standard")
    pv_cost = xr.DataArray([float(cost_profile(option_costs[str(o)], settings) @ d_std) for o in results["option"].values],
                           dims="option", coords={"option": results["option"].values})
    first = xr.DataArray([float(cost_profile(option_costs[str(o)], settings)[0]) for o in results["option"].values],
                         dims="option", coords={"option": results["option"].values})
    gbp = {"units": "GBP", "price_base_year": settings.price_base_year}
    out: dict[str, xr.DataArray] = {}
    pv_benefit = 0.0
    deaths = qalys = 0.0
    from twin.analysis.valuation import death_qalys_averted

    other = 0.0  # the other valuation of deaths (VPF when QALY is chosen, and vice versa)
    for name, b in used.items():
        units = averted(results, b, ref)
        factor = annuity_factor(settings.years, b.discount)
        pv = units * factor * b.value(settings)
        disc_units = units * annuity_factor(settings.years, "health")
        unit_qalys = disc_units * b.qalys(settings)
        if b.counts_deaths:
            deaths = deaths + disc_units
            unit_qalys = death_qalys_averted(results, b, ref, settings) * annuity_factor(settings.years, "health")
            pv_q = unit_qalys * convert_price(settings.qaly_value, settings.qaly_year, settings)
            pv_v = disc_units * convert_price(settings.vpf, settings.vpf_year, settings)
            pv, alt = (pv_q, pv_v) if settings.death_valuation == "qaly" else (pv_v, pv_q)
            out[f"pv_{name}_qaly"] = pv_q.assign_attrs(long_name=f"present value of {name}, QALY basis", **gbp)
            out[f"pv_{name}_vpf"] = pv_v.assign_attrs(long_name=f"present value of {name}, VPF basis", **gbp)
            other = other + alt - pv
        out[f"{name}_per_year"] = units
        out[f"pv_{name}"] = pv.assign_attrs(long_name=f"present value of {name}", **gbp)
        pv_benefit = pv_benefit + pv
        qalys = qalys + unit_qalys
    out["pv_benefit"] = pv_benefit.assign_attrs(long_name="present value of benefits", **gbp)
    out["pv_cost"] = pv_cost.assign_attrs(long_name="present value of costs", **gbp)
    out["first_year_cost"] = first.assign_attrs(long_name="capital plus one year's running cost", **gbp)
    out["npv"] = (pv_benefit - pv_cost).assign_attrs(long_name="net present value", **gbp)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["bcr"] = (pv_benefit / pv_cost.where(pv_cost > 0)).assign_attrs(units="1", long_name="benefit-cost ratio")
        # both valuations of deaths, side by side (QALY: the Treasury basis for health; VPF: sensitivity)
        for basis, pvb in ((settings.death_valuation, pv_benefit), (_other(settings), pv_benefit + other)):
            out[f"npv_{basis}"] = (pvb - pv_cost).assign_attrs(long_name=f"net present value, deaths on the "
                                                                        f"{basis.upper()} basis", **gbp)
            out[f"bcr_{basis}"] = (pvb / pv_cost.where(pv_cost > 0)).assign_attrs(
                units="1", long_name=f"benefit-cost ratio, deaths on the {basis.upper()} basis")
    zeros = xr.zeros_like(out["pv_benefit"])
    out["discounted_deaths"] = (zeros + deaths).assign_attrs(units="deaths", long_name="deaths averted, discounted (health)")
    out["discounted_qalys"] = (zeros + qalys).assign_attrs(units="QALY", long_name="QALYs gained, discounted (health)")
    attrs = {"reference_option": ref, "price_base_year": settings.price_base_year, "years": settings.years,
             "benefits": ", ".join(used), "death_valuation": settings.death_valuation,
             "qaly_value": settings.qaly_value, "level": settings.level,
             "n_seasons": _n_seasons(results)}
    budgets = results.attrs.get("budgets")
    if budgets:
        attrs["budgets"] = budgets
    for k, v in out.items():
        if set(RUN_DIMS) <= set(v.dims):
            out[k] = v.transpose(*RUN_DIMS, ...)
    return xr.Dataset(out, attrs=attrs)


def _other(settings: AppraisalSettings) -> str:
    return "vpf" if settings.death_valuation == "qaly" else "qaly"


from twin.analysis._compare import compare_table  # noqa: E402  (re-exported: needs the names above)

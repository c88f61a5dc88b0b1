"""Cohort-component projection engine: pure numpy over (variant, zone, sex, age).

:func:`cohort_component` is the engine (arrays in, arrays out; loops over years only, every
zone and variant at once). :func:`project` wraps it for an ``xarray`` population and a
:class:`~twin.demography.spec.DemographySpec`; :func:`age_population` ages a population
under one set of rates for a multi-year resident-model run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from .._names import SEXES

__all__ = [
    "ProjectionRates",
    "age_population",
    "cohort_component",
    "project",
]


@dataclass(frozen=True)
class ProjectionRates:
    """Engine inputs, one row per variant (V variants, Z zones, S=2 sexes F/M, A ages, last open).

    Attributes
    ----------
    mortality : (V, S, A)
        Central death rates ``m_x`` (per person-year). Deaths in a year are ``P_x (1 - exp(-m_x))``.
    fertility : (V, A)
        Age-specific fertility rates, births per woman per year (age at the start of the year).
    migration_per_capita : (V, Z, S, A)
        Net migrants per resident of the zone per year, by sex and age (at the end of the year).
    migration_fixed : (V, Z, S, A), optional
        Net migrants per year in persons (a place's own migration table).
    migration_by_year : (T, Z, S, A), optional
        Year-specific net migrants in persons (housing-led component), times ``by_year_factor``.
    by_year_factor : (V,), optional
        0 switches the year-specific component off for a variant (zero net migration).
    sex_ratio_at_birth : float
        Male births per female birth (default 1.05).
    variants : tuple of str
        Variant names, for labelling only.
    improvement : (V, S, A), optional
        Annual rate of mortality improvement by age: in step ``t`` (0 = base year to the next)
        the death rates are ``mortality × (1 - improvement)^t`` (ONS's convention of an annual
        percentage fall in death rates). ``None``: constant rates.
    migration_age_rate : (V, Z, S, A), optional
        Net out-migration rates by age (negative), applied to the population at risk: the
        survivors at their year-end age (ONS applies out-migration rates to the population).
    migrant_exposure : float
        Share of their arrival year migrants spend in the zone, exposed to its death and
        birth rates (ONS: 0.5, migrants arrive on average mid-year); 0 = at the year end.
    """

    mortality: np.ndarray
    fertility: np.ndarray
    migration_per_capita: np.ndarray
    migration_fixed: np.ndarray | None = None
    migration_by_year: np.ndarray | None = None
    by_year_factor: np.ndarray | None = None
    sex_ratio_at_birth: float = 1.05
    variants: tuple[str, ...] = field(default=("principal",))
    improvement: np.ndarray | None = None
    migrant_exposure: float = 0.0
    migration_age_rate: np.ndarray | None = None

    @property
    def n_variants(self) -> int:
        return int(np.shape(self.mortality)[0])

    def select(self, index: int) -> "ProjectionRates":
        """Rates of one variant (index into the first axis)."""
        sl = slice(index, index + 1)
        return ProjectionRates(
            mortality=self.mortality[sl], fertility=self.fertility[sl],
            migration_per_capita=self.migration_per_capita[sl],
            migration_fixed=None if self.migration_fixed is None else self.migration_fixed[sl],
            migration_by_year=self.migration_by_year,
            by_year_factor=None if self.by_year_factor is None else self.by_year_factor[sl],
            sex_ratio_at_birth=self.sex_ratio_at_birth, variants=(self.variants[index],),
            improvement=None if self.improvement is None else self.improvement[sl],
            migration_age_rate=None if self.migration_age_rate is None else self.migration_age_rate[sl],
            migrant_exposure=self.migrant_exposure,
        )


def cohort_component(pop0: np.ndarray, rates: ProjectionRates, n_years: int) -> dict[str, np.ndarray]:
    """Project a base population ``n_years`` ahead under every variant at once.

    Parameters
    ----------
    pop0 : (Z, S, A) float
        Base-year population by zone, sex (F, M) and single year of age (last age open).
    rates : ProjectionRates
    n_years : int
        Number of one-year steps.

    Returns
    -------
    dict of arrays
        ``population`` (V, T+1, Z, S, A); for each step t -> t+1 (index t+1, index 0 all zero):
        ``births`` (V, T+1, Z, S), ``deaths`` (V, T+1, Z, S, A), ``net_migration`` (V, T+1, Z, S, A)
        and ``migration_clipped`` (V, T+1, Z): persons of planned net outflow that could not
        leave because nobody of that zone, sex and age was left.

    Notes
    -----
    One step ``t``, per variant, zone and sex, in this accounting order, with the year's death
    rates :math:`m_x = m^{base}_x (1 - r_x)^t` (mortality improvement :math:`r`):

    1. deaths :math:`D_x = P_x (1 - e^{-m_x})` (age at the start of the year);
    2. births :math:`B = \\sum_x f_x P^F_x`, split :math:`B_M = B\\,s/(1+s)`, :math:`B_F = B/(1+s)`
       for sex ratio :math:`s`. *Infant convention*: a year's births are exposed to the age-0
       central rate for the whole year, :math:`D^b = B_{sex}(1 - e^{-m_0})` (most infant deaths
       occur in the first weeks of life, so births of the year carry about a year's infant
       deaths); the survivors are the year-end age 0, and :math:`D^b` is added to the age-0 deaths;
    3. ageing: :math:`A_0 = B - D^b`, :math:`A_{x+1} = P_x - D_x`, and the open age collects
       :math:`A_\\omega = (P_{\\omega-1} - D_{\\omega-1}) + (P_\\omega - D_\\omega)`;
    4. net migration :math:`M_x` (at the new age) is
       :math:`\\text{per\\_capita}_x \\sum_{s,x} P + \\text{fixed}_x + \\text{by\\_year}_x + o_x A_x`
       (``o``: out-migration rates by age on the population at risk, ``migration_age_rate``).
       Migrants are exposed for :math:`e` of the year (``migrant_exposure``; ONS: half):
       :math:`M_x (1 - e^{-e\\,m_x})` of them die (added to the deaths at age :math:`x`) and the
       women among them have :math:`e \\sum_x f_x M^F_x` births (added to the births, with the
       infant convention above). Where :math:`A_x + M_x e^{-e m_x} < 0` the outflow is cut so that
       nobody is left and the cut recorded;
    5. :math:`P'_x = A_x + M_x e^{-e\\,m_x}` plus, at age 0, the migrants' surviving babies.

    Summed over ages, :math:`\\sum P' = \\sum P + B - \\sum D + \\sum M` holds to rounding
    (about 1e-15 relative): this is the balancing identity stored in the output.
    """
    pop0 = np.asarray(pop0, dtype=float)
    if pop0.ndim != 3 or pop0.shape[1] != len(SEXES):
        raise ValueError(f"population must be (zone, sex, age) with {len(SEXES)} sexes, got shape {pop0.shape}")
    if np.any(pop0 < 0) or not np.all(np.isfinite(pop0)):
        raise ValueError("population counts must be finite and non-negative")
    n_z, n_s, n_a = pop0.shape
    n_v = rates.n_variants
    base_m = np.asarray(rates.mortality, dtype=float)  # (V,S,A)
    improve = None if rates.improvement is None else np.broadcast_to(np.asarray(rates.improvement, float), base_m.shape)
    expo = float(rates.migrant_exposure)
    age_rate = None if rates.migration_age_rate is None else np.broadcast_to(rates.migration_age_rate, (n_v, n_z, n_s, n_a))
    fert = np.asarray(rates.fertility, dtype=float)  # (V,A)
    srb = float(rates.sex_ratio_at_birth)
    share = np.array([1.0 / (1.0 + srb), srb / (1.0 + srb)])  # F, M
    f_idx, m_idx = SEXES.index("F"), SEXES.index("M")
    assert (f_idx, m_idx) == (0, 1)
    per_cap = np.broadcast_to(np.asarray(rates.migration_per_capita, dtype=float), (n_v, n_z, n_s, n_a))
    fixed = None if rates.migration_fixed is None else np.broadcast_to(rates.migration_fixed, (n_v, n_z, n_s, n_a))
    by_year = rates.migration_by_year
    factor = np.ones(n_v) if rates.by_year_factor is None else np.asarray(rates.by_year_factor, dtype=float)

    shape = (n_v, n_years + 1, n_z, n_s, n_a)
    pop = np.empty(shape)
    deaths = np.zeros(shape)
    mig = np.zeros(shape)
    births = np.zeros((n_v, n_years + 1, n_z, n_s))
    clipped = np.zeros((n_v, n_years + 1, n_z))
    pop[:, 0] = pop0[None]
    for t in range(n_years):
        mort = base_m if improve is None else base_m * (1.0 - improve) ** t
        q = 1.0 - np.exp(-mort)[:, None, :, :]         # (V,1,S,A)
        q0 = q[..., 0]                                  # (V,1,S)
        p = pop[:, t]                                   # (V,Z,S,A)
        d = p * q
        b_tot = np.einsum("vza,va->vz", p[:, :, 0, :], fert)
        b = b_tot[..., None] * share                    # (V,Z,S)
        d_b = b * q0                                    # infants dying in their first year
        aged = np.empty_like(p)
        aged[..., 0] = b - d_b
        s = p - d
        aged[..., 1:] = s[..., :-1]
        aged[..., -1] += s[..., -1]
        m = per_cap * p.sum(axis=(2, 3))[:, :, None, None]
        if fixed is not None:
            m = m + fixed
        if by_year is not None:
            m = m + factor[:, None, None, None] * by_year[min(t, by_year.shape[0] - 1)][None]
        if age_rate is not None:
            m = m + age_rate * aged
        h = np.exp(-expo * mort)[:, None, :, :]         # migrants surviving their part of the year
        new = aged + m * h
        neg = new < 0
        if neg.any():
            cut = np.where(neg, -new / h, 0.0)          # planned movers who were not there to move
            m = m + cut
            clipped[:, t + 1] = cut.sum(axis=(2, 3))
            new = aged + m * h
            new[neg] = 0.0
        d = d + m * (1.0 - h)
        if expo > 0:
            b_m = (expo * np.einsum("vza,va->vz", m[:, :, 0, :], fert))[..., None] * share
            new[..., 0] += b_m * (1.0 - q0)
            d_b = d_b + b_m * q0
            b = b + b_m
        d[..., 0] += d_b
        pop[:, t + 1] = new
        deaths[:, t + 1] = d
        mig[:, t + 1] = m
        births[:, t + 1] = b
    return {"population": pop, "births": births, "deaths": deaths, "net_migration": mig, "migration_clipped": clipped}


def project(population: xr.DataArray, spec=None, *, rates: ProjectionRates | None = None,
            variants: Sequence[str] | None = None, years: int | Sequence[int] | None = None,
            zone_classes: Sequence[str] | None = None, base_dir=None) -> xr.Dataset:
    """Cohort-component projection of a (zone, sex, age) population.

    Parameters
    ----------
    population : xr.DataArray
        Dims ``(zone, sex, age)``; ages ``0..n`` with the last open (``90`` = 90+).
    spec : DemographySpec, optional
        Assumptions; defaults to ``DemographySpec()`` (E&W rates, docs/sources.md; base 2023, horizon 2050).
    rates : ProjectionRates, optional
        Engine rates to use as they are (skips building them from ``spec``).
    variants : sequence of str, optional
        Overrides ``spec.variants``.
    years : int or sequence of int, optional
        Horizon year, or years whose maximum is the horizon; overrides ``spec.horizon``.
    zone_classes : sequence of {"urban", "rural"}, optional
        ``urban_rural`` class of each zone (for class-specific migration rates).
    base_dir : path, optional
        Folder against which relative CSV paths in ``spec.rates`` are read.

    Returns
    -------
    xr.Dataset
        ``population`` (variant, year, zone, age, sex) and the components ``births``,
        ``deaths``, ``net_migration``, ``migration_clipped``; see
        :func:`twin.demography.outputs.to_dataset`.
    """
    from .inputs import build_rates
    from .outputs import to_dataset
    from .spec import DemographySpec

    spec = spec if spec is not None else DemographySpec()
    update: dict = {}
    if variants is not None:
        update["variants"] = list(variants)
    if years is not None:
        update["horizon"] = int(years) if np.isscalar(years) else int(max(years))
        update.update(year=None, years=None)
    if update:
        spec = DemographySpec.model_validate({**spec.model_dump(), **update})
    population = population.transpose("zone", "sex", "age")
    if list(population.sex.values) != list(SEXES):
        population = population.sel(sex=list(SEXES))
    zones = [str(z) for z in population.zone.values]
    if rates is None:
        rates = build_rates(spec, zones, population.sizes["age"], zone_classes=zone_classes, base_dir=base_dir,
                            population=population.values)
    n_years = spec.horizon - spec.base_year
    out = cohort_component(population.values, rates, n_years)
    return to_dataset(out, population, spec, rates)


def age_population(population: xr.DataArray, years: int, rates: ProjectionRates) -> xr.DataArray:
    """Age a population ``years`` times under one variant's rates (the first of ``rates``).

    Returns the population of every year, dims ``(step, zone, sex, age)`` with
    ``step = 0..years`` (0 = the input), floats. Used for multi-year resident-model runs.
    """
    population = population.transpose("zone", "sex", "age")
    out = cohort_component(population.values, rates.select(0), int(years))
    return xr.DataArray(
        out["population"][0], dims=("step", "zone", "sex", "age"),
        coords={"step": np.arange(int(years) + 1), **{k: population.coords[k] for k in ("zone", "sex", "age")}},
        attrs={"units": "1", "long_name": "projected residents"},
    )

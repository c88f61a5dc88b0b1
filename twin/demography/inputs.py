"""Rates from a spec and from a place's own CSV tables, with one-line errors for bad tables.

CSV layouts (ONS-style; ages "0".."89" and "90+" or 90):

- mortality: ``sex,age,rate`` -- central death rates, every age 0..90 for both sexes, 0 <= rate <= 1
- fertility: ``age,rate`` -- births per woman per year, every age 15..49 (ages 10..55 allowed), 0 <= rate <= 1
- migration: ``zone_code,sex,age,net`` -- net migrants (persons/yr, may be negative); zones absent get 0
- base population: ``zone_code,sex,age,count`` -- counts >= 0, every age for every zone and sex
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .._names import MAX_AGE, SEXES
from ..errors import PlaceDataError
from . import rates as R
from .projection import ProjectionRates
from .spec import DemographySpec, MigrationComponent

__all__ = [
    "build_rates",
    "improvement_by_age",
    "read_base_population",
    "read_fertility",
    "read_migration",
    "read_mortality",
]


def _read(path: Path, columns: Sequence[str]):
    import pandas as pd

    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise PlaceDataError("file not found", file=path) from None
    except Exception as exc:  # parser errors from pandas
        raise PlaceDataError(f"cannot read CSV ({type(exc).__name__})", file=path) from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise PlaceDataError("missing column", file=path, field=missing[0], hint=f"columns must be {', '.join(columns)}")
    return df


def _ages(df, path: Path, n_ages: int) -> np.ndarray:
    out = np.empty(len(df), dtype=int)
    top = n_ages - 1
    for i, raw in enumerate(df["age"]):
        text = raw.strip()
        try:
            age = top if text == f"{top}+" else int(text)
        except ValueError:
            raise PlaceDataError("age is not a whole number", file=path, field="age", value=raw, line=i + 2,
                                 hint=f"use 0..{top - 1} and {top}+") from None
        if not 0 <= age <= top:
            raise PlaceDataError("age out of range", file=path, field="age", value=raw, line=i + 2,
                                 hint=f"ages run 0..{top} ({top} = {top}+)")
        out[i] = age
    return out


def _numbers(df, path: Path, column: str, *, lo: float | None = None, hi: float | None = None) -> np.ndarray:
    out = np.empty(len(df))
    for i, raw in enumerate(df[column]):
        try:
            v = float(raw)
        except ValueError:
            v = float("nan")
        if not np.isfinite(v):
            raise PlaceDataError("not a finite number", file=path, field=column, value=raw, line=i + 2)
        if lo is not None and v < lo:
            raise PlaceDataError(f"must be >= {lo:g}", file=path, field=column, value=v, line=i + 2)
        if hi is not None and v > hi:
            raise PlaceDataError(f"must be <= {hi:g}", file=path, field=column, value=v, line=i + 2)
        out[i] = v
    return out


def _sexes(df, path: Path) -> np.ndarray:
    out = np.empty(len(df), dtype=int)
    for i, raw in enumerate(df["sex"]):
        s = raw.strip().upper()
        if s not in SEXES:
            raise PlaceDataError("unknown sex", file=path, field="sex", value=raw, line=i + 2,
                                 hint=f"use one of {', '.join(SEXES)}")
        out[i] = SEXES.index(s)
    return out


def _fill(path: Path, shape: tuple[int, ...], index: tuple[np.ndarray, ...], values: np.ndarray,
          labels: Sequence[str], df) -> tuple[np.ndarray, np.ndarray]:
    out = np.zeros(shape)
    seen = np.zeros(shape, dtype=bool)
    for row, key in enumerate(zip(*index)):
        if seen[key]:
            raise PlaceDataError("duplicate row", file=path, field=",".join(labels),
                                 value=",".join(str(df[c].iloc[row]).strip() for c in labels), line=row + 2)
        seen[key] = True
        out[key] = values[row]
    return out, seen


def _missing_age(path: Path, seen: np.ndarray, what: str) -> None:
    idx = np.argwhere(~seen)
    if len(idx):
        raise PlaceDataError(f"missing age {idx[0][-1]} ({what})", file=path, field="age", value=int(idx[0][-1]),
                             hint="every single year of age must have a row")


def read_mortality(path: Path, n_ages: int = MAX_AGE + 1) -> np.ndarray:
    """Central death rates (sex, age) from ``sex,age,rate``; every age of both sexes, rates in [0, 1]."""
    df = _read(path, ("sex", "age", "rate"))
    sex, age, rate = _sexes(df, path), _ages(df, path, n_ages), _numbers(df, path, "rate", lo=0.0, hi=1.0)
    m, seen = _fill(path, (len(SEXES), n_ages), (sex, age), rate, ("sex", "age"), df)
    for s in range(len(SEXES)):
        if not seen[s].all():
            _missing_age(path, seen[s], f"sex {SEXES[s]}")
    return m


def read_fertility(path: Path, n_ages: int = MAX_AGE + 1) -> np.ndarray:
    """Age-specific fertility (age,) from ``age,rate``; ages 15..49 required, 10..55 allowed, rates in [0, 1]."""
    df = _read(path, ("age", "rate"))
    age, rate = _ages(df, path, n_ages), _numbers(df, path, "rate", lo=0.0, hi=1.0)
    bad = (age < 10) | (age > 55)
    if bad.any():
        i = int(np.argmax(bad))
        raise PlaceDataError("fertility age outside 10..55", file=path, field="age", value=int(age[i]), line=i + 2)
    f, seen = _fill(path, (n_ages,), (age,), rate, ("age",), df)
    need = np.zeros(n_ages, dtype=bool)
    need[15:50] = True
    _missing_age(path, seen | ~need, "fertility")
    return f


def _zones(df, path: Path, zones: Sequence[str]) -> np.ndarray:
    lookup = {z: i for i, z in enumerate(zones)}
    out = np.empty(len(df), dtype=int)
    for i, raw in enumerate(df["zone_code"]):
        z = raw.strip()
        if z not in lookup:
            raise PlaceDataError("zone not in the place", file=path, field="zone_code", value=raw, line=i + 2,
                                 hint=f"the place's zones are {', '.join(list(zones)[:6])}{'...' if len(zones) > 6 else ''}")
        out[i] = lookup[z]
    return out


def read_migration(path: Path, zones: Sequence[str], n_ages: int = MAX_AGE + 1) -> np.ndarray:
    """Net migrants per year (zone, sex, age) from ``zone_code,sex,age,net``.

    A zone and sex that appears must list every age; zones that do not appear get no net migration.
    """
    df = _read(path, ("zone_code", "sex", "age", "net"))
    z, s, a = _zones(df, path, zones), _sexes(df, path), _ages(df, path, n_ages)
    net = _numbers(df, path, "net")
    m, seen = _fill(path, (len(zones), len(SEXES), n_ages), (z, s, a), net, ("zone_code", "sex", "age"), df)
    for zi in range(len(zones)):
        for si in range(len(SEXES)):
            if seen[zi, si].any() and not seen[zi, si].all():
                _missing_age(path, seen[zi, si], f"zone {zones[zi]}, sex {SEXES[si]}")
    return m


def read_base_population(path: Path, zones: Sequence[str], n_ages: int = MAX_AGE + 1) -> np.ndarray:
    """Base population (zone, sex, age) from ``zone_code,sex,age,count``; complete, counts >= 0."""
    df = _read(path, ("zone_code", "sex", "age", "count"))
    z, s, a = _zones(df, path, zones), _sexes(df, path), _ages(df, path, n_ages)
    count = _numbers(df, path, "count", lo=0.0)
    p, seen = _fill(path, (len(zones), len(SEXES), n_ages), (z, s, a), count, ("zone_code", "sex", "age"), df)
    for zi in range(len(zones)):
        if not seen[zi].any():
            raise PlaceDataError("zone has no rows", file=path, field="zone_code", value=zones[zi])
        for si in range(len(SEXES)):
            if not seen[zi, si].all():
                _missing_age(path, seen[zi, si], f"zone {zones[zi]}, sex {SEXES[si]}")
    return p


def _resolve(path: Path | None, base_dir) -> Path | None:
    if path is None:
        return None
    path = Path(path)
    return path if path.is_absolute() or base_dir is None else Path(base_dir) / path


def _component_rates(comp: MigrationComponent, zones: Sequence[str], classes: Sequence[str]) -> np.ndarray:
    return np.array([comp.rate_by_zone.get(z, comp.rate_by_class.get(c, comp.rate)) for z, c in zip(zones, classes)])


def housing_migration(spec: DemographySpec, zones: Sequence[str], n_ages: int, base_dir=None) -> np.ndarray | None:
    """Housing-led net migrants (T, Z, S, A): dwellings completed in year ``base+t+1`` x persons per dwelling."""
    h = spec.housing
    if h is None:
        return None
    dwell: dict[str, dict[int, float]] = {z: dict(v) for z, v in h.dwellings.items()}
    csv = _resolve(h.dwellings_csv, base_dir)
    if csv is not None:
        df = _read(csv, ("zone_code", "year", "dwellings"))
        zi = _zones(df, csv, zones)
        yrs = _numbers(df, csv, "year", lo=1900, hi=2300).astype(int)
        n = _numbers(df, csv, "dwellings")
        for i in range(len(df)):
            d = dwell.setdefault(zones[zi[i]], {})
            d[yrs[i]] = d.get(yrs[i], 0.0) + n[i]
    unknown = sorted(set(dwell) - set(zones))
    if unknown:
        raise PlaceDataError("zone not in the place", field="demography.housing.dwellings", value=unknown[0])
    n_years = spec.horizon - spec.base_year
    prof = R.migration_profile(h.profile, n_ages)
    out = np.zeros((max(n_years, 1), len(zones), len(SEXES), n_ages))
    for z_i, z in enumerate(zones):
        for t in range(n_years):
            out[t, z_i] = dwell.get(z, {}).get(spec.base_year + t + 1, 0.0) * h.persons_per_dwelling * prof
    return out


def build_rates(spec: DemographySpec, zones: Sequence[str], n_ages: int = MAX_AGE + 1, *,
                zone_classes: Sequence[str] | None = None, base_dir=None,
                population: np.ndarray | None = None) -> ProjectionRates:
    """Engine rates for every variant in ``spec.variants``.

    Mortality: the place's table or the Gompertz-Makeham default (docs/sources.md s11), scaled so e0 hits
    each variant's target (default M 79.0, F 83.0; ONS National life tables 2024). Fertility: the
    place's table or a gamma curve (mean age 30.9), scaled to the variant's TFR (default 1.44,
    ONS Births 2023). Migration: the place's table (persons/yr) or per-capita internal and
    international components with age profiles; scaled, levelled or zeroed per variant (the
    ONS-style migration variants scale the international components only). Mortality
    improvement (default 1.1 % a year, ONS 2021-based NPP) and the migrants' half-year exposure
    are applied by the engine.
    """
    zones = [str(z) for z in zones]
    classes = list(zone_classes) if zone_classes is not None else ["urban"] * len(zones)
    m_table = _resolve(spec.rates.mortality, base_dir)
    f_table = _resolve(spec.rates.fertility, base_dir)
    g_table = _resolve(spec.rates.migration, base_dir)
    base_m = read_mortality(m_table, n_ages) if m_table else None
    base_f = read_fertility(f_table, n_ages) if f_table else None
    fixed = read_migration(g_table, zones, n_ages) if g_table else None
    e0_base = {"F": spec.e0_f or R.E0_DEFAULT["F"], "M": spec.e0_m or R.E0_DEFAULT["M"]}
    if base_m is not None and spec.e0_f is None and spec.e0_m is None:
        e0_base = {s: float(R.life_expectancy(base_m[i])) for i, s in enumerate(SEXES)}
    tfr_base = spec.tfr or (float(base_f.sum()) if base_f is not None else R.TFR_DEFAULT)
    shape_f = base_f if base_f is not None else R.asfr(1.0, spec.mean_maternal_age, n_ages=n_ages)

    p_ya = R.migration_profile("young_adult", n_ages)
    shape = (len(zones), len(SEXES), n_ages)
    flows = {"international": [np.zeros(shape), np.zeros(shape)], "internal": [np.zeros(shape), np.zeros(shape)]}
    pop0 = None if population is None else np.asarray(population, float)
    for kind, comp in [("international", spec.international), ("internal", spec.internal)] + \
            [(c.kind, c) for c in spec.other_migration]:
        rate = _component_rates(comp, zones, classes)[:, None, None]
        prof = R.migration_profile(comp.profile, n_ages)
        out = rate < 0
        # net inflows: migrants per resident of the zone, by the profile;
        flows[kind][0] += np.where(out, 0.0, rate * prof)
        # net outflows: out-migration rates by age applied to the population at risk (as ONS does),
        # set so that the base year loses rate x residents spread by the profile
        if pop0 is not None:
            tot = pop0.sum(axis=(1, 2))[:, None, None]
            age_rate = np.where(pop0 > 0, rate * prof * tot / np.where(pop0 > 0, pop0, 1.0), 0.0)
            flows[kind][1] += np.where(out, np.maximum(age_rate, -1.0), 0.0)
        else:
            flows[kind][0] += np.where(out, rate * prof, 0.0)
    per_cap_int, age_int = flows["international"]
    per_cap_in, age_in = flows["internal"]
    improve_base = improvement_by_age(spec.mortality_improvement, n_ages)

    mort, fert, per_cap, fix, factor, improve, age_rates = [], [], [], [], [], [], []
    cache: dict[tuple[int, float], np.ndarray] = {}
    for name in spec.variants:
        v = spec.variant_def(name)
        row = []
        for i, s in enumerate(SEXES):
            target = (v.e0_f if s == "F" else v.e0_m) or e0_base[s]
            target += v.e0_delta
            key = (i, round(target, 12))
            if key not in cache:
                if base_m is not None:
                    cache[key] = base_m[i] if abs(target - e0_base[s]) < 1e-12 else R.scale_to_e0(base_m[i], target)
                else:
                    cache[key] = R.fit_mortality(target, s, n_ages=n_ages)
            row.append(cache[key])
        mort.append(np.stack(row))
        tfr = max((v.tfr or tfr_base) + v.tfr_delta, 0.0)
        fert.append(shape_f * (tfr / shape_f.sum()) if shape_f.sum() > 0 else shape_f)
        scale = 0.0 if v.zero_migration else v.migration_scale
        s_int, s_in = scale * v.international_scale, scale * v.internal_scale
        level = 0.0 if v.zero_migration else v.migration_level
        on = 0.0 if fixed is not None else 1.0
        per_cap.append(on * (s_int * per_cap_int + s_in * per_cap_in) + level * p_ya)
        age_rates.append(on * (s_int * age_int + s_in * age_in))
        # a place's own net migration table does not split the flows: the international scale applies
        fix.append(s_int * fixed if fixed is not None else np.zeros((len(zones), len(SEXES), n_ages)))
        factor.append(0.0 if v.zero_migration else 1.0)
        r = improve_base if v.mortality_improvement is None else np.full(n_ages, v.mortality_improvement)
        improve.append(np.broadcast_to(r, (len(SEXES), n_ages)))
    return ProjectionRates(
        mortality=np.stack(mort), fertility=np.stack(fert), migration_per_capita=np.stack(per_cap),
        migration_fixed=np.stack(fix) if fixed is not None else None,
        migration_by_year=housing_migration(spec, zones, n_ages, base_dir), by_year_factor=np.array(factor),
        sex_ratio_at_birth=spec.sex_ratio_at_birth, variants=tuple(spec.variants),
        improvement=np.stack(improve), migrant_exposure=spec.migrant_exposure,
        migration_age_rate=np.stack(age_rates) if pop0 is not None else None,
    )


def improvement_by_age(rule: float | dict[str, float], n_ages: int = MAX_AGE + 1) -> np.ndarray:
    """Annual mortality improvement per single year of age from one rate or age ranges.

    Ranges are ``"a-b"`` (inclusive), ``"a+"`` or ``"a"``; ages not named improve at 0.
    """
    if not isinstance(rule, dict):
        return np.full(n_ages, float(rule))
    out = np.zeros(n_ages)
    for key, rate in rule.items():
        text = str(key).strip()
        try:
            if text.endswith("+"):
                lo, hi = int(text[:-1]), n_ages - 1
            elif "-" in text:
                lo, hi = (int(v) for v in text.split("-", 1))
            else:
                lo = hi = int(text)
        except ValueError:
            raise PlaceDataError("age range not understood", field="demography.mortality_improvement", value=key,
                                 hint="use '0-89', '90+' or '45'") from None
        if not 0 <= lo <= hi <= n_ages - 1:
            raise PlaceDataError("age range out of 0..90", field="demography.mortality_improvement", value=key)
        out[lo:hi + 1] = rate
    return out

"""CF 1.10 attributes for every NetCDF placetwin writes: ``finalize_cf(ds, kind)``.

What it does (so ``compliance-checker --test cf:1.10`` reports no errors):

* global ``Conventions = "CF-1.10"``, a ``history`` line (what wrote the file; with a UTC time stamp
  except for ``kind="grid"``, whose bundled files regenerate byte for byte), ``source`` and
  ``references`` (``docs/sources.md``) when absent;
* ``time`` gets ``standard_name``/``long_name``/``axis``; projected ``x``/``y`` their standard names;
  every other variable and coordinate gets a ``long_name`` (a table of the project's dims, else the
  name in words);
* units that UDUNITS does not know are rewritten to valid ones without losing meaning:

  - money: ``GBP`` -> ``units: "1"``, ``currency: "GBP"``; ``GBP year-1`` -> ``units: "year-1"``
    (``price_base_year`` is kept);
  - counts of things (``person day``, ``deaths``, ``contact``, ``episodes``, ``QALY`` ...) ->
    ``units: "1"`` (or ``"year-1"`` for ``... year-1``) with ``count_unit`` holding the thing
    counted, and the long name saying it (``... (person-days)``).

:func:`display_units` turns those attributes back into the words a table or axis label shows
("person-days", "GBP", "GBP a year"), and :func:`is_count` tells a count from a level.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from typing import Any

import xarray as xr

__all__ = ["COORD_LONG_NAMES", "KINDS", "display_units", "finalize_cf", "is_count", "udunits_ok"]

KINDS = ("results", "projection", "trial", "grid", "indicators")

#: long names of the project's dimensions and coordinates
COORD_LONG_NAMES = {
    "option": "adaptation option",
    "pathway": "climate pathway (global warming level)",
    "replicate": "ensemble member (replicate)",
    "zone": "zone code",
    "zone_name": "zone name",
    "urban_rural": "urban or rural zone",
    "deprivation_decile": "deprivation decile of the zone (1 = most deprived)",
    "age_band": "age band",
    "channel": "preferred contact channel",
    "service_type": "service type",
    "variant": "projection variant",
    "year": "year",
    "age": "single year of age",
    "sex": "sex",
    "point": "design point",
    "cluster": "cluster",
    "period": "period",
    "trial": "simulated trial",
    "stratum": "stratum of the cluster",
    "spatial_ref": "coordinate reference system (British National Grid)",
}

# unit strings known to UDUNITS that the project uses (checked with cf_units in the tests)
_UDUNITS = {
    "1", "%", "percent", "m", "km", "m2", "km2", "mm", "mm day-1", "mm h-1", "mm hr-1", "degC", "K", "degF",
    "s", "h", "hour", "hours", "day", "days", "d", "year", "years", "day-1", "year-1", "yr-1", "1 year-1",
    "W m-2", "kg m-2 s-1", "m s-1", "km h-1", "count",
}
_MONEY = re.compile(r"^\s*(GBP|£|EUR|USD)(\s+\d{4})?(\s+(per\s+year|a\s+year|year-1|yr-1))?\s*$")
_PER_YEAR = re.compile(r"\s+(year-1|yr-1|a year|per year)\s*$")


def udunits_ok(units: str) -> bool:
    """True when ``units`` is a UDUNITS string (cf_units when installed, else the project's known list)."""
    units = str(units).strip()
    if units in _UDUNITS or " since " in units:
        return True
    try:
        import cf_units
    except ImportError:  # cf_units comes with the test extra (compliance-checker)
        return False
    try:
        cf_units.Unit(units)
    except (ValueError, TypeError):
        return False
    return True


def _fix_units(attrs: dict[str, Any]) -> None:
    units = attrs.get("units")
    if units is None or udunits_ok(str(units)):
        return
    units = str(units).strip()
    money = _MONEY.match(units)
    if money:
        attrs["currency"] = "GBP" if money.group(1) == "£" else money.group(1)
        if money.group(2) and "price_base_year" not in attrs:
            attrs["price_base_year"] = int(money.group(2))
        attrs["units"] = "year-1" if money.group(3) else "1"
        return
    per_year = bool(_PER_YEAR.search(units))
    thing = _PER_YEAR.sub("", units).strip() or "1"
    thing = {"person day": "person-days", "person days": "person-days", "contact": "contacts"}.get(thing, thing)
    attrs["count_unit"] = thing
    attrs["units"] = "year-1" if per_year else "1"
    long_name = str(attrs.get("long_name", ""))
    if long_name and thing not in long_name:
        attrs["long_name"] = f"{long_name} ({thing})"


def display_units(attrs: Mapping[str, Any] | xr.DataArray) -> str:
    """Units as a reader reads them: ``person-days``, ``GBP``, ``GBP a year``, else the CF units."""
    a = attrs.attrs if isinstance(attrs, xr.DataArray) else attrs
    units = str(a.get("units", ""))
    per_year = units in ("year-1", "yr-1", "1 year-1")
    if "currency" in a:
        cur = str(a["currency"])
        return f"{cur} a year" if per_year else cur
    if "count_unit" in a:
        return f"{a['count_unit']} a year" if per_year else str(a["count_unit"])
    return _READABLE.get(units, units)


# units of files written before finalize_cf, as a reader reads them
_READABLE = {"person day": "person-days", "contact": "contacts", "GBP year-1": "GBP a year"}


def is_count(attrs: Mapping[str, Any]) -> bool | None:
    """True for counts (a ``count_unit``), False for money, None when the attributes do not say."""
    if "count_unit" in attrs:
        return True
    if "currency" in attrs:
        return False
    return None


def _history_line(kind: str) -> str:
    from twin import __version__

    if kind == "grid":  # bundled grids regenerate byte for byte: no time stamp, no version
        return "written by placetwin (twin.place.save_place)"
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{stamp} placetwin {__version__}: {kind} written"


def finalize_cf(ds: xr.Dataset, kind: str) -> xr.Dataset:
    """Return ``ds`` with CF 1.10 attributes (see the module docstring); data are not touched.

    ``kind``: one of :data:`KINDS` (``results``, ``projection``, ``trial``, ``grid``, ``indicators``).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    ds = ds.copy(deep=False)
    for name in list(ds.variables):
        var = ds[name]
        attrs = dict(var.attrs)
        enc = var.encoding
        if name == "time" or (var.dtype.kind == "M" and name in ds.dims):
            attrs.setdefault("standard_name", "time")
            attrs.setdefault("long_name", "time")
            attrs.setdefault("axis", "T")
            attrs.pop("units", None)  # the encoder writes "days since ..."; a units attr on datetimes is an error
        elif name in ("x", "y") and attrs.get("units") == "m":
            attrs.setdefault("standard_name", f"projection_{name}_coordinate")
            attrs.setdefault("long_name", f"{'easting' if name == 'x' else 'northing'} (British National Grid)")
            attrs.setdefault("axis", name.upper())
        else:
            if "long_name" not in attrs and "standard_name" not in attrs:
                attrs["long_name"] = COORD_LONG_NAMES.get(str(name), str(name).replace("_", " "))
            _fix_units(attrs)
        ds[name].attrs = attrs
        ds[name].encoding = enc
    g = dict(ds.attrs)
    g["Conventions"] = "CF-1.10"
    line = _history_line(kind)
    old = str(g.get("history", "")).strip()
    g["history"] = line if not old else (old if kind == "grid" and line in old else f"{old}\n{line}")
    g.setdefault("title", f"placetwin {kind}")
    g.setdefault("source", "placetwin" if kind == "grid" else f"placetwin ({kind})")
    g.setdefault("references", "docs/sources.md in the placetwin repository")
    ds.attrs = g
    return ds

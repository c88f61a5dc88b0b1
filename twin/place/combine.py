"""Several councils as one place: a combined authority, and a generated metropolitan area.

:func:`combine_places` makes one :class:`~twin.place.Place` of several council places:

* grids are merged on one British National Grid lattice (same cell size, cell edges on
  the same lattice); cells outside every council's grid get no residents, no buildings,
  canopy or impervious surface, and the median elevation of the councils;
* zones keep their codes and gain the property ``council`` (the council's place name), so
  results, equity splits and reports can be split by council;
* services stay with their council: each gets ``council`` and, unless it already covers
  listed zones or is marked shared (``properties.shared: true``, or its id in ``shared``),
  the property ``zones`` listing its council's zone codes, so residents are only routed to
  their own council's services; a shared service serves everyone;
* populations are concatenated zone by zone.

Zone codes and service ids must be unique across the councils, zones must not overlap, and
the councils must share the CRS, cell size, grid lattice and heat-health region; anything
else is a one-line :class:`~twin.errors.PlaceDataError` naming the council and the value.

:func:`metropolitan_area` builds a deterministic synthetic metropolitan area of
``councils`` London-like boroughs side by side (the bundled urban borough's generators, one
fixed seed per council) and combines them: ``twin places make --residents 1000000 --councils 4``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

import numpy as np
import xarray as xr

from twin.errors import PlaceDataError
from twin.place._place import Place

__all__ = ["COUNCIL", "COUNCIL_NAMES", "combine_places", "metropolitan_area", "translate_place"]

#: Zone and service property naming the council a zone or service belongs to.
COUNCIL = "council"
#: Names of the generated councils, in order.
COUNCIL_NAMES = ("Northbury", "Eastwick", "Southmere", "Westford", "Highbridge", "Lowmoor", "Kingsford", "Ashby",
                 "Fernley", "Oakhurst", "Redcliffe", "Stanmoor")
_FILL_ZERO = ("impervious", "canopy", "building", "residents")


def _where(place: Place) -> str:
    return str(place.path) if place.path is not None else place.name


def _check_compatible(places: Sequence[Place]) -> tuple[float, float, float]:
    """Common cell size and lattice origin (x0, y0) of the places' grids, or a one-line error."""
    if len(places) < 2:
        raise PlaceDataError("combine needs at least two places", field="places", value=len(places))
    first = places[0]
    size = first.cell_size
    names = [p.name for p in places]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise PlaceDataError("two councils have the same place name", field="name", value=dup[0],
                             hint="rename one in its place.yaml: the name becomes the zones' council")
    x0 = float(first.grid["x"].values[0]) % size
    y0 = float(first.grid["y"].values[0]) % size
    for p in places:
        crs = str(p.meta.get("crs", "")).upper()
        grid_crs = str(p.grid.attrs.get("crs", crs)).upper()
        if crs != str(first.meta.get("crs", "")).upper() or grid_crs != crs:
            raise PlaceDataError("CRS differs from the first council's", file=_where(p), field="crs",
                                 value=p.meta.get("crs"), hint=f"reproject to {first.meta.get('crs')!r}")
        if abs(p.cell_size - size) > 1e-6 * size:
            raise PlaceDataError("cell size differs from the first council's", file=_where(p), field="cell_size",
                                 value=p.cell_size, hint=f"regrid to {size:g} m cells")
        ox, oy = float(p.grid["x"].values[0]) % size, float(p.grid["y"].values[0]) % size
        if min(abs(ox - x0), size - abs(ox - x0)) > 1e-6 * size or min(abs(oy - y0), size - abs(oy - y0)) > 1e-6 * size:
            raise PlaceDataError("grid cells are not on the first council's lattice", file=_where(p), field="x/y",
                                 value=(round(ox, 3), round(oy, 3)),
                                 hint=f"cell centres must sit at ({x0:g}, {y0:g}) plus multiples of {size:g} m")
        if p.meta.get("region") != first.meta.get("region"):
            raise PlaceDataError("region differs from the first council's (one heat-health threshold per place)",
                                 file=_where(p), field="region", value=p.meta.get("region"),
                                 hint=f"combine councils of one region ({first.meta.get('region')!r})")
    return size, x0, y0


def _check_unique(places: Sequence[Place]) -> None:
    import shapely

    seen_z: dict[str, str] = {}
    seen_s: dict[str, str] = {}
    for p in places:
        for z in p.zones:
            if z.code in seen_z:
                raise PlaceDataError(f"zone code is also used by {seen_z[z.code]}", file=_where(p), field="zones.code",
                                     value=z.code, hint="zone codes must be unique across the councils")
            seen_z[z.code] = p.name
        for s in p.services:
            if s.id in seen_s:
                raise PlaceDataError(f"service id is also used by {seen_s[s.id]}", file=_where(p), field="services.id",
                                     value=s.id, hint="service ids must be unique across the councils")
            seen_s[s.id] = p.name
    geoms = [(p, z) for p in places for z in p.zones]
    tree = shapely.STRtree([z.geometry for _, z in geoms])
    left, right = tree.query([z.geometry for _, z in geoms], predicate="intersects")
    for i, j in zip(left, right, strict=True):
        (pa, za), (pb, zb) = geoms[i], geoms[j]
        if pa is pb or i >= j:
            continue
        area = za.geometry.intersection(zb.geometry).area
        if area > 1.0:  # m2: shared boundaries touch, overlaps have area
            raise PlaceDataError(f"zone overlaps zone {za.code} of {pa.name} by {area:,.0f} m2", file=_where(pb),
                                 field="zones.geometry", value=zb.code, hint="each place must be its own area")


def _merged_grid(places: Sequence[Place], size: float) -> xr.Dataset:
    xs = np.concatenate([p.grid["x"].values for p in places])
    ys = np.concatenate([p.grid["y"].values for p in places])
    nx = int(round((xs.max() - xs.min()) / size)) + 1
    ny = int(round((ys.max() - ys.min()) / size)) + 1
    x = xs.min() + size * np.arange(nx)
    y = ys.max() - size * np.arange(ny)  # north first
    layers = list(dict.fromkeys(v for p in places for v in p.grid.data_vars))
    data = {v: np.full((ny, nx), np.nan) for v in layers}
    for p in places:
        g = p.grid
        c0 = int(round((float(g["x"].values.min()) - x[0]) / size))
        r0 = int(round((y[0] - float(g["y"].values.max())) / size))
        sl = (slice(r0, r0 + g.sizes["y"]), slice(c0, c0 + g.sizes["x"]))
        flip = g.sizes["y"] > 1 and g["y"].values[1] > g["y"].values[0]
        inside = np.asarray(p.zone_index) >= 0
        if flip:
            inside = inside[::-1]
        for v in layers:
            src = g[v].values.astype(float) if v in g else np.zeros(inside.shape)
            src = src[::-1] if flip and v in g else src
            dst = data[v][sl]
            take = inside | np.isnan(dst)  # a council's own cells win; elsewhere the first grid to cover a cell
            dst[take] = src[take]
    out = {}
    for v in layers:
        arr = data[v]
        fill = 0.0 if v in _FILL_ZERO or v not in ("elevation",) else float(np.nanmedian(arr))
        arr = np.where(np.isnan(arr), fill, arr)
        ref = next(p.grid[v] for p in places if v in p.grid)
        out[v] = (("y", "x"), arr.astype(ref.dtype), dict(ref.attrs))
    grid = xr.Dataset(out, coords={"x": ("x", x, dict(places[0].grid["x"].attrs)),
                                   "y": ("y", y, dict(places[0].grid["y"].attrs))},
                      attrs=dict(places[0].grid.attrs))
    grid.attrs["cell_size"] = size
    return grid


def combine_places(places: Sequence[Place], *, name: str | None = None, shared: Iterable[str] = (),
                   description: str | None = None) -> Place:
    """One place of several councils (see the module docstring).

    Parameters
    ----------
    places
        Two or more council places (each place's name becomes its zones' ``council``).
    name
        Name of the combined place (default: the councils' names joined by ``+``).
    shared
        Ids of services every council's residents may use (besides those marked ``shared: true``).
    description
        Description for place.yaml (default: lists the councils).

    Raises
    ------
    PlaceDataError
        CRS, cell size, grid lattice or region differ; zone codes or service ids repeat; zones overlap.
    """
    places = list(places)
    size, _, _ = _check_compatible(places)
    _check_unique(places)
    shared = set(shared)
    unknown = shared - {s.id for p in places for s in p.services}
    if unknown:
        raise PlaceDataError("no such service to share", field="shared", value=sorted(unknown)[0])
    zones, services, pops = [], [], []
    for p in places:
        codes = [z.code for z in p.zones]
        zones += [dataclasses.replace(z, properties={**z.properties, COUNCIL: p.name}) for z in p.zones]
        for s in p.services:
            props = {**s.properties, COUNCIL: p.name}
            if s.id in shared:
                props["shared"] = True
            if not props.get("shared") and props.get("zones") in (None, "all"):
                props["zones"] = codes
            services.append(dataclasses.replace(s, properties=props))
        pops.append(p.population)
    first = places[0]
    councils = [p.name for p in places]
    meta = {**first.meta, "name": name or "+".join(councils), "councils": councils,
            "description": description or f"Combined place of {len(places)} councils: {', '.join(councils)}.",
            "sources": list(dict.fromkeys(s for p in places for s in p.meta.get("sources", [])))}
    stations = sorted({str(p.meta.get("climate_station")) for p in places})
    if len(stations) > 1:
        meta["description"] += f" Weather from {first.meta['climate_station']} (councils' stations: {', '.join(stations)})."
    population = xr.concat(pops, dim="zone")
    return Place(name=meta["name"], meta=meta, grid=_merged_grid(places, size), zones=tuple(zones),
                 services=tuple(services), population=population)


def translate_place(place: Place, dx: float, dy: float, *, prefix: str = "", name: str | None = None) -> Place:
    """The place moved by ``(dx, dy)`` metres, with ``prefix`` on its zone codes and service ids."""
    import shapely

    grid = place.grid.assign_coords(x=place.grid["x"] + dx, y=place.grid["y"] + dy)
    zones = tuple(dataclasses.replace(z, code=prefix + z.code, geometry=shapely.transform(z.geometry, lambda c: c + (dx, dy)))
                  for z in place.zones)
    services = tuple(dataclasses.replace(s, id=prefix + s.id, x=s.x + dx, y=s.y + dy, zone=prefix + s.zone)
                     for s in place.services)
    pop = place.population.assign_coords(zone=[prefix + str(z) for z in place.population["zone"].values])
    return place.replace(name=name or place.name, meta={**place.meta, "name": name or place.name}, grid=grid,
                         zones=zones, services=services, population=pop)


def metropolitan_area(residents: int, councils: int, *, seed: int = 20_261_130, name: str | None = None) -> Place:
    """A synthetic metropolitan area of ``councils`` London-like boroughs, ``residents`` in all (deterministic).

    Each council is the bundled urban borough's generator (land, wards, people, services) run
    with its own seed (``seed + k``) for ``residents / councils`` residents, placed on a grid of
    councils in rows of two, side by side on one 100 m lattice.
    """
    from twin.place.synthetic import COMMON_SOURCES, _assemble
    from twin.place._synth_land import urban_land

    if not 2 <= councils <= len(COUNCIL_NAMES):
        raise PlaceDataError(f"must be 2..{len(COUNCIL_NAMES)}", field="councils", value=councils)
    if residents < 1_000 * councils:
        raise PlaceDataError("too few residents for the councils (at least 1,000 each)", field="residents",
                             value=residents)
    shares = np.full(councils, residents // councils)
    shares[: residents - int(shares.sum())] += 1
    parts = []
    for k in range(councils):
        rng = np.random.default_rng(seed + k)
        land = urban_land(rng, int(shares[k]))
        meta = {"name": COUNCIL_NAMES[k], "description": "", "crs": "EPSG:27700", "cell_size": 100.0,
                "region": "London", "climate_station": "heathrow", "sources": list(COMMON_SOURCES)}
        part = _assemble(COUNCIL_NAMES[k], "urban", land, rng, 20, int(shares[k]), meta, uniform_weight=0.25)
        width = part.grid.sizes["x"] * 100.0
        height = part.grid.sizes["y"] * 100.0
        row, col = divmod(k, 2)
        parts.append(translate_place(part, col * width, -row * height, prefix=f"C{k + 1}-", name=COUNCIL_NAMES[k]))
    return combine_places(parts, name=name or f"metro_{councils}x{residents // councils}",
                          description=f"Synthetic metropolitan area: {councils} London-like boroughs, "
                                      f"{residents:,} residents, generated with seed {seed}.")

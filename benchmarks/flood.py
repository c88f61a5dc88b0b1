"""Benchmark of the flood solver: a 1-in-100-year 3-hour storm on the urban borough and on a
1,000 x 1,000-cell synthetic terrain, against the floor of a bare NumPy update of the same stencil
(and landlab's OverlandFlow on the urban storm).

Run from the repository root::

    python benchmarks/flood.py             # urban borough, 1000 x 1000 terrain, landlab
    python benchmarks/flood.py --quick     # urban borough and a 300 x 300 terrain, no landlab
    python benchmarks/flood.py --minutes 20 --skip-urban   # the first 20 min on 1000 x 1000 (a busy machine)

For each grid it prints the solver's wall time, steps and cell-updates per second, and the floor:
the same number of steps of :func:`twin.flood.solver.stencil_floor` (the momentum update with its
friction term and continuity, nothing else) measured in the same run. Goal (issue 11): the urban
storm in under 10 s; cell-updates per second within 5x of the floor. Landlab's ``OverlandFlow``
runs the same storm without losses (it has none) with one OpenMP thread.
Nothing is asserted: the numbers are printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from twin.flood.solver import simulate_flood, stencil_floor  # noqa: E402
from twin.flood.storms import DDF, design_storms  # noqa: E402


def _report(label: str, shape, res, wall: float) -> None:
    cells = shape[0] * shape[1]
    floor = stencil_floor(shape, res.steps)
    cups, fcups = res.cell_updates / wall, res.steps * cells / floor
    print(f"{label}: {shape[0]} x {shape[1]} cells, {res.steps} steps, {res.seconds / 3600:.1f} h simulated")
    print(f"  solver  {wall:7.2f} s  {cups / 1e6:6.2f} M cell-updates/s   (mass error {res.mass.error:.1e} m3)")
    print(f"  floor   {floor:7.2f} s  {fcups / 1e6:6.2f} M cell-updates/s   solver is {fcups / cups:.1f}x the floor")


def urban(storm) -> None:
    from twin.flood.event import terrain_of
    from twin.place import Place, resolve_place

    place = Place.load(resolve_place("urban_borough"))
    ter = terrain_of(place)
    t0 = time.perf_counter()
    res = simulate_flood(ter.elevation, ter.dx, storm.intensity_mm_h, storm.step_s, impervious=ter.impervious,
                         infiltration_mm_h=6.8, drainage_mm_h=12.0, manning=ter.manning)
    _report("urban borough, 1-in-100 3-hour storm", ter.elevation.shape, res, time.perf_counter() - t0)


def synthetic(storm, n: int, minutes: float) -> None:
    rng = np.random.default_rng(11)
    from scipy.ndimage import gaussian_filter

    y, x = np.mgrid[0:n, 0:n] / n
    z = 40 * y + 15 * np.sin(6 * x) + 8 * gaussian_filter(rng.standard_normal((n, n)), n / 40) / 0.05
    imp = np.clip(gaussian_filter(rng.random((n, n)), 3) * 2 - 0.5, 0, 1)
    t0 = time.perf_counter()
    res = simulate_flood(z, 50.0, storm.intensity_mm_h, storm.step_s, duration=minutes * 60.0,
                         impervious=imp, infiltration_mm_h=6.8, drainage_mm_h=12.0, manning=0.035)
    _report(f"synthetic terrain (50 m cells), first {minutes:g} min of the 1-in-100 3-hour storm", z.shape, res,
            time.perf_counter() - t0)


def landlab_urban(storm) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import xarray as xr
    from landlab import RasterModelGrid
    from landlab.components import OverlandFlow

    from twin.place import resolve_place

    z = xr.open_dataset(resolve_place("urban_borough") / "grid.nc")["elevation"].values.astype(float)[::-1]
    g = RasterModelGrid(z.shape, xy_spacing=100.0)
    g.add_field("topographic__elevation", z.ravel().copy(), at="node")
    g.add_zeros("surface_water__depth", at="node")
    of = OverlandFlow(g, mannings_n=0.035, steep_slopes=True)
    t, end, n = 0.0, 2 * storm.duration_min * 60.0, 0
    t0 = time.perf_counter()
    while t < end:
        k = int(t // storm.step_s)
        of.rainfall_intensity = storm.intensity_mm_h[k] / 3.6e6 if k < storm.intensity_mm_h.size else 0.0
        t += of.overland_flow(dt=min(storm.step_s - t % storm.step_s, end - t))
        n += 1
    wall = time.perf_counter() - t0
    print(f"landlab OverlandFlow, urban borough, same storm without losses: {wall:.2f} s")


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark (``argv``: command-line options; none from ``python -m benchmarks``)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a 300 x 300 terrain and no landlab")
    ap.add_argument("--minutes", type=float, default=180.0,
                    help="minutes of the storm to simulate on the synthetic terrain (default: all 180)")
    ap.add_argument("--skip-urban", action="store_true", help="only the synthetic terrain (and landlab)")
    args = ap.parse_args(argv or [])
    storm = design_storms(DDF(), [100], duration_min=180, step_min=5)[0]
    print(f"design storm: 1-in-100 years, 3 hours, {storm.depth_mm:.1f} mm (London-like DDF, no uplift)")
    if not args.skip_urban:
        urban(storm)
    synthetic(storm, 300 if args.quick else 1000, args.minutes)
    if not args.quick:
        landlab_urban(storm)


if __name__ == "__main__":
    main(sys.argv[1:])

"""A combined authority end to end: four councils, a million residents, a heat-health appraisal.

    python benchmarks/metro.py                          # 1,000,000 residents, 4 councils (several minutes)
    python benchmarks/metro.py --residents 100000 --replicates 1 --days 14   # a quick look

What a user types, timed stage by stage in fresh processes (so each figure includes start-up):

1. ``twin places make --residents N --councils 4``: the synthetic metropolitan area;
2. ``twin validate``: the scenario below, against that place;
3. ``twin run --jobs 2``: three options (do nothing, phone outreach, cooling centres in the
   hottest zones) x two pathways (today, +2 degC) x replicates, a summer of ``--days`` days,
   indicators and plots;
4. ``twin report`` (the HTML report, with the split by council) and ``twin compare``.

Prints measured numbers only (wall time and peak RSS of each stage). The run stage's rate is
resident-days per second over all runs. A stage's peak RSS is the larger of its own and its worker
processes'; on Linux a worker's figure starts from its parent's RSS when it was started, so for the
run stage it is an upper bound.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCENARIO = """\
name: metro_heat
description: Heat-health options for a four-council combined authority, today and at 2 degC.
place: {place}
model: heat_health
parameters: {{}}
pathways: [baseline, gwl2]
period: {{start: 2040-07-01, end: {end}}}
replicates: {replicates}
seed: 20261130
climate: {{source: generator}}
options:
  - name: do_nothing
    interventions: []
  - name: outreach_phone
    budget: 400000
    interventions:
      - {{type: heat_health_outreach, mode: phone, staff: 16.0, target: all}}
  - name: cooling_centres_hottest
    budget: 400000
    interventions:
      - {{type: cooling_centres, capacity: 150.0, site: hottest, target: {{top: 12, by: heat_exposure}}}}
outputs: {{daily_by_age: false, plots: true}}
"""


def _stage(label: str, args: list[str], cwd: Path) -> tuple[float, float]:
    """Run ``twin ARGS`` in a fresh process; its wall time (s) and peak RSS (MB)."""
    code = ("import resource, sys; from twin.cli import main; rc = main(sys.argv[1:]); "
            "sys.stdout.flush(); print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024); sys.exit(rc)")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=cwd)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(f"{label} failed ({res.returncode}):\n{res.stderr[-2000:]}")
    peak = [line for line in res.stdout.splitlines() if line.startswith("PEAK")][-1].split()
    return wall, max(float(peak[1]), float(peak[2]))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--residents", type=int, default=1_000_000)
    ap.add_argument("--councils", type=int, default=4)
    ap.add_argument("--replicates", type=int, default=2)
    ap.add_argument("--days", type=int, default=31, help="summer days simulated from 1 July (default 31)")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args([] if argv is None else argv)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load average {os.getloadavg()[0]:.1f}")
    end = dt.date(2040, 7, 1) + dt.timedelta(days=args.days - 1)
    runs = 3 * 2 * args.replicates
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        place = d / "metro"
        sc = d / "metro_heat.yaml"
        sc.write_text(SCENARIO.format(place=place, end=end.isoformat(), replicates=args.replicates))
        out = d / "out"
        stages = [
            ("make the place", ["places", "make", "--residents", str(args.residents), "--councils",
                                str(args.councils), "-o", str(place)]),
            ("validate", ["validate", str(sc)]),
            (f"run ({runs} runs, --jobs {args.jobs})", ["run", str(sc), "-o", str(out), "-q", "--jobs", str(args.jobs)]),
            ("report", ["report", str(out)]),
            ("compare", ["compare", str(out)]),
        ]
        total = 0.0
        for label, cmd in stages:
            wall, mb = _stage(label, cmd, d)
            total += wall
            extra = ""
            if label.startswith("run"):
                rd = runs * args.residents * args.days
                extra = f"; {rd / 1e9:.2f} G resident-days, {rd / wall / 1e6:.1f} M resident-days/s"
            print(f"{label:<32} {wall:8.1f} s   peak RSS {mb:7.0f} MB{extra}", flush=True)
        print(f"{'end to end':<32} {total:8.1f} s   ({args.residents:,} residents, {args.councils} councils, "
              f"{args.days} days, {runs} runs)")
    print(f"this process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])

"""``python -m benchmarks``: every benchmark in turn, each printing its measured figures.

    python -m benchmarks                  # all of them (several minutes on 2 cores)
    python -m benchmarks spine ensemble   # some of them
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ALL = [p.stem for p in sorted(HERE.glob("*.py")) if not p.stem.startswith("_")]


def main(names: list[str]) -> None:
    sys.path.insert(0, str(HERE.parent))
    for name in names or ALL:
        if name not in ALL:
            raise SystemExit(f"unknown benchmark {name!r}; have: {', '.join(ALL)}")
        print(f"== benchmarks/{name}.py")
        t0 = time.perf_counter()
        importlib.import_module(f"benchmarks.{name}").main()
        print(f"   ({time.perf_counter() - t0:.0f} s)\n", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

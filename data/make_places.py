"""Regenerate the bundled synthetic places (data/places/urban_borough, data/places/rural_district).

Usage: ``python data/make_places.py [--out DIR]``. The generator (twin.place.synthetic) is
deterministic: running it twice gives byte-identical files. Calibration sources are in
twin/_synth_people.py, twin/_synth_land.py, twin/_synth_services.py and each place.yaml.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a source checkout without an install
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    from twin.place import Place
    from twin.place.synthetic import write_bundled_places

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "places",
                        help="directory to write the places into (default: data/places)")
    args = parser.parse_args(argv)
    for path in write_bundled_places(args.out, overwrite=True):
        place = Place.load(path)
        size = sum(f.stat().st_size for f in path.iterdir())
        print(place.summary())
        print(f"  {path}  {size / 1e6:.2f} MB")
        for name, digest in place.checksums.items():
            assert digest == hashlib.sha256((path / name).read_bytes()).hexdigest()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

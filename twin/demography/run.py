"""``twin project SCENARIO``: a projection scenario file to projection.nc, CSVs, plots and a manifest."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from twin import __version__
from twin.errors import OutputError

__all__ = ["run_projection_scenario"]

_OUTPUTS = ("projection.nc", "projection.csv", "components.csv", "demand.csv", "demand_first_exceeded.csv", "plots", "manifest.json")


def run_projection_scenario(path: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *,
                            overwrite: bool = False) -> Path:
    """Validate a projection scenario, project its place and write the outputs to ``out``.

    Outputs are built in ``out/.staging`` and moved into place when whole, so an error
    leaves no half-written projection; existing outputs are kept unless ``overwrite``.
    Returns the output directory (default ``results/<scenario name>``).
    """
    from twin.demography.outputs import run_projection
    from twin.place import Place, resolve_place
    from twin.scenario import load

    t0 = time.perf_counter()
    sc = load(path, kind="projection")
    place = Place.load(resolve_place(sc.place, sc.base_dir))
    out = Path(out) if out is not None else Path("results") / sc.name
    try:
        if out.exists() and not out.is_dir():
            raise OutputError("output path exists and is not a directory", field="-o", value=str(out))
        existing = [n for n in _OUTPUTS if (out / n).exists()]
        if existing and not overwrite:
            raise OutputError("output directory already holds a projection", field="-o", value=str(out),
                              hint="pass --overwrite to replace it, or choose another directory with -o")
        staging = out / ".staging"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
    except PermissionError as err:
        raise OutputError("output directory is not writable", field="-o", value=str(out)) from err
    except OSError as err:
        if isinstance(err, OutputError):
            raise
        raise OutputError(f"cannot write the output directory ({err.strerror})", field="-o", value=str(out)) from err
    provenance = {
        "scenario_name": sc.name,
        "scenario_sha256": sc.sha256,
        "scenario": sc.text,
        "place": place.name,
        "placetwin_version": __version__,
        "input_checksums": json.dumps({f"place/{k}": v for k, v in sorted(dict(place.checksums).items())}),
    }
    try:
        written = run_projection(place, sc.demography, staging, overwrite=True, provenance=provenance,
                                 base_dir=sc.base_dir, plots=sc.outputs.plots)
        manifest = {
            "placetwin_version": __version__,
            "scenario": {"name": sc.name, "path": str(sc.path), "sha256": sc.sha256, "text": sc.text},
            "place": place.name,
            "variants": list(sc.demography.variants),
            "input_checksums": {f"place/{k}": v for k, v in sorted(dict(place.checksums).items())},
            "outputs": sorted(str(Path(p).relative_to(staging)) for p in written.values()),
            "timings_seconds": {"total": round(time.perf_counter() - t0, 3)},
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
        for name in _OUTPUTS:
            target = out / name
            if target.is_dir():
                shutil.rmtree(target)
            if (staging / name).exists():
                os.replace(staging / name, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out

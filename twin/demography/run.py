"""``twin project SCENARIO``: a projection scenario file to projection.nc, CSVs, plots and a manifest."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from twin import __version__
from twin.run.writer import OutputDir, manifest

__all__ = ["run_projection_scenario"]

_OUTPUTS = ("projection.nc", "projection.csv", "components.csv", "demand.csv", "demand_first_exceeded.csv", "plots", "manifest.json")


def run_projection_scenario(path: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *,
                            overwrite: bool = False) -> Path:
    """Validate a projection scenario, project its place and write the outputs to ``out``.

    Outputs go through the one writer (:class:`twin.run.writer.OutputDir`): built in a staging
    folder and moved into place when whole, so an error leaves no half-written projection and
    existing outputs are replaced (with ``overwrite``) only by a whole new one.
    Returns the output directory (default ``results/<scenario name>``).
    """
    from twin.demography.outputs import run_projection
    from twin.place import Place, resolve_place
    from twin.scenario import load

    t0 = time.perf_counter()
    sc = load(path, kind="projection")
    place = Place.load(resolve_place(sc.place, sc.base_dir))
    out = Path(out) if out is not None else Path("results") / sc.name
    provenance = {
        "scenario_name": sc.name,
        "scenario_sha256": sc.sha256,
        "scenario": sc.text,
        "place": place.name,
        "placetwin_version": __version__,
        "input_checksums": json.dumps({f"place/{k}": v for k, v in sorted(dict(place.checksums).items())}),
    }
    with OutputDir(out, holds=_OUTPUTS, overwrite=overwrite, what="a projection") as outdir:
        folder = outdir.path("")
        written = run_projection(place, sc.demography, folder, overwrite=True, provenance=provenance,
                                 base_dir=sc.base_dir, plots=sc.outputs.plots)
        outdir.write_json("manifest.json", manifest(
            kind="projection", scenario=sc, place=place.name, variants=list(sc.demography.variants),
            input_checksums={f"place/{k}": v for k, v in sorted(dict(place.checksums).items())},
            outputs=sorted(str(Path(p).relative_to(folder)) for p in written.values()),
            timings={"total": round(time.perf_counter() - t0, 3)},
        ))
        regrouped = [p.name for p in folder.glob("projection_*.csv")]  # zones of another vintage (zone_lookup)
        outdir.publish(list(_OUTPUTS) + regrouped)
    return out

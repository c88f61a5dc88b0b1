"""Run the IOOS compliance-checker (CF 1.10) on NetCDF files; return its error-level messages."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

__all__ = ["cf_errors"]


def cf_errors(path: str | os.PathLike[str]) -> list[str]:
    """High-priority (error) messages of ``compliance-checker --test cf:1.10`` on ``path``."""
    from compliance_checker.runner import CheckSuite, ComplianceChecker

    CheckSuite.load_all_available_checkers()
    fd, out = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        ComplianceChecker.run_checker(str(path), ["cf:1.10"], 0, "normal", output_filename=out, output_format="json")
        report = json.loads(Path(out).read_text())["cf:1.10"]
    finally:
        Path(out).unlink(missing_ok=True)
    return [m for p in report["high_priorities"] for m in p["msgs"]]

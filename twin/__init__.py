"""placetwin: a digital twin of a place for testing climate-adaptation options and demographic futures."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path as _Path

try:
    __version__ = version("placetwin")
except PackageNotFoundError:  # running from a source checkout without an install
    __version__ = "0.1.0+source"

# The user's layout keeps models/, cli.py and data/ beside twin/. The wheel maps them into
# this package (twin.models, twin.cli, twin/data/places: see pyproject.toml). In a source
# checkout they are found the same way by adding the checkout's root to this package's
# search path, so `twin.models` and `twin.cli` import identically in both, and no bare
# top-level `models` or `cli` module is ever put on sys.path.
_here = _Path(__file__).resolve().parent
if not (_here / "models").is_dir() and (_here.parent / "models" / "__init__.py").is_file():
    __path__.append(str(_here.parent))  # noqa: F821 - package __path__

__all__ = ["__version__"]

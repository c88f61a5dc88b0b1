"""Start the dashboard: a Solara server on loopback, serving only local files.

The Solara settings are environment variables read when Solara is first imported, so
:func:`configure` sets them before anything imports ``solara``:

* the browser assets come from ``twin/dashboard/assets/cdn`` (Solara's proxy cache) and the
  CDN is pointed at a closed loopback port, so the page never fetches anything from the
  internet (no scripts, fonts or map tiles from outside);
* Solara's usage telemetry is off;
* the results directories and the folder new runs are written to travel to the app as
  ``PLACETWIN_DASHBOARD_RESULTS`` (``os.pathsep``-separated) and ``PLACETWIN_DASHBOARD_RUNS``.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Sequence
from pathlib import Path

from twin.errors import OutputError

__all__ = ["ASSETS_DIR", "ENV_RESULTS", "ENV_RUNS", "check_results_dir", "configure", "free_port", "serve"]

ASSETS_DIR = Path(__file__).resolve().parent / "assets" / "cdn"
ENV_RESULTS = "PLACETWIN_DASHBOARD_RESULTS"
ENV_RUNS = "PLACETWIN_DASHBOARD_RUNS"
#: TCP port 9 ("discard") on loopback: nothing listens, so a missing asset fails at once, locally
CLOSED_CDN = "http://127.0.0.1:9/"


def check_results_dir(path: str | os.PathLike[str]) -> Path:
    """The directory as an absolute path, or an :class:`OutputError` when it holds no results."""
    p = Path(path).expanduser().resolve()
    if not p.is_dir():
        raise OutputError("no such results directory", field="RESULTS_DIR", value=str(path))
    if not ((p / "results.nc").is_file() or (p / "projection.nc").is_file()):
        raise OutputError("holds neither results.nc nor projection.nc", field="RESULTS_DIR", value=str(path),
                          hint="run `twin run SCENARIO -o DIR` or `twin project SCENARIO -o DIR` first")
    return p


def configure(results_dirs: Sequence[str | os.PathLike[str]] = (), runs_dir: str | os.PathLike[str] | None = None,
              env: dict[str, str] | None = None) -> dict[str, str]:
    """Set (in ``env``, default ``os.environ``) what the app and Solara need; return the values set."""
    env = os.environ if env is None else env
    dirs = [str(check_results_dir(d)) for d in results_dirs]
    values = {
        "SOLARA_APP": "twin.dashboard.app",
        "SOLARA_ASSETS_PROXY": "true",
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(ASSETS_DIR),
        "SOLARA_ASSETS_CDN": CLOSED_CDN,
        "SOLARA_ASSETS_FONTAWESOME_ENABLED": "false",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        "SOLARA_THEME_TITLE": "placetwin",
        "SOLARA_THEME_SHOW_BANNER": "false",
        "MPLBACKEND": "Agg",
        ENV_RESULTS: os.pathsep.join(dirs),
        ENV_RUNS: str(Path(runs_dir or "results").expanduser().resolve()),
    }
    env.update(values)
    return values


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on now (for tests and ``--port 0``)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def serve(results_dirs: Sequence[str | os.PathLike[str]] = (), *, host: str = "127.0.0.1", port: int = 8765,
          runs_dir: str | os.PathLike[str] | None = None, echo: Callable[[str], None] = print) -> None:
    """Serve the dashboard until interrupted; ``echo`` gets the address first."""
    configure(results_dirs, runs_dir)
    port = free_port(host) if port == 0 else int(port)
    try:
        with socket.socket() as s:
            s.bind((host, port))
    except OSError as err:
        raise OutputError(f"cannot listen there ({err.strerror})", field="--port", value=f"{host}:{port}",
                          hint="choose another port with --port") from err
    import warnings

    import uvicorn

    # Solara warns on every page load served to an address other than "localhost" that its session cookie
    # falls back to SameSite=Lax; on loopback that is what we want, so the warning is noise here
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    shown = f"[{host}]" if ":" in host else host
    echo(f"placetwin dashboard: http://{shown}:{port}/  (Ctrl+C to stop)")
    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning", ws="auto")

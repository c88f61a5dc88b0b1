"""Shared state and widgets of the dashboard's pages (figures, tables, the results picker).

State is per browser session: the module-level ``solara.reactive`` values below are scoped to
the session (each browser tab has its own), and what a session loads is cached in a
per-session dict that :func:`Layout` creates and hands down in a context, so nothing a user
picks or loads is shared with another user. The results directories given on the command
line are the starting list of every session; a run started from the Run page adds its result
to that session's list only.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import solara
import solara.lab
import traitlets
import ipyvuetify as v

from twin.dashboard.data import Loaded, configured_dirs, load_dir

__all__ = ["ClickImage", "Figure", "ResultsPicker", "Table", "cached", "current", "dirs", "option", "pathway",
           "pick_run_setting", "png_url", "session_cache", "use_loaded"]

#: The results directories this session can open (strings, newest run last), and the one open now.
dirs = solara.reactive([str(p) for p in configured_dirs()])
current = solara.reactive(str(configured_dirs()[0]) if configured_dirs() else "")
option = solara.reactive("")
pathway = solara.reactive("")

session_cache = solara.create_context(None)

CSS = """
.twin-table table {border-collapse: collapse; font-size: 12px; margin: 4px 0}
.twin-table td, .twin-table th {border: 1px solid #ccc; padding: 2px 6px; text-align: right}
.twin-table th {background: #eef3ee}
.twin-note {color: #555; font-size: 13px}
"""


class ClickImage(v.VuetifyTemplate):
    """A PNG shown at its own pixel size; ``clicked`` gets the pixel clicked (``x``, ``y`` from the top left)."""

    template = traitlets.Unicode(
        '<template><img :src="src" :width="width" :height="height" class="zone-map" '
        'style="cursor: crosshair; max-width: none" '
        '@click="clicked = {x: $event.offsetX, y: $event.offsetY, t: Date.now()}" /></template>'
    ).tag(sync=True)
    src = traitlets.Unicode("").tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)
    clicked = traitlets.Dict({}).tag(sync=True)


def png_url(fig: Any, dpi: int = 100) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


@solara.component
def Figure(fig: Any, name: str, dpi: int = 100):
    """A matplotlib Figure as an <img> (class ``fig-NAME``, for tests and styling)."""
    url = solara.use_memo(lambda: png_url(fig, dpi), [fig])
    solara.HTML(tag="img", attributes={"src": url, "alt": name.replace("-", " ")}, classes=[f"fig-{name}"],
                style="max-width: 100%; height: auto")


@solara.component
def Table(df: Any, name: str):
    html = solara.use_memo(lambda: df.to_html(index=False, na_rep="–", float_format=lambda x: f"{x:,.3g}"), [df])
    solara.HTML(tag="div", unsafe_innerHTML=html, classes=["twin-table", f"table-{name}"])


def use_cache() -> dict:
    cache = solara.use_context(session_cache)
    return cache if cache is not None else {}


def use_loaded() -> Loaded | None:
    """The results directory open in this session, read once per session."""
    cache = use_cache()
    path = current.value
    if not path:
        return None
    key = ("loaded", path)
    if key not in cache:
        cache[key] = load_dir(path)
    return cache[key]


def cached(key: tuple, make: Any) -> Any:
    """A per-session memo (for results-wide computations such as the appraisal)."""
    cache = use_cache()
    if key not in cache:
        cache[key] = make()
    return cache[key]


@solara.component
def ResultsPicker(kind: str | None = None):
    """Choose which results directory to look at (among this session's list)."""
    choices = [d for d in dirs.value if kind is None or Path(d, "projection.nc" if kind == "projection" else "results.nc").is_file()]
    labels = {str(Path(d).name): d for d in choices}
    value = Path(current.value).name if current.value in choices else None

    def default() -> None:
        if current.value not in choices and choices:
            current.set(choices[0])

    solara.use_effect(default, [current.value, tuple(choices)])

    def pick(name: str | None) -> None:
        if name in labels:
            current.set(labels[name])

    if not choices:
        what = "projection (`twin project SCENARIO`)" if kind == "projection" else "results (`twin run SCENARIO`)"
        solara.Warning(f"No {what} directory open here. Start the dashboard with `twin dashboard DIR ...`, or run a "
                       "scenario from the Run page.")
        return
    solara.Select("results", values=list(labels), value=value, on_value=pick, classes=["results-picker"])


def pick_run_setting(loaded: Loaded, allow_reference: bool = True) -> tuple[str, str]:
    """Session option and pathway, defaulting to the first non-reference option and the warmest pathway."""
    from twin.dashboard.views import options, pathways, reference

    opts = options(loaded.ds)
    ref = reference(loaded.ds)
    default_opt = next((o for o in opts if o != ref), opts[0])
    opt = option.value if option.value in opts and (allow_reference or option.value != ref) else default_opt
    paths = pathways(loaded.ds)
    pw = pathway.value if pathway.value in paths else paths[-1]
    return opt, pw

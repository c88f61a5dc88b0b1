"""The Solara app of ``twin dashboard``: pages Options, Map, Who is left out, Futures, Run, Live model.

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

__all__ = ["Layout", "routes"]

#: The results directories this session can open (strings, newest run last), and the one open now.
dirs = solara.reactive([str(p) for p in configured_dirs()])
current = solara.reactive(str(configured_dirs()[0]) if configured_dirs() else "")
option = solara.reactive("")
pathway = solara.reactive("")

_session_cache = solara.create_context(None)

_CSS = """
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
    cache = solara.use_context(_session_cache)
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


@solara.component
def Layout(children=[]):  # noqa: B006 - Solara's signature
    cache = solara.use_memo(dict, [])  # one per session: the Layout lives as long as the session
    solara.Style(_CSS)
    _session_cache.provide(cache)
    solara.Title("placetwin dashboard")
    route, siblings = solara.use_route()
    router = solara.use_router()
    index = siblings.index(route) if route in siblings else 0

    def go(i: int) -> None:
        r = siblings[i]
        router.push("/" if r.path == "/" else f"/{r.path}")

    with solara.AppLayout(title="placetwin", navigation=False) as main:
        with solara.lab.Tabs(value=index, on_value=go, align="left", background_color="#e8f1e8"):
            for r in siblings:
                solara.lab.Tab(r.label or r.path, classes=[f"nav-{r.path.strip('/') or 'options'}"])
        for child in children:
            solara.display(child)
    return main


from twin.dashboard.pages import Futures, LeftOut, MapPage, Options  # noqa: E402
from twin.dashboard.run_pages import LiveModel, RunPage  # noqa: E402

routes = [
    solara.Route(path="/", component=Options, label="Options", layout=Layout),
    solara.Route(path="map", component=MapPage, label="Map"),
    solara.Route(path="left-out", component=LeftOut, label="Who is left out"),
    solara.Route(path="futures", component=Futures, label="Futures"),
    solara.Route(path="run", component=RunPage, label="Run"),
    solara.Route(path="live", component=LiveModel, label="Live model"),
]


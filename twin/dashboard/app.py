"""The Solara app of ``twin dashboard``: pages Options, Map, Who is left out, Futures, Run, Live model.

``routes`` are the pages; :func:`Layout` wraps them with the navigation tabs and creates the
per-session cache (see :mod:`twin.dashboard.widgets` for the session state).
"""

from __future__ import annotations

import solara
import solara.lab

from twin.dashboard.pages import Futures, LeftOut, MapPage, Options
from twin.dashboard.run_pages import LiveModel, RunPage
from twin.dashboard.widgets import CSS, session_cache

__all__ = ["Layout", "routes"]


@solara.component
def Layout(children=[]):  # noqa: B006 - Solara's signature
    cache = solara.use_memo(dict, [])  # one per session: the Layout lives as long as the session
    solara.Style(CSS)
    session_cache.provide(cache)
    solara.Title("placetwin dashboard")
    route, siblings = solara.use_route()
    router = solara.use_router()
    index = siblings.index(route) if route in siblings else 0

    def go(i: int) -> None:
        r = siblings[i]
        router.push("/" if r.path == "/" else f"/{r.path}")

    with solara.AppLayout(title="placetwin", navigation=False) as main:
        with solara.Column(gap="8px"):  # one child: AppLayout would put a second one in a sidebar
            with solara.lab.Tabs(value=index, on_value=go, align="left", background_color="#e8f1e8"):
                for r in siblings:
                    solara.lab.Tab(r.label or r.path, classes=[f"nav-{r.path.strip('/') or 'options'}"])
            for child in children:
                solara.display(child)
    return main


routes = [
    solara.Route(path="/", component=Options, label="Options", layout=Layout),
    solara.Route(path="map", component=MapPage, label="Map"),
    solara.Route(path="left-out", component=LeftOut, label="Who is left out"),
    solara.Route(path="futures", component=Futures, label="Futures"),
    solara.Route(path="run", component=RunPage, label="Run"),
    solara.Route(path="live", component=LiveModel, label="Live model"),
]


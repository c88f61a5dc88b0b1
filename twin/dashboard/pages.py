"""The result pages of the dashboard: Options, Map, Who is left out, Futures.

Every figure and table comes from a view function (:mod:`twin.dashboard.views`,
:mod:`twin.dashboard.maps`, :mod:`twin.dashboard.futures`); the pages only hold the controls.
"""

from __future__ import annotations

import solara

from twin.dashboard import widgets as A

__all__ = ["Futures", "LeftOut", "MapPage", "Options"]


def _money(x: float) -> str:
    return f"£{x / 1e6:,.2f}m" if abs(x) >= 1e5 else f"£{x:,.0f}"


@solara.component
def Options():
    A.ResultsPicker("results")
    loaded = A.use_loaded()
    if loaded is not None and loaded.kind == "results":
        OptionsBody(loaded)


@solara.component
def OptionsBody(loaded):
    from twin.dashboard import views

    ds = loaded.ds
    solara.Text(loaded.label, classes=["results-label"])
    app = A.cached(("appraisal", str(loaded.path)), lambda: views.appraise_results(ds, loaded.setup))
    table = A.cached(("comparison", str(loaded.path)), lambda: views.comparison_table(ds, loaded.setup, app))
    indicators = A.cached(("headline", str(loaded.path)), lambda: views.headline_indicators(ds))
    indicator, set_indicator = solara.use_state(indicators[0] if indicators else "")
    with solara.Card("Option comparison"):
        level = table.attrs.get("level", 0.95)
        if app is not None:
            solara.Text(f"Against {table.attrs.get('reference_option')}: Green Book present values, "
                        f"{level:.0%} paired intervals across replicates (common random numbers). Least maximum regret "
                        f"across pathways: {table.attrs.get('minimax_regret_option')}.", classes=["twin-note"])
        else:
            solara.Text("These results carry no monetised benefit: paired differences from the reference option "
                        "(per 1,000 residents).", classes=["twin-note"])
        A.Table(table, "comparison")
        if app is not None:
            A.Table(views.regret_table(ds, app), "regret")
    fig = solara.use_memo(lambda: views.forest_figure(ds, indicator) if indicator else None,
                          [str(loaded.path), indicator])
    if fig is not None:
        with solara.Card("Paired differences"):
            solara.Select("indicator", values=indicators, value=indicator, on_value=set_indicator)
            A.Figure(fig, "forest")
    if app is not None:
        Portfolio(loaded, app)


@solara.component
def Portfolio(loaded, app):
    from twin.dashboard import views

    ds = loaded.ds
    paths = views.pathways(ds)
    top = max(views.budget_span(app), 1.0)
    budget, set_budget = solara.use_state(round(top / 2, -3))
    pw, set_pw = solara.use_state(paths[-1])
    interventions = loaded.setup.interventions if loaded.setup is not None else None  # one group per type
    chosen, fig, tab = solara.use_memo(lambda: views.portfolio_view(app, pw, budget, interventions),
                                       [str(loaded.path), pw, budget])
    with solara.Card("Portfolio under a budget"):
        solara.Text("The set of options (each one intervention) with the largest summed benefit whose capital plus "
                    "first-year running cost fits the budget. Benefits are assumed additive: run the chosen set as "
                    "one option to check.", classes=["twin-note"])
        solara.ToggleButtonsSingle(value=pw, values=paths, on_value=set_pw, classes=["portfolio-pathway"])
        solara.SliderFloat("budget (£)", value=budget, min=0.0, max=float(top), step=max(round(top / 200, -2), 100.0),
                           on_value=set_budget, thumb_label=False)
        solara.Text(f"Budget {_money(budget)}: choose {' + '.join(chosen.members) or 'nothing'} "
                    f"(cost {_money(chosen.cost)}, benefit {_money(chosen.benefit)}; {chosen.method})",
                    classes=["portfolio-members"])
        A.Figure(fig, "pareto")
        A.Table(tab, "portfolio")


@solara.component
def MapPage():
    A.ResultsPicker("results")
    loaded = A.use_loaded()
    if loaded is not None and loaded.kind == "results":
        if loaded.zones is None:
            solara.Warning("The place of these results cannot be found, so there is no map.")
        else:
            MapBody(loaded)


@solara.component
def MapBody(loaded):
    from twin.dashboard import maps, views

    ds = loaded.ds
    variables = A.cached(("map_vars", str(loaded.path)), lambda: maps.map_variables(ds))
    var, set_var = solara.use_state(next(iter(variables)))
    per, set_per = solara.use_state("per 1,000")
    rate_kind, set_kind = solara.use_state("crude")
    show, set_show = solara.use_state("option")
    zone, set_zone = solara.use_state(None)
    opt, pw = A.pick_run_setting(loaded)
    with solara.Row(style="flex-wrap: wrap; align-items: center"):
        solara.Select("indicator", values=list(variables), value=var, on_value=set_var, classes=["map-variable"])
        solara.Select("option", values=views.options(ds), value=opt, on_value=A.option.set, classes=["map-option"])
        solara.ToggleButtonsSingle(value=pw, values=views.pathways(ds), on_value=A.pathway.set, classes=["map-pathway"])
    with solara.Row(style="flex-wrap: wrap; align-items: center"):
        solara.ToggleButtonsSingle(value=per, values=["per 1,000", "per 100,000"], on_value=set_per)
        kinds = ["crude", "age-standardised"] if maps.age_source(ds, var) else ["crude"]
        solara.ToggleButtonsSingle(value=rate_kind if rate_kind in kinds else "crude", values=kinds, on_value=set_kind)
        solara.ToggleButtonsSingle(value=show, values=["option", f"difference from {views.reference(ds)}"],
                                   on_value=set_show)
    services = loaded.option_services(opt)
    image = solara.use_memo(
        lambda: maps.map_figure(ds, loaded.zones, var, opt, pw, per=100_000 if per == "per 100,000" else 1000,
                                standardised=rate_kind == "age-standardised", difference=show != "option",
                                services=services, selected=zone),
        [str(loaded.path), var, opt, pw, per, rate_kind, show, zone])
    url = solara.use_memo(lambda: A.png_url(image.figure), [image])

    def clicked(where: dict) -> None:
        if where:
            code = maps.zone_at(image, float(where.get("x", -1)), float(where.get("y", -1)))
            set_zone(code)

    with solara.Row(style="flex-wrap: wrap"):
        with solara.Column():
            A.ClickImage.element(src=url, width=image.width, height=image.height, on_clicked=clicked)
            solara.Text(f"{variables[var]} — click a zone for its detail.", classes=["twin-note"])
        with solara.Column(classes=["zone-detail"]):
            if zone is None:
                solara.Text("No zone selected.", classes=["zone-title"])
            else:
                name = str(ds["zone_name"].sel(zone=zone).item()) if "zone_name" in ds.coords else zone
                solara.Text(f"{zone} {name}", classes=["zone-title"])
                A.Figure(maps.zone_detail_figure(ds, zone, opt, pw), "zone-detail")
                A.Table(maps.zone_detail_table(ds, zone, opt, pw), "zone-detail")


@solara.component
def LeftOut():
    A.ResultsPicker("results")
    loaded = A.use_loaded()
    if loaded is not None and loaded.kind == "results":
        if loaded.ds.sizes["option"] < 2:
            solara.Info("Only the reference option: nothing to compare.")
        else:
            LeftOutBody(loaded)


@solara.component
def LeftOutBody(loaded):
    from twin.dashboard import views

    ds = loaded.ds
    opt, pw = A.pick_run_setting(loaded, allow_reference=False)
    ref = views.reference(ds)
    with solara.Row(style="flex-wrap: wrap; align-items: center"):
        solara.Select("option", values=[o for o in views.options(ds) if o != ref], value=opt, on_value=A.option.set,
                      classes=["leftout-option"])
        solara.ToggleButtonsSingle(value=pw, values=views.pathways(ds), on_value=A.pathway.set,
                                   classes=["leftout-pathway"])
    def make():
        try:
            return views.left_out_figure(ds, opt, pw), views.left_out_table(ds, opt, pw), None
        except Exception as err:  # noqa: BLE001 - results without the splits: say so on the page
            return None, None, str(err)

    fig, tab, err = solara.use_memo(make, [str(loaded.path), opt, pw])
    if err is not None:
        solara.Error(f"No equity splits in these results: {err}")
        return
    solara.Text(f"Benefit of {opt} against {ref} per 1,000 residents in each group, with paired intervals. Groups "
                "whose interval lies at or below zero gain nothing: they are left out.", classes=["twin-note"])
    A.Figure(fig, "left-out")
    A.Table(tab, "left-out")


@solara.component
def Futures():
    A.ResultsPicker("projection")
    loaded = A.use_loaded()
    if loaded is not None and loaded.kind == "projection":
        FuturesBody(loaded)


@solara.component
def FuturesBody(loaded):
    from twin.dashboard import futures

    ds = loaded.ds
    variants = futures.variants(ds)
    years = [int(y) for y in ds["year"].values]
    variant, set_variant = solara.use_state(variants[0])
    zone, set_zone = solara.use_state("whole place")
    year, set_year = solara.use_state(years[-1])
    with solara.Row(style="flex-wrap: wrap; align-items: center"):
        solara.Select("variant", values=variants, value=variant, on_value=set_variant, classes=["futures-variant"])
        solara.Select("ward", values=["whole place"] + [str(z) for z in ds["zone"].values], value=zone,
                      on_value=set_zone)
        solara.SliderInt("year", value=year, min=years[1] if len(years) > 1 else years[0], max=years[-1],
                         on_value=set_year)
    A.Table(futures.summary_table(ds, year), "futures")
    with solara.Row(style="flex-wrap: wrap"):
        A.Figure(solara.use_memo(lambda: futures.pyramid_figure(ds, variant, None if zone == "whole place" else zone, year),
                                 [variant, zone, year]), "pyramid")
        A.Figure(solara.use_memo(lambda: futures.growth_figure(ds, loaded.zones, variant, year=year), [variant, year]),
                 "growth")
    A.Figure(solara.use_memo(lambda: futures.demand_figure(loaded.demand, ds, variant), [variant]), "demand")

"""The published figures placetwin uses: citation, figure, where the code uses it.

One table, :data:`SOURCES`, rendered twice: as ``docs/sources.md`` (:func:`sources_markdown`; a test
checks the file matches) and as the "Sources" section of every ``report.html`` (:func:`sources_rows`).
Code, data and docs cite a figure as ``docs/sources.md sN`` (section ``N`` below). ``docs/sources.md``
starts with this generated part; hand-written sections (trial design, projections) follow it. Status: **S** seen in
the published material, **D** derived arithmetically from S figures, **L** an assumption (low
confidence) exposed as a parameter. "calibrated on" figures were used to set parameters; "evidence"
figures are compared with model output after the fact (out-of-sample checks).
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["SECTIONS", "SOURCES", "Source", "sources_markdown", "sources_rows"]


class Source(NamedTuple):
    section: int
    figure: str
    citation: str
    status: str
    use: str  # "calibrated on", "evidence" or "input"
    where: str


SECTIONS = {
    1: "Heat and mortality",
    2: "Climate drivers (UKCP18, observed trends)",
    3: "Urban heat island and green infrastructure",
    5: "Demography",
    6: "Digital exclusion",
    7: "Costs and appraisal",
    8: "Community progress index (Social Progress Index method)",
    9: "Station climatology (weather generator)",
    10: "Heat-health alerts and thresholds",
    11: "Baseline mortality",
    12: "Households and living alone",
    13: "Contact channels and their cost",
    14: "Heat-health interventions: measured effects",
}

SOURCES: tuple[Source, ...] = (
    Source(1, "all-cause heat slope +2.1 % (1.6-2.6) per 1 °C above the regional threshold",
           "Gasparrini, Armstrong, Kovats, Wilkinson, Occup Environ Med 2012", "S", "calibrated on",
           "twin/health/exposure_response.py, twin/health/params.py"),
    Source(1, "age gradient, London: RR per °C 75-84 M 1.03 F 1.07; 85+ M 1.05 F 1.08",
           "Ishigami et al., Environmental Health 2008", "S", "calibrated on", "twin/health/params.py"),
    Source(1, "791 (611-957) heat deaths a year in England and Wales 2000-19; London 3.21 per 100,000 (age-standardised)",
           "Gasparrini et al., Lancet Planetary Health 2022", "S", "evidence",
           "twin/health/calibration.py, tests/test_heat_health_calibration.py, README"),
    Source(1, "heat deaths +257 % by the 2050s without adaptation", "Hajat et al., J Epidemiol Community Health 2014",
           "S", "evidence", "twin/health/calibration.py, twin/analysis/decomposition.py"),
    Source(1, "10 hottest days: 117 -> 166 deaths a day at 2 °C of global warming (+42 %)", "Huang et al. (UCL) 2023",
           "S", "evidence", "twin/health/calibration.py"),
    Source(1, "protective behaviours: air conditioning OR 0.23, visiting cool places 0.34, social contact 0.40, fans 0.60",
           "Bouchama et al., meta-analysis, Arch Intern Med 2007", "S", "calibrated on", "twin/health/behaviour.py"),
    Source(2, "summer mean temperature change, central England, 2060-79 (10-90 %): RCP2.6 0 to +3.3 °C; RCP8.5 +1.1 to +5.8 °C",
           "UKCP18 headline findings, Met Office 2018", "S", "calibrated on", "twin/climate/pathways.py"),
    Source(2, "days at or above 28 °C doubled, 30 °C trebled (2014-23 vs 1961-90)",
           "Met Office, State of the UK Climate 2023", "S", "evidence", "twin/climate/weather.py, tests/test_climate.py"),
    Source(3, "London nocturnal urban heat island up to 7 °C, average peak about 3 °C",
           "Graves et al. 2001 (London Climate Change Partnership); Watkins et al. 2002", "S", "calibrated on",
           "twin/place/_synth_land.py, data/places/urban_borough/place.yaml"),
    Source(3, "about 0.6 °C cooler per +10 % tree canopy (16/32/48 % canopy for 1/2/3 °C)",
           "Marando et al., 601 European functional urban areas, 2022", "D", "calibrated on",
           "twin/interventions/tree_canopy.py, twin/climate/drivers.py"),
    Source(3, "park cool islands 20-440 m, mean 1.1 °C; parks -0.94 °C by day",
           "Doick et al., Sci Total Environ 2014; Bowler et al. 2010", "S", "calibrated on", "twin/place/synthetic.py"),
    Source(5, "age structure E&W 2021: <15 17.4 %, 15-64 64.1 %, 65+ 18.6 %, 90+ 527,900",
           "ONS Census 2021", "S", "calibrated on", "twin/place/_synth_people.py, data/places/*/place.yaml"),
    Source(5, "85+ share of the UK 2.5 % (2020) -> 4.3 % (2045)", "ONS 2020-based national population projections",
           "S", "evidence", "twin/place/synthetic.py"),
    Source(5, "total fertility rate E&W 2023 1.44 (London 1.35); mean age of mother 30.9",
           "ONS Births in England and Wales 2023 (2024)", "S", "calibrated on", "twin/demography/rates.py"),
    Source(5, "life expectancy at birth E&W 2021-23: men 79.0, women 83.0 years", "ONS National life tables 2024",
           "S", "calibrated on", "twin/demography/rates.py, twin/health/mortality.py"),
    Source(5, "typical local-authority net international migration +0.5 to +1.0 % a year (indicative)",
           "derived from ONS 2024 migration estimates", "D", "input",
           "twin/demography/spec.py, scenarios/projection_*.yaml"),
    Source(5, "cohort-component method, single year of age x sex x area", "ONS SNPP methodology (2020)", "S",
           "input", "twin/demography/projection.py"),
    Source(6, "internet use in the last 3 months: 16-44 99 %, 75+ 54 %", "ONS Internet users, UK 2020", "S",
           "calibrated on", "twin/health/params.py, twin/interventions/digital_inclusion.py"),
    Source(7, "street tree planted with 3 years' establishment about £900 (2019 prices)",
           "Horticulture Week 2019; Trees for Streets; Brighton & Hove City Council 2021", "S", "input",
           "twin/interventions/tree_canopy.py"),
    Source(7, "warm/cool space set-up £500-£5,000 per site per season", "Save the Children survey 2022", "S",
           "input", "twin/interventions/cooling_centres.py, twin/interventions/community_hubs.py"),
    Source(7, "discount rates 3.5 % (years 0-30), 3.0 % (31-75), 2.5 % (76-125); health 1.5 %, 1.29 %, 1.07 %",
           "HM Treasury, The Green Book 2022, Annex A6", "S", "input", "twin/analysis/appraisal.py"),
    Source(7, "value of a prevented fatality £2,474,341 (2023 prices)", "DfT TAG data book v2.03", "S", "input",
           "twin/analysis/appraisal.py"),
    Source(7, "value of a QALY £70,000 (2022)", "HM Treasury / DHSC 2022 update", "S", "input",
           "twin/analysis/appraisal.py"),
    Source(8, "3 dimensions x 4 components, indicators rescaled 0-100 between worst and best case, equal weights",
           "Social Progress Imperative methodology reports 2014-2021 (Stern et al.)", "S", "input",
           "twin/analysis/progress_index.py"),
    Source(9, "1991-2020 monthly means: Heathrow Jul Tmax/Tmin 23.9/14.2 °C, 616 mm; Yeovilton 21.9/12.2 °C, 728 mm; "
              "Camborne 18.7/13.2 °C, 1,076 mm; year-to-year SD of monthly Tmax 1.0-2.0 °C",
           "computed from Met Office historic station data", "D", "calibrated on",
           "twin/climate/weather.py, twin/climate/pathways.py, data/places/*/place.yaml"),
    Source(10, "heat-health thresholds (day max / night min): London 32/18, South East 31/16, South West 30/15 °C ...",
           "Met Office heat-health watch (Heatwave Plan, to 2022)", "S", "input",
           "twin/climate/hazards.py, twin/health/params.py"),
    Source(10, "Weather-Health Alerts green/yellow/amber/red, season 1 June-30 September", "UKHSA 2023; UKHSA 2024",
           "S", "input", "twin/climate/hazards.py, models/heat_health.py"),
    Source(10, "London: deaths rise from about 19 °C daily mean; +3.34 % per °C above 21.5 °C",
           "Hajat et al., J Epidemiol Community Health 2002", "S", "calibrated on", "twin/health/exposure_response.py"),
    Source(10, "UK heat deaths about 3 per 100,000 a year", "Vardoulakis et al., Environ Health Perspect 2014", "S",
           "evidence", "twin/health/calibration.py"),
    Source(11, "single-year death rates from a Gompertz-Makeham law fitted to the life expectancies, checked against "
               "a crude death rate of 9.8 per 1,000", "derived from ONS National life tables 2024 and ONS deaths 2022",
           "D", "calibrated on", "twin/health/mortality.py, twin/demography/rates.py"),
    Source(12, "aged 65+ living alone: women 36.3 %, men 22.7 % (E&W 2021); 85+ 59 % (2011)",
           "ONS Profile of the older population 2021 (2023); ONS 2011 Census, people living alone (2014)", "S",
           "calibrated on", "twin/health/population_traits.py, models/_heat_residents.py"),
    Source(13, "cost per council contact: face to face £7.40, phone £2.90, web £0.32 (2009)",
           "Socitm 2009 benchmark", "S", "input",
           "twin/interventions/_pricing.py, twin/interventions/community_hubs.py, twin/interventions/digital_alerts.py"),
    Source(13, "more than 200,000 Londoners aged 75+ do not use the internet", "Age UK London 2021", "S", "evidence",
           "twin/interventions/digital_inclusion.py"),
    Source(14, "heat warnings with active outreach: about 2.6 lives saved per warning day (Philadelphia, 65+)",
           "Ebi et al., Bull Am Meteorol Soc 2004", "S", "evidence",
           "twin/interventions/heat_health_outreach.py, twin/health/behaviour.py"),
    Source(14, "passive advice alone likely ineffective; pair it with active care of high-risk people",
           "review, Eur J Public Health (ckl049)", "S", "input", "twin/interventions/digital_alerts.py"),
    Source(14, "external shutters avoid 38-73 % of London heat deaths in typical future summers",
           "London housing and heat-mortality study 2021 (PMC8593871)", "S", "evidence", "twin/health/params.py"),
)


def sources_rows() -> list[dict[str, str]]:
    """One dict per source: ``topic, figure, citation, status, use, where`` (for tables and the report)."""
    return [{"topic": f"s{s.section} {SECTIONS[s.section]}", "figure": s.figure, "citation": s.citation,
             "status": s.status, "use": s.use, "where": s.where} for s in SOURCES]


def sources_markdown() -> str:
    """The text of ``docs/sources.md``."""
    lines = [
        "# Sources: the published figures placetwin uses",
        "",
        "Generated from `twin/_sources.py` (`python -m twin._sources` prints it; a test checks the file starts with it).",
        "Code, data and reports cite a figure as `docs/sources.md sN`, N the section number below (numbers are",
        "stable; gaps are topics no code uses yet, e.g. flood). Status: **S** seen in the published material,",
        "**D** derived arithmetically from S figures; values with no published figure are assumptions, marked **L**",
        "where the code defines them. *Use*: **calibrated on** — a model parameter was set to reproduce it;",
        "**evidence** — compared with model output after the fact (out-of-sample); **input** — used as given",
        "(costs, discount rates, method). The sections after these numbered ones (trial design, projections)",
        "are written by hand below the generated part.",
        "",
    ]
    for sec, title in SECTIONS.items():
        rows = [s for s in SOURCES if s.section == sec]
        lines += [f"## s{sec}. {title}", "", "| Figure | Source | Status | Use | Where the code uses it |",
                  "|---|---|---|---|---|"]
        lines += [f"| {s.figure} | {s.citation} | {s.status} | {s.use} | {s.where} |" for s in rows]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(sources_markdown(), end="")

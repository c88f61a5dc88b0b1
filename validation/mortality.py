"""Baseline mortality: life expectancy at birth and 65, crude death rate (the one baseline of the twin).

Run: ``python -m validation.mortality``.
"""

from __future__ import annotations

import numpy as np

from validation._rows import Row

ONS_LT = "ONS National life tables, England and Wales, 2021-23 (2024)"


def figures(quick: bool = False) -> list[Row]:
    from twin.health import baseline_qx_table, ew_2021_population, life_table_summary

    s = life_table_summary()
    deaths = float(np.sum(baseline_qx_table() * ew_2021_population()))
    g = "Baseline mortality"
    return [
        Row(g, "Life expectancy at birth, women", 83.0, 82.9, 83.1, s["e0_F"], "years", ONS_LT, "calibrated"),
        Row(g, "Life expectancy at birth, men", 79.0, 78.9, 79.1, s["e0_M"], "years", ONS_LT, "calibrated"),
        Row(g, "Life expectancy at 65, women", 21.1, 21.0, 21.2, s["e65_F"], "years", ONS_LT + " (secondary report)",
            "calibrated"),
        Row(g, "Life expectancy at 65, men", 18.6, 18.5, 18.7, s["e65_M"], "years", ONS_LT + " (secondary report)",
            "calibrated"),
        Row(g, "Crude death rate, England and Wales 2021 structure", 9.8, 9.6, 10.0, s["crude_death_rate_ew"],
            "per 1,000 a year", "ONS deaths: 577,160 registered 2022; 598,000 year to mid-2023", "calibrated"),
        Row(g, "Deaths a year, England and Wales", 577_160, 560_000, 600_000, deaths, "deaths",
            "ONS deaths registered 2022 (577,160) to year to mid-2023 (598,000)", "calibrated",
            "follows from the crude death rate"),
        Row(g, "Life expectancy at 85, women (diagnostic)", 6.8, 6.3, 7.5, s["e85_F"], "years",
            "ONS interim life tables 2010-12 (6.8); 2021-23 not retrieved", "held out",
            "the fit's steepening above 75 (set by the crude death rate) shortens life at 85+"),
        Row(g, "Life expectancy at 85, men (diagnostic)", 5.8, 5.3, 6.5, s["e85_M"], "years",
            "ONS interim life tables 2010-12 (5.8); 2021-23 not retrieved", "held out",
            "the fit's steepening above 75 (set by the crude death rate) shortens life at 85+"),
    ]


if __name__ == "__main__":
    from validation.run_all import print_rows

    print_rows(figures())

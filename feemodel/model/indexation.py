"""Yearly fee uplift index: a weighted blend of pay and price inflation plus step changes.

index(y) = staff share x staff growth(y) + (1 - staff share) x CPI(y) + step change(y), in % a year,
where staff growth is the year-on-year change in the National Living Wage (national parameters,
then the scenario's ``future_nlw`` for years not yet set) or the scenario's average earnings growth.
Rates in later years are the first year's rate x the product of (1 + index). A year whose inputs
are missing is an error, not an assumed zero.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..errors import InputError
from ..inputs.params import NationalParameters
from ..inputs.scenario import Scenario


def nlw_for_year(year: int, scenario: Scenario, params: NationalParameters) -> float:
    """NLW for a financial year: the scenario's assumption, else the parameter set for that April.

    A year with no NLW of its own is an error: the last known rate is not carried forward.
    """
    if year in scenario.indexation.future_nlw:
        return scenario.indexation.future_nlw[year]
    return params.get("wages.national_living_wage", dt.date(year, 4, 1))


def year_index(scenario: Scenario, params: NationalParameters, year: int) -> dict:
    """The index for one financial year (% a year): staff share x staff growth + other share x CPI
    + step change. Staff growth is the NLW's change from the year before (national parameters, or
    the scenario's ``future_nlw``) or the scenario's earnings growth. A missing input is an error
    naming the scenario key."""
    ix = scenario.indexation
    src = str(scenario.path) if scenario.path else "scenario"
    if ix.staff_index == "nlw":
        try:
            staff = (nlw_for_year(year, scenario, params) / nlw_for_year(year - 1, scenario, params) - 1) * 100
        except InputError:
            raise InputError(src, f"indexation.future_nlw.{year}",
                             "no National Living Wage set for this year; add it under indexation.future_nlw") from None
    else:
        if year not in ix.earnings_growth_pct:
            raise InputError(src, f"indexation.earnings_growth_pct.{year}", "missing; the index needs earnings growth for every year")
        staff = ix.earnings_growth_pct[year]
    if year not in ix.cpi_pct:
        raise InputError(src, f"indexation.cpi_pct.{year}", "missing; the index needs CPI for every year")
    cpi = ix.cpi_pct[year]
    step = ix.step_changes_pct.get(year, 0.0)
    share = ix.staff_share_pct / 100
    return {"staff_growth_pct": staff, "cpi_pct": cpi, "step_change_pct": step, "index_pct": share * staff + (1 - share) * cpi + step}


def uplift_index(scenario: Scenario, params: NationalParameters, years: int | None = None) -> pd.DataFrame:
    """Index for each year after the scenario's first: one row a year, % a year and cumulative factor.

    The first row is the scenario's own year (cumulative factor 1: later years' rates are the
    first year's x the product of (1 + index)); its index is shown where its inputs are given.
    """
    years = years if years is not None else scenario.demand.projection_years
    first = scenario.financial_year
    try:
        own = year_index(scenario, params, first)
    except InputError:
        own = {"staff_growth_pct": np.nan, "cpi_pct": np.nan, "step_change_pct": np.nan, "index_pct": np.nan}
    rows = [{"financial_year": first, **{k: round(v, 4) for k, v in own.items()}, "cumulative_factor": 1.0}]
    factor = 1.0
    for year in range(first + 1, first + years):
        ix = year_index(scenario, params, year)
        factor *= 1 + ix["index_pct"] / 100
        rows.append({"financial_year": year, "staff_growth_pct": round(ix["staff_growth_pct"], 4), "cpi_pct": ix["cpi_pct"],
                     "step_change_pct": ix["step_change_pct"], "index_pct": round(ix["index_pct"], 4),
                     "cumulative_factor": round(factor, 8)})
    return pd.DataFrame(rows)

"""Figures stated at an earlier year's prices, inflated to the scenario's financial year.

A survey of 2021/22 accounts, or a cost build-up stated at 2021/22 prices, is uprated by

    factor = product over the financial years after the base year, up to and including the
             scenario's year, of (1 + % / 100)

where the % for a year is stated (``index_pct``), the scenario's CPI (``indexation.cpi_pct``) or its
uplift index (:func:`feemodel.model.indexation.year_index`). A year with no % is an error naming the
key to add; no year is assumed to be zero.
"""

from __future__ import annotations

import pandas as pd

from ..errors import InputError
from ..inputs.params import NationalParameters
from ..inputs.scenario import PriceBase, Scenario
from .indexation import year_index


def price_base_steps(pb: PriceBase, scenario: Scenario, params: NationalParameters, key: str) -> pd.DataFrame:
    """One row per year of uprating: financial_year, index_pct (% a year), source and cumulative_factor.

    ``key`` is the scenario key of ``pb`` (for example ``survey_price_base``), named in errors. An
    empty table (factor 1) when the base year is the scenario's year; a base year after it is an error.
    """
    src = str(scenario.path) if scenario.path else "scenario"
    if pb.year > scenario.financial_year:
        raise InputError(src, f"{key}.year", f"{pb.year} is after the scenario's financial year {scenario.financial_year}; "
                         "a price base is an earlier year")
    rows, factor = [], 1.0
    for year in range(pb.year + 1, scenario.financial_year + 1):
        if pb.index == "stated":
            if year not in pb.index_pct:
                raise InputError(src, f"{key}.index_pct.{year}", f"missing; uprating from {pb.year} prices needs a % for every "
                                 f"financial year from {pb.year + 1} to {scenario.financial_year}")
            pct, source = pb.index_pct[year], f"{key}.index_pct"
        elif pb.index == "cpi":
            if year not in scenario.indexation.cpi_pct:
                raise InputError(src, f"indexation.cpi_pct.{year}", f"missing; {key} uprates by CPI, which needs every year "
                                 f"from {pb.year + 1} to {scenario.financial_year}")
            pct, source = scenario.indexation.cpi_pct[year], "indexation.cpi_pct"
        else:
            pct, source = year_index(scenario, params, year)["index_pct"], "uplift index"
        factor *= 1 + pct / 100
        rows.append({"financial_year": year, "index_pct": round(float(pct), 4), "source": source,
                     "cumulative_factor": round(factor, 8)})
    return pd.DataFrame(rows, columns=["financial_year", "index_pct", "source", "cumulative_factor"])


def price_base_factor(pb: PriceBase | None, scenario: Scenario, params: NationalParameters, key: str) -> float:
    """The factor from ``pb``'s prices to the scenario's year (1.0 when ``pb`` is None). Unrounded:
    callers round the uprated amounts once, to the penny."""
    if pb is None:
        return 1.0
    steps = price_base_steps(pb, scenario, params, key)
    factor = 1.0
    for pct in steps.index_pct:
        factor *= 1 + pct / 100
    return factor

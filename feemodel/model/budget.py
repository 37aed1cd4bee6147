"""The council's budget by year: today's cost, the fee change and demand growth, reconciled.

One costing serves every year: the fee change in year y is the cost table's council net change for
that year (:func:`feemodel.model.uplift.uplift_cost`: the same turnover, protection, top-up and
phasing rules as the headline), so a year's figure is the same wherever it appears. The first year
is the in-year (part-year) change from the effective date; later years are full years.

Rules (£ a year; weeks are the days in the financial year / 7, so 366/7 in a leap year):

* baseline = council placements now x their average weekly council cost at today's fees, with
  the year's national figures (a higher Personal Expenses Allowance lowers contributions) x weeks;
* growth from fees = the cost table's council net change for the year (part year in the first);
* growth from demand = (projected placements - placements now) x the year's average weekly council
  cost under the scenario x weeks, with the projection's 90% interval carried through;
* change from today = growth from fees + growth from demand; council cost = baseline + change.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..money import pounds
from .case import Case
from .uplift import year_fees


def weeks_in_year(year: int) -> float:
    """Weeks in financial year ``year`` (1 April to 31 March), by day count."""
    return (dt.date(year + 1, 4, 1) - dt.date(year, 4, 1)).days / 7


def average_weekly_council_cost(case: Case) -> tuple[dict[int, float], dict[int, float]]:
    """({year: average weekly council cost per council placement at today's fees}, {year: the same
    under the scenario}), £ a week, each with that year's national figures (the means test moves
    with the Personal Expenses Allowance), from the year's fees for every council placement."""
    s = case.scenario
    council = case.arrays.council
    years = [s.financial_year + k for k in range(len(case.index))]
    if not council.any():
        return dict.fromkeys(years, 0.0), dict.fromkeys(years, 0.0)
    base, new = {}, {}
    for k, factor in enumerate(case.index.cumulative_factor):
        yf = year_fees(case, k, float(factor))
        base[years[k]] = float(yf.base["council"][council].mean()) / 100
        new[years[k]] = float(yf.new["council"][council].mean()) / 100
    return base, new


def budget(case: Case, cost: pd.DataFrame, placements: pd.DataFrame) -> pd.DataFrame:
    """Council cost by year, reconciled to the cost table.

    ``cost``: :func:`~feemodel.model.uplift.uplift_cost`'s table. ``placements``: the demand
    projection (financial_year, client_group, placements, placements_pi90_low/high); the rows with
    client group ``all`` are used when present (their interval is the model's), else the groups
    are added up (their interval then only approximates the total's).
    """
    s = case.scenario
    totals = placements[placements.client_group == "all"] if (placements.client_group == "all").any() else placements
    totals = totals.groupby("financial_year")[["placements", "placements_pi90_low", "placements_pi90_high"]].sum()
    n0 = float(case.arrays.council.sum())
    base_weekly, weekly = average_weekly_council_cost(case)
    first = cost.financial_year.iloc[0] if len(cost) else f"{s.financial_year}/{(s.financial_year + 1) % 100:02d}"
    rows = []
    for k in range(len(case.index)):
        year = s.financial_year + k
        label = f"{year}/{(year + 1) % 100:02d}"
        period = "part_year" if label == first else "full_year"
        fees = float(cost[(cost.financial_year == label) & (cost.period == period)].council_net_change_gbp.sum())
        weeks = weeks_in_year(year)
        if year in totals.index:
            n, lo, hi = (float(totals.loc[year, c]) for c in ("placements", "placements_pi90_low", "placements_pi90_high"))
        else:
            n = lo = hi = np.nan
        if k == 0:  # the projection starts from the book: no demand growth in the first year
            n = lo = hi = n0
        c = weekly[year]
        baseline = n0 * base_weekly[year] * weeks
        demand = (n - n0) * c * weeks
        rows.append({
            "financial_year": label, "period": period, "placements": n,
            "average_council_cost_gbp_pw": pounds(c),
            "baseline_cost_gbp": pounds(baseline),
            "growth_from_fees_gbp": pounds(fees),
            "growth_from_demand_gbp": pounds(demand),
            "growth_from_demand_low_gbp": pounds((lo - n0) * c * weeks),
            "growth_from_demand_high_gbp": pounds((hi - n0) * c * weeks),
            "change_from_today_gbp": pounds(pounds(fees) + pounds(demand)),
            "council_cost_gbp": pounds(pounds(baseline) + pounds(fees) + pounds(demand)),
        })
    return pd.DataFrame(rows)


def reconciliation(cost: pd.DataFrame) -> pd.DataFrame:
    """From the gross change in fees to the council's net change, year by year (£ a year):
    gross change = council + residents' contributions + top-ups (families' and residents' own) + FNC,
    so the council's net change is the gross change less what top-ups, residents' contributions and
    the NHS (FNC) take of it. One row per step; ``amount_gbp`` adds up within each year and period."""
    rows = []
    for (year, period), g in cost.groupby(["financial_year", "period"], sort=False):
        gross = float(g.gross_change_gbp.sum())
        top = float(g.topup_change_gbp.sum())
        res = float(g.resident_contribution_change_gbp.sum())
        fnc = float(g.fnc_change_gbp.sum())
        own = float(g.first_party_topup_change_gbp.sum()) if "first_party_topup_change_gbp" in g else 0.0
        council = float(g.council_net_change_gbp.sum())
        for step, amount in [("gross_change", gross), ("less_topup_change", -top), ("less_first_party_topup_change", -own),
                             ("less_resident_change", -res), ("less_fnc_change", -fnc), ("council_net_change", council)]:
            rows.append({"financial_year": year, "period": period, "step": step, "amount_gbp": pounds(amount)})
    return pd.DataFrame(rows, columns=["financial_year", "period", "step", "amount_gbp"])

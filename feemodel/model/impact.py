"""Who gains and who loses: the proposal's first-year effect on each group, in one table.

:func:`who_gains` gathers, from the same per-placement fees the cost table uses (the scenario's
first year, :func:`feemodel.model.uplift.first_year`), one row per group a councillor weighs:

* the council: council-arranged placements whose fees change, and the change in its net cost;
* residents paying an assessed contribution (council-arranged placements whose resident pays a
  share): the change in those contributions;
* families paying third-party top-ups: all of them (with the change in what they pay), then how
  many see their top-up fall, end, rise or stay the same, with the average change a week;
* self-funders: how many, the average change in their weekly price under the scenario's
  pass-through assumption, and the total;
* care homes: how many receive the placements, and the change in their income (council-arranged
  fees including families' top-ups and residents' contributions, plus self-funders' prices;
  NHS-funded nursing care is a national rate and does not move with the council's fees); how many
  homes are below their cost of care now and under the proposal (where the homes file allows);
* placements protected at their current fee (their fee does not change);
* working-age placements arranged by the council: the change in the council's cost for them.

Totals for the council, residents and families are the sums of the cost table's rows (so they equal
the headline); self-funders' totals are :func:`feemodel.model.uplift.self_funder_change`'s; homes'
income totals are the cost table's gross change plus self-funders' change. Averages a week are the
weekly changes (whole pence) summed over the group and divided by its count, rounded half up to the
penny. "First year" is the part year from the effective date; "full year" is a whole year at the
first year's fees. Money in £ (a week, or a year where the column says so).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..money import pounds, to_pence, to_pounds
from .case import Case
from .uplift import exposure_weeks, first_year, self_funder_change

COLUMNS = ["who", "what", "count", "counted", "average_change_gbp_pw", "change_first_year_gbp", "change_full_year_gbp"]
FAMILIES = "Families paying top-ups"
ALL_TOPUPS = "All top-ups"
HOMES = "Care homes"
OUTCOMES = [("falls", "Top-up falls"), ("vanishes", "Top-up ends"),
            ("rises", "Top-up rises"), ("unchanged", "Top-up unchanged")]


def _avg(weekly_pence: np.ndarray, mask: np.ndarray) -> float:
    n = int(mask.sum())
    return pounds(float(weekly_pence[mask].sum()) / 100 / n) if n else np.nan


def _first(cost: pd.DataFrame, column: str, where: pd.Series | None = None) -> tuple[float, float]:
    """(part-year, full-year) sums of a cost-table column in the first year, optionally for some rows."""
    first = cost.financial_year.iloc[0]
    rows = cost[(cost.financial_year == first) & (where if where is not None else True)]
    return (pounds(float(rows.loc[rows.period == "part_year", column].sum())),
            pounds(float(rows.loc[rows.period == "full_year", column].sum())))


def who_gains(case: Case, cost: pd.DataFrame, below_cost: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per group (columns :data:`COLUMNS`); ``cost`` is :func:`feemodel.model.uplift.uplift_cost`'s
    table, ``below_cost`` :func:`feemodel.model.market.sustainability`'s summary (its ``all`` row),
    or None where the homes file is not given (those rows are left out).

    ``count`` is the group's size in ``counted`` (placements, people, homes); money columns are £
    (``average_change_gbp_pw`` a week, the others over the first year's part year and a full year);
    blank where a figure does not apply to the row."""
    s = case.scenario
    p = case.book.placements
    yf = first_year(case)
    council = p.funding.eq("council").to_numpy()
    d_council = yf.new["council"] - yf.base["council"]
    d_resident = yf.new["resident"] - yf.base["resident"]
    d_top = yf.new["third_party"] - yf.base["third_party"]
    d_own = yf.new["first_party"] - yf.base["first_party"]
    # as the cost table counts them: the fee (council + resident), a family's or a resident's own top-up changes
    affected = council & (((d_council + d_resident) != 0) | (d_top != 0) | (d_own != 0))
    rows = []

    def row(who, what, count, counted, avg=np.nan, first=np.nan, full=np.nan):
        rows.append({"who": who, "what": what, "count": int(count), "counted": counted, "average_change_gbp_pw": avg,
                     "change_first_year_gbp": first, "change_full_year_gbp": full})

    part, full = _first(cost, "council_net_change_gbp")
    row("The council", "Net cost of its placements", affected.sum(), "placements whose fee changes",
        _avg(d_council, affected), part, full)

    paying = council & (yf.base["resident"] > 0)
    part, full = _first(cost, "resident_contribution_change_gbp")
    row("Residents paying an assessed contribution", "Their contributions", paying.sum(), "placements with a contribution",
        _avg(d_resident, paying), part, full)

    has = council & (yf.base["third_party"] > 0)
    part, full = _first(cost, "topup_change_gbp")
    row(FAMILIES, ALL_TOPUPS, has.sum(), "placements with a top-up", _avg(d_top, has), part, full)
    outcome = np.select([yf.new["third_party"] == 0, d_top < 0, d_top > 0], ["vanishes", "falls", "rises"], "unchanged")
    for code, words in OUTCOMES:
        m = has & (outcome == code)
        row(FAMILIES, words, m.sum(), "placements with a top-up", _avg(d_top, m))

    sf = self_funder_change(case, yf)
    self_f = p.funding.eq("self").to_numpy()
    ws, wr = exposure_weeks(s, 0, None)
    weekly = int(yf.self_price_change[self_f].sum())
    sf_full = to_pounds(to_pence(weekly * (ws + wr) / 100))
    row("Self-funders", f"Their price (assumed to rise by {sf['pass_through_pct']:g}% of the average rise in council fees for in-county "
        "placements in the same setting)",
        sf["self_funders"], "people", sf["average_change_gbp_pw"] if sf["self_funders"] else np.nan,
        sf["total_change_part_year_gbp"], sf_full)

    if "home_id" in p and p.home_id.notna().all():
        gross_part, gross_full = _first(cost, "gross_change_gbp")
        d_gross = yf.new["gross"] - yf.base["gross"]
        homes = p.home_id.to_numpy()
        per_home = pd.Series(d_gross).groupby(homes).sum()
        row(HOMES, "Income (fees, top-ups and self-funders' prices)", len(per_home), "care homes",
            pounds(float(per_home.sum()) / 100 / len(per_home)) if len(per_home) else np.nan,
            pounds(gross_part + sf["total_change_part_year_gbp"]), pounds(gross_full + sf_full))
    if below_cost is not None and len(below_cost):
        total = below_cost[below_cost.setting == "all"].iloc[0]
        row(HOMES, "Below their cost of care now", total.below_cost_now, "care homes")
        row(HOMES, "Below their cost of care under the proposal", total.below_cost_proposed, "care homes")

    row("Placements protected at their current fee", "Fee unchanged", (council & yf.protected).sum(), "placements protected")

    wa = council & p.client_group.eq("working_age").to_numpy()
    part, full = _first(cost, "council_net_change_gbp", cost.client_group.eq("working_age"))
    row("Working-age placements", "Net cost to the council", wa.sum(), "working-age placements",
        _avg(d_council, wa), part, full)
    return pd.DataFrame(rows, columns=COLUMNS)

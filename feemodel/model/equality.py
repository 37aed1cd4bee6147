"""Equality analysis: the first year's change for residents and families, by age band, sex and
primary support reason (the information an equality impact assessment of a fee proposal needs, to
show due regard to the public sector equality duty, Equality Act 2010 s.149).

The characteristics are optional columns of the placement book (``age_band``, ``sex``,
``primary_support_reason``; blank or "not recorded" where not recorded). A characteristic is
analysed when at least one council-funded or self-funded placement records it; every analysed
characteristic has a "not recorded" row. NHS continuing healthcare placements are left out: the NHS
pays their whole fee and a council fee change does not touch it.

Rows: one per characteristic, funding type (``council``: council-funded; ``self``: self-funders)
and group (each value the book allows, then "not recorded"), in that order. All money is the
scenario's first year (:func:`feemodel.model.uplift.first_year`), in whole pence per placement;
each figure below is rounded to the penny once, by :mod:`feemodel.money`'s rule, from exact sums
of pence (so an average change may differ by a penny from the difference of the rounded averages):

* ``placements``: placements in the group (the row's population, for suppression);
* ``average_fee_now_gbp_pw`` / ``average_fee_proposed_gbp_pw`` (£ a week): the weekly fee
  excluding NHS-funded nursing care (FNC) and top-ups: for a council-funded placement the council's
  fee (its share plus the resident's assessed contribution), for a self-funder the price they pay
  (the home's price less FNC), now and under the proposal;
* ``average_fee_change_gbp_pw`` (£ a week): the average of each placement's change in that fee;
* ``residents_change_gbp_pa`` (£ a year): the change in what the group's residents pay themselves,
  summed: council-funded, their assessed contributions plus any top-up they pay themselves (first
  party); self-funders, their fees. A year is 365/7 weeks at the first year's weekly change, for the
  placements in the book today (no leavers, no admissions);
* ``topup_change_gbp_pa`` (£ a year): the change in families' (third-party) top-ups, summed, on the
  same basis;
* ``topups``: placements with a family top-up now; ``topups_fall``, ``topups_rise``,
  ``topups_vanish``, ``topups_unchanged``: of those, how many fall, rise, end (fall to nothing) or
  stay the same (they add up to ``topups``; an ending top-up is not also counted as falling).

An average over no placements is NaN (a group with none shows a 0 and no averages).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..errors import NotComputed
from ..inputs.data import NOT_RECORDED, PLACEMENT_AGE_BANDS, SEXES, SUPPORT_REASONS
from ..money import fmt_gbp, pounds, to_pence, to_pounds
from .case import Case
from .uplift import YearFees, first_year

WEEKS_PER_YEAR = 365 / 7
# characteristic (book column) -> its groups, in the order the table shows them
CHARACTERISTICS: dict[str, tuple[str, ...]] = {
    "age_band": PLACEMENT_AGE_BANDS,
    "sex": SEXES,
    "primary_support_reason": SUPPORT_REASONS,
}
FUNDING = ("council", "self")
COUNTS = ("placements", "topups", "topups_fall", "topups_rise", "topups_vanish", "topups_unchanged")
COLUMNS = ["characteristic", "group", "funding", "placements", "average_fee_now_gbp_pw", "average_fee_proposed_gbp_pw",
           "average_fee_change_gbp_pw", "residents_change_gbp_pa", "topup_change_gbp_pa", *COUNTS[1:]]
NOT_GIVEN = ("the placement book records none of age band, sex or primary support reason (the optional columns "
             "age_band, sex and primary_support_reason)")


def characteristic_values(placements: pd.DataFrame, column: str) -> pd.Series:
    """A characteristic's value for each placement, "not recorded" where the column is absent or the
    cell is blank."""
    if column not in placements:
        return pd.Series(NOT_RECORDED, index=placements.index, dtype=object)
    v = placements[column].fillna("").astype(str).str.strip()
    return v.where(v.ne(""), NOT_RECORDED)


def recorded_characteristics(placements: pd.DataFrame) -> list[str]:
    """The characteristics at least one council-funded or self-funded placement records."""
    people = placements.funding.isin(FUNDING)
    return [c for c in CHARACTERISTICS if characteristic_values(placements, c)[people].ne(NOT_RECORDED).any()]


def _average(total_pence: int, n: int) -> float:
    return pounds(total_pence / n / 100) if n else np.nan


def _a_year(weekly_pence: int) -> float:
    return to_pounds(to_pence(weekly_pence / 100 * WEEKS_PER_YEAR))


def equality_table(case: Case, yf: YearFees | None = None) -> pd.DataFrame:
    """The first year's change for council-funded placements and self-funders by age band, sex and
    primary support reason (see the module's docstring for the columns, units and rules). Raises
    :class:`~feemodel.errors.NotComputed` when the book records none of the three."""
    p = case.book.placements
    shown = recorded_characteristics(p)
    if not shown:
        raise NotComputed(NOT_GIVEN)
    yf = yf or first_year(case)
    b, n = yf.base, yf.new
    fee_old = b["council"] + b["resident"]              # council: its fee; self-funder: price less FNC
    fee_new = n["council"] + n["resident"]
    pays = (n["resident"] + n["first_party"]) - (b["resident"] + b["first_party"])
    top_old, top_new = b["third_party"], n["third_party"]
    d_top = top_new - top_old
    has = top_old > 0
    vanish = has & (top_new == 0)
    fall = has & ~vanish & (d_top < 0)
    rise = has & (d_top > 0)
    unchanged = has & (d_top == 0)
    funding = p.funding.to_numpy(dtype=object)
    rows = []
    for column in shown:
        values = characteristic_values(p, column).to_numpy(dtype=object)
        for fund in FUNDING:
            for group in (*CHARACTERISTICS[column], NOT_RECORDED):
                m = (funding == fund) & (values == group)
                k = int(m.sum())
                rows.append({
                    "characteristic": column, "group": group, "funding": fund, "placements": k,
                    "average_fee_now_gbp_pw": _average(int(fee_old[m].sum()), k),
                    "average_fee_proposed_gbp_pw": _average(int(fee_new[m].sum()), k),
                    "average_fee_change_gbp_pw": _average(int((fee_new - fee_old)[m].sum()), k),
                    "residents_change_gbp_pa": _a_year(int(pays[m].sum())),
                    "topup_change_gbp_pa": _a_year(int(d_top[m].sum())),
                    "topups": int((has & m).sum()), "topups_fall": int((fall & m).sum()), "topups_rise": int((rise & m).sum()),
                    "topups_vanish": int((vanish & m).sum()), "topups_unchanged": int((unchanged & m).sum()),
                })
    return pd.DataFrame(rows, columns=COLUMNS)


def _shown(frame: pd.DataFrame, column: str) -> pd.Series:
    """A published column as numbers: withheld ("", "<5") cells are NaN."""
    return pd.to_numeric(frame[column], errors="coerce")


def widest_gap(published: pd.DataFrame, characteristic: str, funding: str) -> tuple[tuple[str, float], tuple[str, float]] | None:
    """((group, change), (group, change)): the recorded groups of ``characteristic`` whose average
    weekly fee change (£ a week) is highest and lowest, among the rows of ``funding`` whose figures
    the published table shows (a withheld row is never named; "not recorded" is not a group); None
    when fewer than two groups have figures shown. Ties go to the group listed first."""
    f = published[(published.characteristic == characteristic) & (published.funding == funding)
                  & (published.group != NOT_RECORDED)]
    change = _shown(f, "average_fee_change_gbp_pw")
    ok = change.notna() & (_shown(f, "placements") > 0)
    if ok.sum() < 2:
        return None
    groups, values = f.group[ok].tolist(), change[ok].tolist()
    hi, lo = int(np.argmax(values)), int(np.argmin(values))
    return (groups[hi], values[hi]), (groups[lo], values[lo])


def comparisons(published: pd.DataFrame, words: Callable[[str, str], str] = lambda v, _c: v) -> list[str]:
    """One plain sentence per characteristic naming the groups whose average weekly fee change
    differs most, for council-funded placements and for self-funders, from the published
    (suppressed) table only. ``words(code, column)`` turns a code into words (the label registry's
    :func:`~feemodel.publish.labels.words` in the pack)."""
    out = []
    for c in CHARACTERISTICS:
        name = words(c, "characteristic")
        if not (published.characteristic == c).any():
            out.append(f"{name}: not recorded in the placement book, so no comparison by {name.lower()} is made.")
            continue
        parts = []
        for fund, who in (("council", "council-funded placements"), ("self", "self-funders")):
            gap = widest_gap(published, c, fund)
            if gap is None:
                parts.append(f"for {who}, fewer than two groups have figures shown, so none are compared")
                continue
            (g_hi, v_hi), (g_lo, v_lo) = gap
            if v_hi == v_lo:
                parts.append(f"for {who}, the average change is the same in every group shown ({fmt_gbp(v_hi)} a week)")
            else:
                parts.append(f"for {who}, the average weekly fee changes most for {words(g_hi, 'group')} ({fmt_gbp(v_hi)} a week) "
                             f"and least for {words(g_lo, 'group')} ({fmt_gbp(v_lo)} a week), {fmt_gbp(v_hi - v_lo)} a week apart")
        out.append(f"By {name.lower()}: " + "; ".join(parts) + ".")
    return out

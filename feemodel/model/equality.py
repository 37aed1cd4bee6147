"""Equality analysis: the first year's change for residents and families, by age band, sex and
primary support reason (the information an equality impact assessment of a fee proposal needs, to
show due regard to the public sector equality duty, Equality Act 2010 s.149).

The characteristics are optional columns of the placement book (``age_band``, ``sex``,
``primary_support_reason``; blank or "not recorded" where not recorded). A characteristic is
analysed when at least one council-funded or self-funded placement records it; every analysed
characteristic has a "not recorded" row. NHS continuing healthcare placements are left out: the NHS
pays their whole fee and a council fee change does not touch it.

Rows: one per characteristic, group (each value the book allows, then "not recorded") and ``who``:

* ``council``: council-funded residents; the amounts are the weekly fee the council sets (its share
  plus the resident's assessed contribution; excluding NHS-funded nursing care (FNC) and top-ups),
  and the yearly change is in what the residents pay themselves (their assessed contributions plus
  any top-up they pay themselves, first party);
* ``self``: self-funders; the amounts are the fee they pay (the home's price less FNC), and the
  yearly change is in those fees;
* ``topup``: families paying a third-party top-up for a council-funded resident of the group; the
  amounts are the weekly top-up, the yearly change is in families' top-ups, and the row counts how
  many top-ups fall, rise, end (fall to nothing; not also counted as falling) or stay the same.

All money is the scenario's first year (:func:`feemodel.model.uplift.first_year`), held in whole
pence per placement; each figure is rounded to the penny once, by :mod:`feemodel.money`'s rule, from
exact sums of pence (so an average change may differ by a penny from the difference of the rounded
averages). Columns:

* ``placements``: the row's residents (or, for ``topup``, the placements with a family top-up now);
  the row's population, for suppression;
* ``average_now_gbp_pw`` / ``average_proposed_gbp_pw`` (£ a week): the row's average weekly amount
  (above) now and under the proposal;
* ``average_weekly_change_gbp_pw`` (£ a week): the average of each placement's change in it;
* ``change_gbp_pa`` (£ a year): the change in what the row's residents or families pay, summed over
  the row: the first year's weekly change x 365/7, for the placements in the book today (no leavers,
  no admissions);
* ``topups_fall``, ``topups_rise``, ``topups_vanish``, ``topups_unchanged``: ``topup`` rows only
  (0 elsewhere); they add up to ``placements``.

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
WHO = ("council", "self", "topup")
OUTCOMES = ("topups_fall", "topups_rise", "topups_vanish", "topups_unchanged")
COUNTS = ("placements", *OUTCOMES)
COLUMNS = ["characteristic", "group", "who", "placements", "average_now_gbp_pw", "average_proposed_gbp_pw",
           "average_weekly_change_gbp_pw", "change_gbp_pa", *OUTCOMES]
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
    people = placements.funding.isin(("council", "self"))
    return [c for c in CHARACTERISTICS if characteristic_values(placements, c)[people].ne(NOT_RECORDED).any()]


def _average(total_pence: int, n: int) -> float:
    return pounds(total_pence / n / 100) if n else np.nan


def _a_year(weekly_pence: int) -> float:
    return to_pounds(to_pence(weekly_pence / 100 * WEEKS_PER_YEAR))


def equality_table(case: Case, yf: YearFees | None = None) -> pd.DataFrame:
    """The first year's change for council-funded residents, self-funders and families paying top-ups
    by age band, sex and primary support reason (see the module's docstring for the rows, columns,
    units and rules). Raises :class:`~feemodel.errors.NotComputed` when the book records none of
    the three."""
    p = case.book.placements
    shown = recorded_characteristics(p)
    if not shown:
        raise NotComputed(NOT_GIVEN)
    yf = yf or first_year(case)
    b, n = yf.base, yf.new
    funding = p.funding.to_numpy(dtype=object)
    has = b["third_party"] > 0
    # per placement, pence a week: (who the row is, amount now, amount proposed, change in what they pay)
    amounts = {
        "council": (funding == "council", b["council"] + b["resident"], n["council"] + n["resident"],
                    (n["resident"] + n["first_party"]) - (b["resident"] + b["first_party"])),
        "self": (funding == "self", b["resident"], n["resident"], n["resident"] - b["resident"]),
        "topup": (has, b["third_party"], n["third_party"], n["third_party"] - b["third_party"]),
    }
    d_top = n["third_party"] - b["third_party"]
    vanish = has & (n["third_party"] == 0)
    outcome = {"topups_fall": has & ~vanish & (d_top < 0), "topups_rise": has & (d_top > 0), "topups_vanish": vanish,
               "topups_unchanged": has & (d_top == 0)}
    rows = []
    for column in shown:
        values = characteristic_values(p, column).to_numpy(dtype=object)
        for who in WHO:
            member, now, new, pays = amounts[who]
            for group in (*CHARACTERISTICS[column], NOT_RECORDED):
                m = member & (values == group)
                k = int(m.sum())
                row = {"characteristic": column, "group": group, "who": who, "placements": k,
                       "average_now_gbp_pw": _average(int(now[m].sum()), k),
                       "average_proposed_gbp_pw": _average(int(new[m].sum()), k),
                       "average_weekly_change_gbp_pw": _average(int((new - now)[m].sum()), k),
                       "change_gbp_pa": _a_year(int(pays[m].sum()))}
                row.update({c: int((o & m).sum()) if who == "topup" else 0 for c, o in outcome.items()})
                rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def _shown(frame: pd.DataFrame, column: str) -> pd.Series:
    """A published column as numbers: withheld ("", "<5") cells are NaN."""
    return pd.to_numeric(frame[column], errors="coerce")


def widest_gap(published: pd.DataFrame, characteristic: str, who: str) -> tuple[tuple[str, float], tuple[str, float]] | None:
    """((group, change), (group, change)): the recorded groups of ``characteristic`` whose average
    weekly change (£ a week) is highest and lowest, among the rows of ``who`` whose figures
    the published table shows (a withheld row is never named; "not recorded" is not a group); None
    when fewer than two groups have figures shown. Ties go to the group listed first."""
    f = published[(published.characteristic == characteristic) & (published.who == who)
                  & (published.group != NOT_RECORDED)]
    change = _shown(f, "average_weekly_change_gbp_pw")
    ok = change.notna() & (_shown(f, "placements") > 0)
    if ok.sum() < 2:
        return None
    groups, values = f.group[ok].tolist(), change[ok].tolist()
    hi, lo = int(np.argmax(values)), int(np.argmin(values))
    return (groups[hi], values[hi]), (groups[lo], values[lo])


SUBJECTS = {"council": ("council-funded residents", "weekly fee"), "self": ("self-funders", "weekly fee"),
            "topup": ("families paying a top-up", "weekly top-up")}


def comparisons(published: pd.DataFrame, words: Callable[[str, str], str] = lambda v, _c: v) -> list[str]:
    """One plain sentence per characteristic naming the groups whose average weekly change differs
    most (council-funded residents' fees, self-funders' fees, families' top-ups), from the published
    (suppressed) table only, so a withheld figure is never named. ``words(code, column)`` turns a
    code into words (the label registry's :func:`~feemodel.publish.labels.words` in the pack)."""
    out = []
    for c in CHARACTERISTICS:
        name = words(c, "characteristic")
        if not (published.characteristic == c).any():
            out.append(f"{name} is not recorded in the placement book, so no comparison by {name.lower()} is made.")
            continue
        parts = []
        for who, (people, amount) in SUBJECTS.items():
            gap = widest_gap(published, c, who)
            if gap is None:
                parts.append(f"for {people}, fewer than two groups have figures shown, so none are compared")
                continue
            (g_hi, v_hi), (g_lo, v_lo) = gap
            if v_hi == v_lo:
                parts.append(f"for {people}, the average change in the {amount} is the same in every group shown "
                             f"({fmt_gbp(v_hi)} a week)")
            else:
                parts.append(f"for {people}, the average change in the {amount} is highest for {words(g_hi, 'group')} "
                             f"({fmt_gbp(v_hi)} a week) and lowest for {words(g_lo, 'group')} ({fmt_gbp(v_lo)} a week), "
                             f"{fmt_gbp(v_hi - v_lo)} a week apart")
        out.append(f"By {name.lower()}: " + "; ".join(parts) + ".")
    return out

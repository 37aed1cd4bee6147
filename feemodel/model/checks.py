"""Checks a commissioner would want flagged: warnings, never failures.

Each check returns one row: ``check`` (a code), ``status`` (``ok``, ``warning``, or ``explained``
when the scenario's ``notes`` carry a justification under the check's key), ``key`` (the scenario
key it concerns), and ``detail`` (a sentence with the figures). The rules:

* ``pay_below_nlw``: a fixed hourly pay rate in a cost category (care, nurse or other staff) below
  the National Living Wage in force on the rates date;
* ``supplementary_rate_below_nlw_cost``: a band's supplementary hourly rate below the NLW with
  statutory on-costs (holiday backfill 5.6 / (52 - 5.6), employer NI above the secondary threshold
  and the auto-enrolment minimum, for a worker on 37.5 hours a week at the NLW);
* ``occupancy_assumption``: a category's assumed occupancy more than
  :data:`OCCUPANCY_GAP_POINTS` points from the actual occupancy of the open in-county homes of its
  setting (from the homes file);
* ``pass_through_gap``: the pass-through to top-ups and to self-funders more than
  :data:`PASS_THROUGH_GAP_POINTS` points apart;
* ``one_sided_exclusions``: two or more survey exclusions in a category, all above (or all below)
  that category's median home total before exclusion;
* ``survey_small_category`` and ``survey_missing_lines``: a survey category with fewer than 5
  homes, and lines some homes did not give (how the totals treat them).
"""

from __future__ import annotations

import pandas as pd

from ..inputs.scenario import OnCosts
from .case import Case
from . import survey
from .rates import on_cost_rate

OCCUPANCY_GAP_POINTS = 5.0
PASS_THROUGH_GAP_POINTS = 25.0
COLUMNS = ["check", "status", "key", "detail"]


def _row(case: Case, check: str, key: str, problem: str | None, ok: str) -> dict:
    note = case.scenario.notes.get(key)
    if problem is None:
        return {"check": check, "status": "ok", "key": key, "detail": ok}
    if note:
        return {"check": check, "status": "explained", "key": key, "detail": f"{problem} The scenario explains: {note}"}
    return {"check": check, "status": "warning", "key": key, "detail": problem}


def nlw_cost_per_hour(case: Case) -> tuple[float, float]:
    """(NLW £/hour, NLW with statutory on-costs £/hour) on the scenario's rates date."""
    s, p = case.scenario, case.params
    nlw = p.get("wages.national_living_wage", s.rates_date)
    probe = next(iter(s.cost_of_care.categories.values()), None)
    oc = on_cost_rate(probe.model_copy(update={"on_costs": OnCosts()}), nlw, p, s.rates_date) if probe else None
    return nlw, nlw * (1 + oc["total"]) if oc else nlw


def pay_checks(case: Case) -> list[dict]:
    s = case.scenario
    nlw, with_oncosts = nlw_cost_per_hour(case)
    rows = []
    for name, cat in s.cost_of_care.categories.items():
        pays = [(k, v) for k, v in (("care_pay", cat.care_pay), ("nurse_pay", cat.nurse_pay)) if v is not None]
        pays += [(f"other_staff_prpw.{k}.pay", v.pay) for k, v in cat.other_staff_prpw.items() if hasattr(v, "pay")]
        for field, pay in pays:
            key = f"cost_of_care.categories.{name}.{field}"
            if pay.hourly_rate is not None and pay.hourly_rate < nlw:
                rows.append(_row(case, "pay_below_nlw", key,
                                 f"{cat.label}: {field} £{pay.hourly_rate:,.2f} an hour is below the National Living Wage "
                                 f"(£{nlw:,.2f} on {s.rates_date.isoformat()}).", ""))
    if not rows:
        rows.append({"check": "pay_below_nlw", "status": "ok", "key": "cost_of_care.categories",
                     "detail": f"Every hourly pay in the cost build-up is at least the National Living Wage (£{nlw:,.2f})."})
    for structure in dict.fromkeys([s.current_structure, s.proposed_structure]):
        for band in s.band_structures[structure]:
            if band.supplementary_hourly_rate > 0:
                key = f"band_structures.{structure}.{band.name}.supplementary_hourly_rate"
                problem = None
                if band.supplementary_hourly_rate < with_oncosts:
                    problem = (f"{band.name}: the supplementary hourly rate £{band.supplementary_hourly_rate:,.2f} is below the cost of an "
                               f"hour at the National Living Wage with statutory on-costs (£{with_oncosts:,.2f}).")
                rows.append(_row(case, "supplementary_rate_below_nlw_cost", key, problem,
                                 f"{band.name}: the supplementary hourly rate £{band.supplementary_hourly_rate:,.2f} covers the "
                                 f"National Living Wage with statutory on-costs (£{with_oncosts:,.2f})."))
    return rows


def occupancy_checks(case: Case) -> list[dict]:
    s, book = case.scenario, case.book
    if not case.has("homes"):
        return []
    h = book.homes[(book.homes.area == "in") & book.homes.closed.isna() & book.homes.occupied_beds.notna()]
    rows = []
    for name, cat in s.cost_of_care.categories.items():
        hs = h[h.setting == cat.setting]
        if hs.beds.sum() <= 0 or cat.occupancy_pct is None:  # no occupancy assumed: its lines are all per resident
            continue
        actual = float(hs.occupied_beds.sum() / hs.beds.sum() * 100)
        key = f"cost_of_care.categories.{name}.occupancy_pct"
        gap = cat.occupancy_pct - actual
        problem = None
        if abs(gap) > OCCUPANCY_GAP_POINTS:
            problem = (f"{cat.label}: assumed occupancy {cat.occupancy_pct:g}% is {abs(gap):.1f} points "
                       f"{'above' if gap > 0 else 'below'} the actual {actual:.1f}% of open in-county {cat.setting} homes.")
        rows.append(_row(case, "occupancy_assumption", key, problem,
                         f"{cat.label}: assumed occupancy {cat.occupancy_pct:g}% is within {OCCUPANCY_GAP_POINTS:g} points "
                         f"of the actual {actual:.1f}%."))
    return rows


def pass_through_checks(case: Case) -> list[dict]:
    u = case.scenario.uplift
    gap = abs(u.provider_pass_through_pct - u.self_funder_pass_through_pct)
    problem = None
    if gap > PASS_THROUGH_GAP_POINTS:
        problem = (f"Homes are assumed to pass {u.provider_pass_through_pct:g}% of the council's rise on to top-up prices but "
                   f"{u.self_funder_pass_through_pct:g}% on to self-funders' prices, {gap:g} points apart.")
    return [_row(case, "pass_through_gap", "uplift.self_funder_pass_through_pct", problem,
                 f"Pass-through to top-ups ({u.provider_pass_through_pct:g}%) and to self-funders "
                 f"({u.self_funder_pass_through_pct:g}%) are within {PASS_THROUGH_GAP_POINTS:g} points.")]


def exclusion_checks(case: Case) -> list[dict]:
    s = case.scenario
    if not case.has("cost_survey") or not s.survey_exclusions:
        return []
    survey = case.book.cost_survey
    totals = survey.groupby(["category", "home_id"]).amount_prpw.sum()
    rows = []
    for cat in sorted(survey.category.unique()):
        t = totals.loc[cat]
        excluded = [item.partition(":")[0] for item in s.survey_exclusions
                    if item.partition(":")[2] in ("", cat) and item.partition(":")[0] in t.index]
        if len(excluded) < 2:
            continue
        median = float(t.median())
        above = [h for h in excluded if t[h] > median]
        below = [h for h in excluded if t[h] < median]
        problem = None
        if not above or not below:
            side = "above" if above else "below"
            problem = (f"{cat}: all {len(excluded)} survey exclusions are homes costing {side} the median "
                       f"(£{median:,.2f} per resident per week): excluding them moves the median one way.")
        rows.append(_row(case, "one_sided_exclusions", "survey_exclusions", problem,
                         f"{cat}: survey exclusions fall on both sides of the median."))
    return rows


def survey_sample_checks(case: Case) -> list[dict]:
    """Small categories and lines missing for some homes (see :func:`feemodel.model.survey.survey_checks`)."""
    if not case.has("cost_survey"):
        return []
    return [_row(case, w["key"], "data.cost_survey", w["detail"], "") for w in survey.survey_checks(survey.case_kept(case)[0])]


def checks(case: Case) -> pd.DataFrame:
    """Every check's result for the case (see the module docstring)."""
    rows = (pay_checks(case) + occupancy_checks(case) + pass_through_checks(case) + exclusion_checks(case)
            + survey_sample_checks(case))
    return pd.DataFrame(rows, columns=COLUMNS)

"""Cost pressure against the offer: how much homes' costs rise in the fee year, beside the uplift.

:func:`pressure` weighs, for each band, the change in each cost from the year before to the fee year
(financial year Y = the scenario's):

* weights (``cost_pressure.weights``): ``build_up``, a band built from a cost category uses its
  staff lines' share of its cost of care (care + nursing + other staff over the total, in pence at
  the rates date, as ``indexation.weights: build_up`` does); ``survey``, the staff lines' share of
  the sum of the survey's line medians for the band's category; a band with a stated rate (or a
  category the survey lacks) uses ``indexation.staff_share_pct``. Where ``cost_pressure.energy_pct``
  gives the fee year, the energy share is the build-up's supplies items named in
  ``cost_pressure.energy_items`` (their share of the supplies line, times the line's share of the
  total); everything else is "other costs".
* the staff cost of an hour of work, S = p x (1 + NI + pension) (holiday and sickness cancel out),
  for a worker paid p an hour for the category's paid hours a week (37.5 for a stated band):
  p(Y-1) is the National Living Wage of year Y-1 and p(Y) = p(Y-1) x (1 + staff growth), the staff
  growth of the uplift index (the NLW's change, or ``indexation.staff_growth_pct``); NI and
  pension are the employer's rates above their thresholds on that pay (national parameters in
  force on 6 April of each year). The change S(Y) / S(Y-1) - 1 splits exactly into three indices:
  pay = p(Y) / p(Y-1) - 1; employer NI = p(Y) x (NI(Y) - NI(Y-1)) / D; pension =
  p(Y) x (pension(Y) - pension(Y-1)) / D, where D = p(Y-1) x (1 + NI(Y-1) + pension(Y-1)).
* other costs: CPI for year Y (``indexation.cpi_pct``); energy: ``cost_pressure.energy_pct``.

Each component's contribution is weight x index; the band's pressure is their sum (% a year). Rows
are rounded to 4 decimals once; the total is the sum of the unrounded contributions, rounded once.

:func:`offer` sets each band's pressure beside the first year's uplift (the band mapping table's
change from the current rate to the rate costed in the first year): the shortfall (negative) or
surplus in % points, and in £ a year on today's fees (gap % x current rate x council placements x
365/7); the ``all`` row weighs the bands by their placements' fees now. :func:`history` sets past
years' uplifts against their cost pressure (``past_uplifts``) since the first year given, with the
cumulative gap.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..errors import NotComputed
from ..inputs.scenario import Band, OnCosts, Scenario
from ..money import pounds, round_half_up
from .case import Case
from .funding import WEEKS_PER_YEAR
from .indexation import STAFF_LINES, cpi_pct, nlw_for_year, staff_growth_pct
from .rates import band_rate_pence

COLUMNS = ["band", "component", "weight_pct", "index_pct", "contribution_pct", "weights_from", "source"]
OFFER_COLUMNS = ["current_band", "proposed_band", "placements", "current_rate_gbp_pw", "first_year_rate_gbp_pw", "offer_pct",
                 "pressure_pct", "gap_pct", "gap_gbp_pa"]
HISTORY_COLUMNS = ["financial_year", "uplift_pct", "cost_pressure_pct", "gap_pct", "cumulative_uplift_factor",
                   "cumulative_cost_factor", "cumulative_gap_pct"]


def _refs(params, name: str, when: dt.date) -> str:
    return "; ".join(r["title"] for r in params[name].references_at(when))


def _employer_rates(params, pay: float, hours: float, when: dt.date) -> tuple[float, float, dict]:
    """(employer NI, pension) as fractions of pay for a worker paid ``pay`` an hour for ``hours`` a week."""
    annual = pay * hours * 52
    ni_rate, ni_thr = params.get("tax.employer_ni_rate", when), params.get("tax.employer_ni_secondary_threshold", when)
    pen_rate, qel = params.get("pensions.auto_enrolment_employer_rate", when), params.get("pensions.qualifying_earnings_lower_limit", when)
    ni = ni_rate * max(0.0, annual - ni_thr) / annual
    pension = pen_rate * max(0.0, annual - qel) / annual
    return ni, pension, {"ni_rate": ni_rate, "ni_threshold": ni_thr, "pension_rate": pen_rate, "qel": qel}


def staff_indices(scenario: Scenario, params, hours: float) -> dict[str, float]:
    """Pay, employer NI and pension indices (fractions) for the fee year, and the figures behind them."""
    y = scenario.financial_year
    p0 = nlw_for_year(y - 1, scenario, params)
    growth = staff_growth_pct(scenario, params, y) / 100
    p1 = p0 * (1 + growth)
    then, now = dt.date(y - 1, 4, 6), dt.date(y, 4, 6)
    ni0, pen0, f0 = _employer_rates(params, p0, hours, then)
    ni1, pen1, f1 = _employer_rates(params, p1, hours, now)
    d = p0 * (1 + ni0 + pen0)
    return {"pay": p1 / p0 - 1, "employer_ni": p1 * (ni1 - ni0) / d, "pension": p1 * (pen1 - pen0) / d,
            "p0": p0, "p1": p1, "then": then, "now": now, "f0": f0, "f1": f1}


def _weights(case: Case, band: Band, summary: pd.DataFrame | None) -> tuple[float, float, str]:
    """(staff share, energy share, where the weights come from) for a band (fractions)."""
    s = case.scenario
    cp = s.cost_pressure
    energy_on = s.financial_year in cp.energy_pct
    if band.category is None:
        return s.indexation.staff_share_pct / 100, 0.0, "the scenario's stated staff share"
    cat = s.cost_of_care.categories[band.category]
    p = band_rate_pence(band, s, case.params, s.rates_date)
    total = p["cost_of_care_total"]
    energy = 0.0
    if energy_on and cat.supplies_prpw and total:
        items = sum(cat.supplies_prpw.values())
        named = sum(v for k, v in cat.supplies_prpw.items() if k in cp.energy_items)
        energy = p["supplies_services"] * (named / items if items else 0.0) / total
    if cp.weights == "survey":
        rows = summary[(summary.category == band.category) & (summary.convention == "per_line")] if summary is not None else None
        if rows is not None and len(rows) and rows["median"].notna().any():
            med = rows.set_index("cost_line")["median"].fillna(0.0)
            return float(med.reindex(list(STAFF_LINES)).fillna(0.0).sum() / med.sum()), energy, \
                f"provider cost survey medians ({band.category})"
        return s.indexation.staff_share_pct / 100, energy, "the scenario's stated staff share (the survey has no lines for the category)"
    staff = sum(p[k] for k in STAFF_LINES) / total if total else 0.0
    return staff, energy, f"cost build-up ({band.category})"


def pressure(case: Case, summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """The fee year's cost pressure per band, component by component (columns :data:`COLUMNS`)."""
    s, params = case.scenario, case.params
    y = s.financial_year
    label = f"{y - 1}/{y % 100:02d} to {s.year_label}"
    cpi = cpi_pct(s, params, y) / 100
    energy_pct = s.cost_pressure.energy_pct.get(y)
    rows = []
    for band in s.bands("current" if s.uplift.pct_method else "proposed"):
        hours = (s.cost_of_care.categories[band.category].on_costs if band.category else OnCosts()).paid_hours_per_week
        ix = staff_indices(s, params, hours)
        staff, energy, where = _weights(case, band, summary)
        f0, f1 = ix["f0"], ix["f1"]
        nlw_src = ("the staff growth the scenario states" if y in s.indexation.staff_growth_pct else
                   "the NLW the scenario projects" if y in s.indexation.future_nlw else _refs(params, "wages.national_living_wage", ix["now"]))
        parts = [
            ("pay", staff, ix["pay"], f"National Living Wage {label}: £{ix['p0']:.2f} to £{ix['p1']:.2f} an hour; {nlw_src}"),
            ("employer_ni", staff, ix["employer_ni"],
             f"Employer NI {f0['ni_rate'] * 100:g}% above £{f0['ni_threshold']:,.0f} a year to {f1['ni_rate'] * 100:g}% above "
             f"£{f1['ni_threshold']:,.0f}, at that pay for {hours:g} hours a week; {_refs(params, 'tax.employer_ni_rate', ix['now'])}"),
            ("pension", staff, ix["pension"],
             f"Auto-enrolment employer pension {f0['pension_rate'] * 100:g}% above £{f0['qel']:,.0f} a year to "
             f"{f1['pension_rate'] * 100:g}% above £{f1['qel']:,.0f}; {_refs(params, 'pensions.auto_enrolment_employer_rate', ix['now'])}"),
        ]
        if energy:
            parts.append(("energy", energy, energy_pct / 100, f"Energy prices {s.year_label}, as the scenario states them"
                          + (f": {s.note('cost_pressure.energy_pct')}" if s.note("cost_pressure.energy_pct") else "")))
        parts.append(("other_costs", 1 - staff - energy, cpi, f"CPI {s.year_label}, as the scenario states it"))
        total = 0.0
        for comp, w, idx, src in parts:
            total += w * idx
            rows.append({"band": band.name, "component": comp, "weight_pct": round_half_up(w * 100, 4),
                         "index_pct": round_half_up(idx * 100, 4), "contribution_pct": round_half_up(w * idx * 100, 4),
                         "weights_from": where, "source": src})
        rows.append({"band": band.name, "component": "total", "weight_pct": 100.0, "index_pct": np.nan,
                     "contribution_pct": round_half_up(total * 100, 4), "weights_from": where, "source": "the sum of the lines above"})
    return pd.DataFrame(rows, columns=COLUMNS)


def offer(pressure_table: pd.DataFrame, band_mapping: pd.DataFrame) -> pd.DataFrame:
    """Each band's first-year uplift beside its cost pressure (columns :data:`OFFER_COLUMNS`).

    ``offer_pct`` = first-year rate / current rate - 1 (x 100); ``pressure_pct`` the proposed band's
    (under a % uplift, the band's own) total from :func:`pressure`; ``gap_pct`` = offer - pressure
    (negative: a shortfall); ``gap_gbp_pa`` = gap % / 100 x current rate x placements x 365/7. The
    ``all`` row: offer and pressure weighted by current rate x placements, the £ gap summed."""
    totals = pressure_table[pressure_table.component == "total"].set_index("band").contribution_pct
    rows = []
    for _, r in band_mapping.iterrows():
        off = (r.first_year_rate_gbp_pw / r.current_rate_gbp_pw - 1) * 100 if r.current_rate_gbp_pw else np.nan
        pr = float(totals[r.proposed_band])
        rows.append({"current_band": r.current_band, "proposed_band": r.proposed_band, "placements": r.placements,
                     "current_rate_gbp_pw": r.current_rate_gbp_pw, "first_year_rate_gbp_pw": r.first_year_rate_gbp_pw,
                     "offer_pct": off, "pressure_pct": pr, "gap_pct": off - pr,
                     "gap_gbp_pa": (off - pr) / 100 * r.current_rate_gbp_pw * r.placements * WEEKS_PER_YEAR})
    out = pd.DataFrame(rows, columns=OFFER_COLUMNS)
    weight = out.current_rate_gbp_pw * out.placements
    if len(out) and weight.sum():
        off = float((out.offer_pct * weight).sum() / weight.sum())
        pr = float((out.pressure_pct * weight).sum() / weight.sum())
        out.loc[len(out)] = {"current_band": "all", "proposed_band": "", "placements": out.placements.sum(),
                             "current_rate_gbp_pw": np.nan, "first_year_rate_gbp_pw": np.nan, "offer_pct": off,
                             "pressure_pct": pr, "gap_pct": off - pr, "gap_gbp_pa": float(out.gap_gbp_pa.sum())}
    for c in ("offer_pct", "pressure_pct", "gap_pct"):
        out[c] = [round_half_up(v, 4) if pd.notna(v) else np.nan for v in out[c]]
    out["gap_gbp_pa"] = pounds(out.gap_gbp_pa)
    return out


def history(scenario: Scenario, this_year: dict | None = None) -> pd.DataFrame:
    """Past uplifts against cost pressure (``past_uplifts``), oldest first, then the fee year's
    (``this_year``: {uplift_pct, cost_pressure_pct}, from :func:`offer`'s ``all`` row) where given.
    Cumulative factors multiply (1 + % / 100) from the first year listed; ``cumulative_gap_pct`` =
    (uplift factor / cost factor - 1) x 100: how far fees have fallen behind (negative) or run
    ahead of costs since then. Factors to 6 decimals, % to 4, each rounded once."""
    late = [y for y in scenario.past_uplifts if y >= scenario.financial_year]
    if late:
        raise NotComputed(f"past_uplifts.{late[0]} is not before the scenario's financial year {scenario.financial_year}; "
                          "past_uplifts lists the years before it")
    years = {y: (p.uplift_pct, p.cost_pressure_pct) for y, p in sorted(scenario.past_uplifts.items())}
    if this_year is not None:
        years[scenario.financial_year] = (this_year["uplift_pct"], this_year["cost_pressure_pct"])
    rows, fu, fc = [], 1.0, 1.0
    for y, (u, c) in years.items():
        fu *= 1 + u / 100
        fc *= 1 + c / 100
        rows.append({"financial_year": y, "uplift_pct": u, "cost_pressure_pct": c, "gap_pct": round_half_up(u - c, 4),
                     "cumulative_uplift_factor": round(fu, 6), "cumulative_cost_factor": round(fc, 6),
                     "cumulative_gap_pct": round_half_up((fu / fc - 1) * 100, 4)})
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)

"""Cost of care build-up and the banded rate card.

A category's cost is built per resident per week (£ prpw), on the national figures in force on the
scenario's rates date (the later of its effective date and 6 April; see ``Scenario.rates_date``):

* care staff = care hours prpw x hourly pay x (1 + on-costs); nursing adds nurse hours x nurse pay;
  pay is a fixed £/hour or the National Living Wage in force plus a premium;
* on-costs = (1 + holiday + sickness/training) x (1 + employer NI + pension) - 1, where
  'statutory' holiday is the backfill for 5.6 weeks (5.6 / (52 - 5.6)), employer NI is the
  rate on pay above the secondary threshold and pension the auto-enrolment minimum on pay above
  the qualifying earnings lower limit, for a worker paid ``paid_hours_per_week``;
* other staff are a stated £ prpw or hours prpw x pay with the same on-costs as care staff;
  supplies and services and head office are £ prpw. Each of these three is entered at the
  category's assumed occupancy and is, by default, a home's fixed cost: at another occupancy it is
  spread over the occupied beds (value x assumed occupancy / occupancy). ``line_basis`` may mark
  one ``per_resident`` instead (it then does not move with occupancy). A category with no
  ``occupancy_pct`` has every such line per resident: its cost is the same at any occupancy;
* premises is entered £ per bed per week and divided by occupancy (a fixed cost);
* a line stated directly (``Category.lines_prpw``, £ prpw, for example a survey's median) replaces
  that line's build-up and is used as given: occupancy does not divide it, it does not move with
  occupancy (homes' own occupancy, or the sensitivity's occupancy change), and the sensitivity's
  pay and care-hours changes do not move it either (it has no hours or pay);
* returns, by convention:
  (a) ``single_return_on_capital``: (land + building value per bed) x target yield / (52 x occupancy)
      (2008 fair-price toolkit; 12% yield);
  (b) ``fair_cost_of_care``: return on operations on operating costs (the six lines above, stated
      or built), plus return on capital = freehold value per bed x yield / (52 x occupancy) (2022
      fair cost of care exercise). ``cost_of_care.return_on_operations_basis``: ``operating_costs``
      (return = operating x % / 100) or ``total_cost`` (the return is % of operating + return:
      operating x % / (100 - %); operating £900 at 10% gives £100, total £1,000).
  A stated ``return_on_operations`` or ``return_on_capital`` line replaces the computed return.
* price base (``cost_of_care.price_base``): the £ figures the scenario states (stated lines,
  stated other-staff £ amounts, premises per bed, supplies, head office and fixed hourly pay) are
  at that year's prices and are multiplied by :func:`feemodel.model.price_base.price_base_factor`
  before each line is rounded; pay built on the NLW (always the NLW in force) and capital values
  are not uprated.

Weeks: the build-up uses 52 weeks a year throughout (annual pay for the NI and pension thresholds,
holiday backfill, capital returns), as the 2008 toolkit and the 2022 template do. Annual costs of a
fee change are counted by days elsewhere (365/7, or 366/7 in a leap year).

Each component is rounded to the penny once (:func:`feemodel.money.to_pence`) and the rate is the
exact sum of the rounded components, so every published rate card adds up.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..errors import InputError
from ..money import round_half_up, round_rate, to_pence, to_pounds
from ..inputs.params import NationalParameters
from ..inputs.scenario import COST_LINES as SCENARIO_COST_LINES
from ..inputs.scenario import Band, Category, Scenario, StaffHours
from .price_base import price_base_factor

COST_LINES = list(SCENARIO_COST_LINES)
OPERATING_LINES = COST_LINES[:6]
PRICE_BASE_KEY = "cost_of_care.price_base"
WEEKS_PER_YEAR = 52


def hourly_pay(pay, params: NationalParameters, when: dt.date, price_factor: float = 1.0) -> float:
    """£/hour: the fixed rate x ``price_factor`` (a fixed rate is at the price base's prices), or
    the NLW in force on ``when`` plus the premium (never uprated: the NLW is that year's)."""
    if pay.hourly_rate is not None:
        return pay.hourly_rate * price_factor
    return params.get("wages.national_living_wage", when) + pay.nlw_premium


def staff_line_cost(line, cat: Category, params: NationalParameters, when: dt.date, price_factor: float = 1.0) -> float:
    """£ prpw of one staff line: a stated amount x ``price_factor``, or hours x pay x (1 + the
    category's on-costs)."""
    if isinstance(line, StaffHours):
        pay = hourly_pay(line.pay, params, when, price_factor)
        return line.hours_prpw * pay * (1 + on_cost_rate(cat, pay, params, when)["total"])
    return float(line) * price_factor


def on_cost_rate(cat: Category, pay_per_hour: float, params: NationalParameters, when: dt.date) -> dict:
    """On-cost shares of basic pay (fractions), with the total."""
    oc = cat.on_costs
    if oc.holiday == "statutory":
        weeks = params.get("wages.statutory_holiday_weeks", when)
        holiday = weeks / (WEEKS_PER_YEAR - weeks)
    else:
        holiday = oc.holiday / 100
    annual = np.maximum(pay_per_hour * oc.paid_hours_per_week * WEEKS_PER_YEAR, 1e-9)
    if oc.employer_ni == "statutory":
        threshold = params.get("tax.employer_ni_secondary_threshold", when)
        ni = params.get("tax.employer_ni_rate", when) * np.maximum(0.0, annual - threshold) / annual
    else:
        ni = oc.employer_ni / 100
    if oc.pension == "statutory":
        qel = params.get("pensions.qualifying_earnings_lower_limit", when)
        pension = params.get("pensions.auto_enrolment_employer_rate", when) * np.maximum(0.0, annual - qel) / annual
    else:
        pension = oc.pension / 100
    sick = oc.sickness_training_pct / 100
    total = (1 + holiday + sick) * (1 + ni + pension) - 1
    return {"holiday": holiday, "sickness_training": sick, "employer_ni": ni, "pension": pension, "total": total}


def category_cost(cat: Category, convention: str, params: NationalParameters, when: dt.date,
                  occupancy_pct: float | np.ndarray | None = None, adjust: dict | None = None, *,
                  return_basis: str = "operating_costs", price_factor: float = 1.0) -> dict[str, float]:
    """Unrounded cost lines (£ prpw) for one category at an occupancy (default: the category's).

    ``adjust`` shifts assumptions for sensitivity analysis; each value may be a number or a numpy
    array (one per draw): ``nlw_premium`` (£/hour added to care pay), ``occupancy_pct`` (points
    added), ``care_hours_pct`` (% change in care hours), ``return_on_operations_pct`` and
    ``capital_yield_pct`` (points added). Lines stated in ``cat.lines_prpw`` are used as given
    (x ``price_factor``): no adjustment moves them.

    ``return_basis``: ``operating_costs`` (return on operations = operating x % / 100) or
    ``total_cost`` (operating x % / (100 - %)). ``price_factor``: the uprating of the stated £
    figures from the price base (see the module's docstring); 1 when there is none.

    A category with no ``occupancy_pct`` spreads nothing over beds: ``occupancy_pct`` is ignored
    (its cost is the same at every occupancy) and an occupancy change in ``adjust`` is a
    ValueError (:func:`feemodel.model.sensitivity.check_ranges` refuses such a range first). An
    occupancy outside (0%, 100%] is a ValueError; a return on operations of 100% or more on the
    ``total_cost`` basis is a ValueError (no total includes a return of all of itself), unless the
    return on operations is stated in ``cat.lines_prpw`` (the % then does not apply).
    """
    a = adjust or {}
    stated = cat.lines_prpw
    if cat.occupancy_pct is None:
        if np.any(np.asarray(a.get("occupancy_pct", 0.0)) != 0):
            raise ValueError(f"category {cat.label!r} states no occupancy_pct, so an occupancy change does not apply to it")
        occ, assumed = 1.0, 1.0  # nothing is spread: per-home lines are per resident, no premises or capital
    else:
        occ = ((occupancy_pct if occupancy_pct is not None else cat.occupancy_pct) + a.get("occupancy_pct", 0.0)) / 100
        if np.any(np.asarray(occ) <= 0) or np.any(np.asarray(occ) > 1):
            raise ValueError(f"occupancy must be above 0% and at most 100%, got {np.min(occ) * 100:g}% to {np.max(occ) * 100:g}%")
        assumed = cat.occupancy_pct / 100
    f = price_factor

    def spread(line: str):
        """Per-home lines are entered at the assumed occupancy and spread over the occupied beds."""
        return assumed / occ if cat.basis(line) == "per_home" else 1.0

    lines = {}
    if "care_staff" in stated:
        lines["care_staff"] = stated["care_staff"] * f
    else:
        care_pay = hourly_pay(cat.care_pay, params, when, f) + a.get("nlw_premium", 0.0)
        hours = cat.care_hours_prpw * (1 + a.get("care_hours_pct", 0.0) / 100)
        lines["care_staff"] = hours * care_pay * (1 + on_cost_rate(cat, care_pay, params, when)["total"])
    if "nursing_staff" in stated:
        lines["nursing_staff"] = stated["nursing_staff"] * f
    else:
        nurse = 0.0
        if cat.nurse_hours_prpw:
            nurse_pay = hourly_pay(cat.nurse_pay, params, when, f)
            nurse = cat.nurse_hours_prpw * nurse_pay * (1 + on_cost_rate(cat, nurse_pay, params, when)["total"])
        lines["nursing_staff"] = nurse
    other = sum(staff_line_cost(v, cat, params, when, f) for v in cat.other_staff_prpw.values())
    built = {
        "other_staff": lambda: other * spread("other_staff"),
        "premises": lambda: float(sum(cat.premises_per_bed.values())) * f / occ,
        "supplies_services": lambda: float(sum(cat.supplies_prpw.values())) * f * spread("supplies"),
        "head_office": lambda: cat.head_office_prpw * f * spread("head_office"),
    }
    for line, build in built.items():
        lines[line] = stated[line] * f if line in stated else build()
    operating = sum(lines.values())
    r = cat.returns
    if convention == "single_return_on_capital":
        lines["return_on_operations"] = 0.0
        y = (r.target_yield_pct + a.get("capital_yield_pct", 0.0)) / 100
        lines["return_on_capital"] = (r.land_value_per_bed + r.building_value_per_bed) * y / (WEEKS_PER_YEAR * occ)
    else:
        pct = r.return_on_operations_pct + a.get("return_on_operations_pct", 0.0)
        if return_basis == "total_cost" and "return_on_operations" not in stated:  # a stated line replaces it below
            if np.any(np.asarray(pct) >= 100):
                raise ValueError(f"a return on operations of {np.max(pct):g}% of total cost leaves nothing for the costs; "
                                 "it must be below 100%")
            lines["return_on_operations"] = operating * pct / (100 - pct)
        else:
            lines["return_on_operations"] = operating * pct / 100
        y = (r.capital_yield_pct + a.get("capital_yield_pct", 0.0)) / 100
        lines["return_on_capital"] = r.freehold_value_per_bed * y / (WEEKS_PER_YEAR * occ)
    for line in ("return_on_operations", "return_on_capital"):
        if line in stated:
            lines[line] = stated[line] * f
    return lines


def cost_settings(scenario: Scenario, params: NationalParameters) -> dict:
    """The scenario-wide settings of every category's build-up, as keywords of
    :func:`category_cost` and friends: ``return_basis`` and ``price_factor`` (from
    ``cost_of_care.price_base``; 1 without one)."""
    coc = scenario.cost_of_care
    return {"return_basis": coc.return_on_operations_basis,
            "price_factor": price_base_factor(coc.price_base, scenario, params, PRICE_BASE_KEY)}


def category_cost_pence(cat: Category, convention: str, params: NationalParameters, when: dt.date,
                        occupancy_pct: float | None = None, **settings) -> dict[str, int]:
    """Cost lines rounded once to pence, plus ``total`` as their exact sum. ``settings``:
    ``return_basis`` and ``price_factor`` (see :func:`category_cost`)."""
    lines = {k: to_pence(float(v)) for k, v in category_cost(cat, convention, params, when, occupancy_pct, **settings).items()}
    lines["total"] = sum(lines[k] for k in COST_LINES)
    return lines


def cost_at_occupancy(cat: Category, convention: str, params: NationalParameters, when: dt.date,
                      occupancy_pct: np.ndarray, **settings) -> np.ndarray:
    """Vectorised cost per occupied bed-week (£, unrounded) at many occupancies (homes): the same
    build-up as :func:`category_cost`, with per-home lines spread over each home's occupied beds.
    Stated lines do not move; a category with no occupancy costs the same at every occupancy."""
    occ = np.asarray(occupancy_pct, dtype=float)
    if cat.occupancy_pct is None:
        lines = category_cost(cat, convention, params, when, **settings)
    else:
        lines = category_cost(cat, convention, params, when, occupancy_pct=0.0, adjust={"occupancy_pct": occ}, **settings)
    return sum(np.broadcast_to(np.asarray(v, dtype=float), occ.shape) for v in lines.values())


def fnc_rate(params: NationalParameters, when: dt.date) -> float:
    return params.get("nhs.fnc_standard_rate", when)


def _check_return_basis(scenario: Scenario, name: str, cat: Category) -> None:
    """InputError where a return on operations stated as % of total cost is 100% or more."""
    coc = scenario.cost_of_care
    if (coc.return_convention == "fair_cost_of_care" and coc.return_on_operations_basis == "total_cost"
            and "return_on_operations" not in cat.lines_prpw and cat.returns.return_on_operations_pct >= 100):
        raise InputError(scenario.path, f"cost_of_care.categories.{name}.returns.return_on_operations_pct",
                         f"{cat.returns.return_on_operations_pct:g}% of total cost (return_on_operations_basis: total_cost) "
                         "leaves nothing for the costs; give a % below 100")


def band_rate_pence(band: Band, scenario: Scenario, params: NationalParameters, when: dt.date,
                    settings: dict | None = None) -> dict:
    """One band's weekly rate and its components in pence. ``settings``: :func:`cost_settings`
    (computed here when not given)."""
    out = {k: 0 for k in COST_LINES}
    if band.category is not None:
        cat = scenario.cost_of_care.categories[band.category]
        _check_return_basis(scenario, band.category, cat)
        settings = settings if settings is not None else cost_settings(scenario, params)
        out.update(category_cost_pence(cat, scenario.cost_of_care.return_convention, params, when, **settings))
        out["cost_of_care_total"] = out.pop("total")
        out["occupancy_pct"] = cat.occupancy_pct if cat.occupancy_pct is not None else np.nan
    fnc = to_pence(fnc_rate(params, when)) if band.setting == "nursing" else 0
    out["fnc_amount"] = fnc
    out["fnc_in_rate"] = fnc if band.fnc == "included" else 0
    out["quality_premium"] = to_pence(band.quality_premium)
    out["supplementary_needs"] = to_pence(band.supplementary_hours * band.supplementary_hourly_rate)
    if band.category is None:
        # a stated rate is published as stated; with FNC included, the council's share is the
        # stated rate less the FNC in force (the NHS pays the FNC part)
        out["cost_of_care_total"] = to_pence(band.weekly_rate) - out["fnc_in_rate"]
        out["occupancy_pct"] = np.nan
        if out["cost_of_care_total"] < 0:
            raise InputError(scenario.path, f"band {band.name!r}",
                             f"weekly_rate £{band.weekly_rate:,.2f} includes FNC but is below the FNC rate in force "
                             f"(£{fnc / 100:,.2f} on {when.isoformat()}); give the rate including FNC, or set fnc: excluded")
    out["weekly_rate"] = out["cost_of_care_total"] + out["quality_premium"] + out["supplementary_needs"] + out["fnc_in_rate"]
    return out


def rate_card(scenario: Scenario, params: NationalParameters, which: str = "proposed",
              survey_summary: pd.DataFrame | None = None, when: dt.date | None = None,
              costed: dict[str, int] | None = None) -> pd.DataFrame:
    """The rate card: one row per band with its components (£/week, 2 dp) and survey comparison.

    The weekly rate is the exact sum of its rounded components: cost of care (the built lines, or
    the stated rate less any FNC it includes) + uplift + quality premium + supplementary needs +
    FNC where included. Occupancy is blank where the category states none. With a
    ``cost_of_care.price_base``, a ``price_base_factor`` column (after ``occupancy_pct``) gives the
    factor the stated £ figures of built bands were uprated by (blank for stated rates); the steps
    are :func:`feemodel.model.price_base.price_base_steps`. With a uniform or per-band %
    (``scenario.uplift.method``), the proposed card is the current bands uplifted: pass ``costed`` ({current band: pence, excluding FNC}, see
    :func:`feemodel.model.uplift.band_rates_costed`) and each row carries the uplift in £ a week.

    National figures are those in force on ``when`` (default: the scenario's rates date, the later
    of its effective date and 6 April; see :attr:`Scenario.rates_date`)."""
    when = when or scenario.rates_date
    uplifting = which == "proposed" and scenario.uplift.pct_method
    if uplifting and costed is None:
        raise ValueError("a uniform, per-band or index uplift's rate card needs the costed rates")
    pound = which == "proposed" and not uplifting and scenario.uplift.rounding == "pound"
    rows = []
    settings = cost_settings(scenario, params)
    for band in scenario.bands("current" if uplifting else which):
        p = band_rate_pence(band, scenario, params, when, settings)
        uplift = costed[band.name] - (p["weekly_rate"] - p["fnc_in_rate"]) if uplifting else 0
        if uplifting and scenario.uplift.method == "index":
            basis = "current rate + the uplift index"
        elif uplifting:
            u = scenario.uplift
            pct = u.uniform_pct if u.method == "uniform" else u.per_band_pct.get(band.name, 0.0)
            basis = f"current rate + {pct:g}%"
        else:
            basis = f"built from {band.category}" if band.category else "stated rate"
        row = {
            "band": band.name,
            "setting": band.setting,
            "client_group": band.client_group,
            "basis": basis,
            "occupancy_pct": p["occupancy_pct"],
        }
        if scenario.cost_of_care.price_base is not None:
            # the uprating of the stated £ figures from the price base's year (a factor, 6 dp shown)
            row["price_base_factor"] = round(settings["price_factor"], 6) if band.category else np.nan
        for k in COST_LINES + ["cost_of_care_total"]:
            row[k + "_gbp_pw"] = to_pounds(p[k]) if (band.category or k == "cost_of_care_total") else np.nan
        row["uplift_gbp_pw"] = to_pounds(uplift)
        row["quality_premium_gbp_pw"] = to_pounds(p["quality_premium"])
        row["supplementary_needs_gbp_pw"] = to_pounds(p["supplementary_needs"])
        row["fnc"] = band.fnc if band.setting == "nursing" else "n/a"
        row["fnc_rate_gbp_pw"] = to_pounds(p["fnc_amount"]) if band.setting == "nursing" else np.nan
        if pound:
            # the council publishes whole pounds: the rate (excluding FNC) rounded half up to the pound,
            # as the costing pays it (money.round_rate); the rounding is its own component so the card adds up
            ex_fnc = p["weekly_rate"] - p["fnc_in_rate"]
            rounding = int(round_rate(ex_fnc / 100, "pound")) - ex_fnc
            row["rounding_gbp_pw"] = to_pounds(rounding)
            uplift += rounding
        row["weekly_rate_gbp"] = to_pounds(p["weekly_rate"] + uplift)
        if survey_summary is not None and band.category:
            s = survey_summary[(survey_summary.category == band.category) & (survey_summary.cost_line == "total")
                               & (survey_summary.convention == scenario.survey_statistic)]
            if len(s):
                row["survey_statistic"] = scenario.survey_statistic
                row["survey_lower_quartile_gbp_pw"] = float(s["lower_quartile"].iloc[0])
                row["survey_median_gbp_pw"] = float(s["median"].iloc[0])
                row["survey_upper_quartile_gbp_pw"] = float(s["upper_quartile"].iloc[0])
        # the council's reason for the rate: its note on the band itself, else on the band's category
        # itself (not a note on a figure inside them, nor one on all categories)
        structure = scenario.proposed_structure if which == "proposed" and not uplifting else scenario.current_structure
        keys = [f"band_structures.{structure}.{band.name}"] + ([f"cost_of_care.categories.{band.category}"] if band.category else [])
        row["note"] = next((" ".join(scenario.notes[k].split()) for k in keys if k in scenario.notes), "")
        rows.append(row)
    return pd.DataFrame(rows)


def band_rates_adjusted(scenario: Scenario, params: NationalParameters, adjust: dict, n: int,
                        when: dt.date | None = None) -> dict[str, np.ndarray]:
    """Proposed band rates (pence, excluding FNC) for ``n`` sets of adjusted assumptions at once.

    Each component is rounded to the penny and summed, exactly as :func:`band_rate_pence` does.
    """
    when = when or scenario.rates_date
    out = {}
    conv = scenario.cost_of_care.return_convention
    settings = cost_settings(scenario, params)
    for band in scenario.bands("proposed"):
        extras = to_pence(band.quality_premium) + to_pence(band.supplementary_hours * band.supplementary_hourly_rate)
        if band.category is None:
            council_share = band_rate_pence(band, scenario, params, when, settings)["cost_of_care_total"]
            out[band.name] = np.full(n, council_share + extras, dtype=np.int64)
            continue
        lines = category_cost(scenario.cost_of_care.categories[band.category], conv, params, when, adjust=adjust, **settings)
        total = sum(np.broadcast_to(to_pence(np.broadcast_to(np.asarray(lines[k], dtype=float), (n,))), (n,)) for k in COST_LINES)
        out[band.name] = total + extras
    return out


def band_rates(scenario: Scenario, params: NationalParameters, which: str, when: dt.date | None = None) -> dict[str, int]:
    """{band name: weekly rate in pence excluding any FNC included in the rate}, built on the
    national figures in force on ``when`` (default: the scenario's rates date)."""
    when = when or scenario.rates_date
    out = {}
    settings = cost_settings(scenario, params)
    for band in scenario.bands(which):
        p = band_rate_pence(band, scenario, params, when, settings)
        out[band.name] = p["weekly_rate"] - p["fnc_in_rate"]
    return out


def band_mapping(scenario: Scenario, placements: pd.DataFrame, current: dict[str, int],
                 proposed: dict[str, int], costed: dict[str, int]) -> pd.DataFrame:
    """Each current band: where its council placements go, the rate now, the proposed rate and the
    rate costed in the first year (£/week), and the change from now to the rate costed.

    ``current``: {current band: pence}; ``proposed``: {proposed band: pence} (the full target);
    ``costed``: {current band: pence}, the first year's band rate (phased where the scenario phases
    the change). With a %, per band or the index, the bands stay as they are: the proposed band is
    the current band and the proposed rate is the uplifted rate (a placement's own ``proposed_band``
    does not apply). Where a band splits across proposed bands (``band_mapping`` shares) or
    placements carry their own ``proposed_band``, there is a row per current and proposed band,
    with ``share_pct`` (the mapping's share) and ``placements`` the expected count (placements
    reassessed to the band, plus the share of the rest), to 1 decimal.
    """
    council = placements[placements.funding == "council"]
    own = council.proposed_band if "proposed_band" in council else pd.Series("", index=council.index)
    uplifting = scenario.uplift.pct_method
    split = not uplifting and (any(isinstance(v, dict) for v in scenario.band_mapping.values()) or own.ne("").any())
    rows = []
    for old, new in scenario.band_mapping.items():
        in_band = council.band.eq(old)
        shares = {old: 100.0} if uplifting else ({new: 100.0} if isinstance(new, str) else dict(new))
        if not uplifting:  # with a %, the bands stay as they are: a placement's own proposed band does not apply
            for b in sorted(set(own[in_band & own.ne("")]) - set(shares)):   # reassessed placements' own bands
                shares[b] = 0.0
        for to_band, share in shares.items():
            target = costed[old] if uplifting else proposed[to_band]
            row = {"current_band": old, "proposed_band": to_band}
            if split:
                # placements reassessed to this band, plus the band's share of the rest (an expected count)
                mapped = in_band & own.eq("")
                row["placements"] = round(float((in_band & own.eq(to_band)).sum() + mapped.sum() * share / 100), 1)
                row["share_pct"] = share
            else:
                row["placements"] = int(in_band.sum())
            row.update({
                "current_rate_gbp_pw": to_pounds(current[old]),
                "proposed_rate_gbp_pw": to_pounds(target),
                "first_year_rate_gbp_pw": to_pounds(costed[old]),
                "change_gbp_pw": to_pounds(costed[old] - current[old]),
                "change_pct": round_half_up((costed[old] - current[old]) / current[old] * 100, 2) if current[old] else np.nan,
            })
            rows.append(row)
    return pd.DataFrame(rows)


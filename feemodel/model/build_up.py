"""Every input of each built rate, with its unit and source: the table a provider rebuilds a rate from.

:func:`rate_inputs` lists, for each proposed band built from a cost-of-care category, every input
the build-up in :mod:`feemodel.model.rates` uses, in the order the build-up uses them, and then
each cost line's result (£ per resident per week, rounded to the penny once, as on the rate card):

* care and nursing staff: hours per resident per week, hourly pay (the National Living Wage in
  force plus the scenario's premium, or a fixed rate), each on-cost as a % of basic pay
  (holiday, sickness and training, employer National Insurance, pension; 'statutory' ones worked
  out from the national thresholds for a worker paid ``paid_hours_per_week``) and their combined %;
* occupancy (%), over which premises, capital returns and per-home lines are spread;
* other staff, premises (£ per bed per week), supplies and services, head office: each item;
* returns: return on operations (% of operating costs, or of total cost) and return on capital
  (freehold value per bed x yield / (52 x occupancy)); or, under the 2008 toolkit, land and
  building values per bed x target yield;
* the price-base factor where the scenario's £ figures are at an earlier year's prices.

``source`` says where each figure comes from: the council's assumption (``scenario_key`` says where
it sits in the scenario file, ``note`` gives the note the scenario records for that key or any key
above it), or the national parameter with its reference and the date its value took effect. Bands with a stated rate have no build-up and are not listed (the
rate card shows them as stated).
"""

from __future__ import annotations

import pandas as pd

from ..inputs.params import NationalParameters
from ..inputs.scenario import Scenario, StaffHours
from .rates import PRICE_BASE_KEY, WEEKS_PER_YEAR, band_rate_pence, cost_settings, hourly_pay, on_cost_rate

COLUMNS = ["band", "cost_line", "input", "value", "unit", "source", "scenario_key", "note"]


def _scenario_source(scenario: Scenario, key: str) -> tuple[str, str, str]:
    """(source, scenario key, note): the council's assumption, where it sits in the scenario file,
    and the note the scenario records for it (or for a key above it)."""
    return "The council's assumption (scenario file)", key, scenario.note(key)


def _national_source(params: NationalParameters, name: str, when, how: str = "") -> tuple[str, str, str]:
    p = params[name]
    refs = "; ".join(r["title"] for r in p.references_at(when))
    return f"{p.label}, in force from {p.effective_date(when).isoformat()}{how}: {refs}", "", ""



def _band_inputs(scenario: Scenario, params: NationalParameters, band, settings: dict) -> list[dict]:
    """The input rows of one band built from a cost-of-care category (see :func:`rate_inputs`)."""
    when = scenario.rates_date
    f = settings["price_factor"]
    convention = scenario.cost_of_care.return_convention
    rows: list[dict] = []
    key = f"cost_of_care.categories.{band.category}"
    cat = scenario.cost_of_care.categories[band.category]
    pence = band_rate_pence(band, scenario, params, when, settings)

    def add(line, what, value, unit, source):
        text, key_, note = source if isinstance(source, tuple) else (source, "", "")
        rows.append({"band": band.name, "cost_line": line, "input": what, "value": value, "unit": unit, "source": text,
                     "scenario_key": key_, "note": note})

    def result(line, how=""):
        add(line, "Result", pence[line] / 100, "gbp_prpw", "Built from the inputs above" + (f" ({how})" if how else "")
            + ", rounded to the penny once")

    if f != 1.0:
        add("all", "Price-base factor applied to the stated £ figures", round(f, 6), "factor",
            _scenario_source(scenario, PRICE_BASE_KEY))
    if cat.occupancy_pct is not None:
        add("all", "Occupancy assumed", cat.occupancy_pct, "pct", _scenario_source(scenario, f"{key}.occupancy_pct"))

    def staff(line, hours_key, hours, pay, pay_key):
        if line in cat.lines_prpw:
            add(line, "Stated line", cat.lines_prpw[line] * f, "gbp_prpw", _scenario_source(scenario, f"{key}.lines_prpw.{line}"))
            return
        if not hours:
            result(line)
            return
        add(line, "Hours per resident per week", hours, "hours_prpw", _scenario_source(scenario, f"{key}.{hours_key}"))
        hourly = hourly_pay(pay, params, when, f)
        if pay.hourly_rate is not None:
            add(line, "Hourly pay (fixed rate)", round(hourly, 4), "gbp_per_hour", _scenario_source(scenario, f"{key}.{pay_key}.hourly_rate"))
        else:
            nlw = params.get("wages.national_living_wage", when)
            add(line, "National Living Wage (NLW)", nlw, "gbp_per_hour", _national_source(params, "wages.national_living_wage", when))
            add(line, "Premium over the NLW", pay.nlw_premium, "gbp_per_hour", _scenario_source(scenario, f"{key}.{pay_key}.nlw_premium"))
            add(line, "Hourly pay (NLW plus premium)", round(hourly, 4), "gbp_per_hour", "NLW plus premium")
        oc = on_cost_rate(cat, hourly, params, when)
        ock = f"{key}.on_costs"
        # each on-cost: the national rule where the scenario says 'statutory', else the scenario's own %
        statutory = {
            "holiday": lambda: _national_source(params, "wages.statutory_holiday_weeks", when, " (weeks / (52 - weeks))"),
            "employer_ni": lambda: _national_source(
                params, "tax.employer_ni_rate", when,
                f", on pay above the secondary threshold (£{params.get('tax.employer_ni_secondary_threshold', when):,.0f} "
                f"a year) for a worker paid {cat.on_costs.paid_hours_per_week:g} hours a week"),
            "pension": lambda: _national_source(
                params, "pensions.auto_enrolment_employer_rate", when,
                f", on pay above the qualifying earnings lower limit "
                f"(£{params.get('pensions.qualifying_earnings_lower_limit', when):,.0f} a year)"),
        }
        for field, words, setting in (("holiday", "Holiday cover", "holiday"),
                                      ("sickness_training", "Sickness and training", "sickness_training_pct"),
                                      ("employer_ni", "Employer National Insurance", "employer_ni"),
                                      ("pension", "Employer pension", "pension")):
            source = statutory[field]() if getattr(cat.on_costs, setting) == "statutory" else _scenario_source(scenario, f"{ock}.{setting}")
            add(line, f"{words} (% of basic pay)", round(oc[field] * 100, 4), "pct", source)
        add(line, "On-costs combined (% of basic pay)", round(oc["total"] * 100, 4), "pct",
            "(1 + holiday + sickness and training) x (1 + National Insurance + pension) - 1")
        result(line)

    staff("care_staff", "care_hours_prpw", cat.care_hours_prpw, cat.care_pay, "care_pay")
    if cat.setting == "nursing" or "nursing_staff" in cat.lines_prpw:
        staff("nursing_staff", "nurse_hours_prpw", cat.nurse_hours_prpw, cat.nurse_pay, "nurse_pay")

    def items(line, key_name, values, unit, basis_line=None):
        if line in cat.lines_prpw:
            add(line, "Stated line", cat.lines_prpw[line] * f, "gbp_prpw", _scenario_source(scenario, f"{key}.lines_prpw.{line}"))
        else:
            for item, v in values.items():
                if isinstance(v, StaffHours):
                    what = f"{item.replace('_', ' ').capitalize()}: {v.hours_prpw:g} hours per resident per week"
                    add(line, what, round(v.hours_prpw * hourly_pay(v.pay, params, when, f), 4), "gbp_prpw",
                        ("The council's assumption (scenario file), plus the care staff's on-costs", f"{key}.{key_name}.{item}",
                         scenario.note(f"{key}.{key_name}.{item}")))
                else:
                    add(line, item.replace("_", " ").capitalize(), round(float(v) * f, 4), unit, _scenario_source(scenario, f"{key}.{key_name}.{item}"))
        how = ""
        if line == "premises" and line not in cat.lines_prpw:
            how = "£ per bed per week divided by occupancy"
        elif basis_line is not None and line not in cat.lines_prpw and cat.occupancy_pct is not None:
            how = ("a home's fixed cost, entered at the assumed occupancy" if cat.basis(basis_line) == "per_home"
                   else "moves with residents")
        result(line, how)

    items("other_staff", "other_staff_prpw", cat.other_staff_prpw, "gbp_prpw", "other_staff")
    items("premises", "premises_per_bed", cat.premises_per_bed, "gbp_per_bed_pw")
    items("supplies_services", "supplies_prpw", cat.supplies_prpw, "gbp_prpw", "supplies")
    if "head_office" in cat.lines_prpw or not cat.head_office_prpw:
        items("head_office", "head_office_prpw", {}, "gbp_prpw", "head_office")
    else:
        add("head_office", "Head office", round(cat.head_office_prpw * f, 4), "gbp_prpw", _scenario_source(scenario, f"{key}.head_office_prpw"))
        items("head_office", "head_office_prpw", {}, "gbp_prpw", "head_office")

    r, rk = cat.returns, f"{key}.returns"
    if convention == "single_return_on_capital":
        add("return_on_capital", "Land value per bed", r.land_value_per_bed, "gbp_per_bed", _scenario_source(scenario, f"{rk}.land_value_per_bed"))
        add("return_on_capital", "Building value per bed", r.building_value_per_bed, "gbp_per_bed",
            _scenario_source(scenario, f"{rk}.building_value_per_bed"))
        add("return_on_capital", "Target yield (% a year)", r.target_yield_pct, "pct", _scenario_source(scenario, f"{rk}.target_yield_pct"))
        add("return_on_capital", "Weeks a year", WEEKS_PER_YEAR, "weeks", "(land + building value) x yield / (52 x occupancy)")
        result("return_on_capital")
    else:
        if "return_on_operations" in cat.lines_prpw:
            add("return_on_operations", "Stated line", cat.lines_prpw["return_on_operations"] * f, "gbp_prpw",
                _scenario_source(scenario, f"{key}.lines_prpw.return_on_operations"))
        else:
            basis = scenario.cost_of_care.return_on_operations_basis
            add("return_on_operations", "Return on operations (% of operating costs)" if basis == "operating_costs"
                else "Return on operations (% of total cost)", r.return_on_operations_pct, "pct",
                _scenario_source(scenario, f"{rk}.return_on_operations_pct"))
        result("return_on_operations")
        if "return_on_capital" in cat.lines_prpw:
            add("return_on_capital", "Stated line", cat.lines_prpw["return_on_capital"] * f, "gbp_prpw",
                _scenario_source(scenario, f"{key}.lines_prpw.return_on_capital"))
        else:
            add("return_on_capital", "Freehold value per bed", r.freehold_value_per_bed, "gbp_per_bed",
                _scenario_source(scenario, f"{rk}.freehold_value_per_bed"))
            add("return_on_capital", "Capital yield (% a year)", r.capital_yield_pct, "pct", _scenario_source(scenario, f"{rk}.capital_yield_pct"))
            add("return_on_capital", "Weeks a year", WEEKS_PER_YEAR, "weeks", "freehold value x yield / (52 x occupancy)")
        result("return_on_capital")
    add("total", "Cost of care, total", pence["cost_of_care_total"] / 100, "gbp_prpw", "The sum of the eight lines' results")
    return rows


def rate_inputs(scenario: Scenario, params: NationalParameters) -> pd.DataFrame:
    """One row per input of each built proposed band (band, cost_line, input, value, unit, source).

    ``unit`` is a unit key of the label registry (``hours_prpw``, ``gbp_per_hour``, ``pct``,
    ``gbp_prpw``, ``gbp_per_bed_pw``, ``gbp_per_bed``, ``gbp_pa``, ``weeks``, ``factor``). Rows whose
    ``input`` is "Result" carry the line's £ prpw exactly as the rate card shows it. National
    figures are those in force on the scenario's rates date."""
    settings = cost_settings(scenario, params)
    rows: list[dict] = []
    for band in scenario.bands("proposed"):
        if band.category is not None:
            rows += _band_inputs(scenario, params, band, settings)
    return pd.DataFrame(rows, columns=COLUMNS)

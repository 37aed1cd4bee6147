"""Load a case's inputs: the scenario file, the national parameters (with the scenario's overlay)
and the council's data files, each validated. Bad input raises :class:`~feemodel.errors.InputError`
naming the file and the key or row; nothing is computed here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import InputError
from .data import Book, load_book
from .params import NationalParameters, load_parameters
from .scenario import Scenario, load_scenario


def load_inputs(scenario_path: str | Path) -> tuple[Scenario, NationalParameters, Book]:
    """(scenario, parameters in force with its overlay applied, validated book)."""
    scenario = load_scenario(scenario_path)
    params = scenario_parameters(scenario, load_parameters())
    check_parameters_in_force(scenario, params)
    book = load_book(scenario)
    return scenario, params, book


def scenario_parameters(scenario: Scenario, params: NationalParameters) -> NationalParameters:
    """The national parameters with the scenario's overlays: ``parameter_changes`` (a reform), then
    ``projections`` and ``indexation.future_nlw`` (figures for years not yet set, marked as
    projections). Each is applied all-or-nothing and checked against its unit's bounds."""
    src = str(scenario.path)
    if scenario.parameter_changes:
        params = params.with_changes({k: dict(v) for k, v in scenario.parameter_changes.items()}, src)
    if scenario.projections:
        params = params.with_changes({k: dict(v) for k, v in scenario.projections.items()}, src, "projections", "projection")
    if scenario.indexation.future_nlw:
        nlw = {dt.date(year, 4, 1): value for year, value in scenario.indexation.future_nlw.items()}
        params = params.with_changes({"wages.national_living_wage": nlw}, src, "indexation.future_nlw", "projection")
    return params


# national figures the costing reads in later years (fees are indexed, not rebuilt, after the first)
LATER_YEARS = ("nhs.fnc_standard_rate", "charging.", "wages.national_living_wage")


def check_parameters_in_force(scenario: Scenario, params: NationalParameters) -> None:
    """Every national figure the scenario reads must have a value: all of them on its year start,
    effective date and rates date; the FNC, the means test and the NLW on each later projection
    year's date. A year before a parameter's first value, or after its last known one without a
    projection, is an error naming the scenario key to add."""
    checks = [(when, name) for when in (scenario.year_start, scenario.uplift.effective_date, scenario.rates_date)
              for name in params.names()]
    if scenario.has_data("placements") or scenario.has_data("placement_summary"):  # later years are costed only from a book
        ix = scenario.indexation
        for k in range(1, scenario.demand.projection_years):
            year = scenario.financial_year + k
            # the NLW matters in a later year only to the staff index, where it reads the NLW
            nlw_used = (ix.staff_index == "nlw" and (ix.staff_share_pct > 0 or ix.weights == "build_up")
                        and year not in ix.staff_growth_pct)
            checks += [(scenario.year_date(k), name) for name in params.names() if name.startswith(LATER_YEARS)
                       and (nlw_used or name != "wages.national_living_wage")]
    for when, name in checks:
        p = params[name]
        if when < p.dates[0]:
            raise InputError(scenario.path, "financial_year",
                             f"{scenario.year_label} needs {name}, which has no value before its first value takes effect on "
                             f"{p.dates[0].isoformat()}; choose a later financial year, or state the value in the scenario "
                             f"under parameter_changes: {{{name}: {{{when.isoformat()}: value}}}}")
        if p.known_until is not None and when > p.known_until:
            fy = when.year if when.month >= 4 else when.year - 1
            if name == "wages.national_living_wage":
                raise InputError(scenario.path, f"indexation.future_nlw.{fy}",
                                 f"no National Living Wage set for {fy}/{(fy + 1) % 100:02d} (the shipped rates run to "
                                 f"{p.known_until.isoformat()}); add it under indexation.future_nlw (parameter wages.national_living_wage), "
                                 f"or cost fewer years (demand.projection_years: {fy - scenario.financial_year})")
            raise InputError(scenario.path, f"projections.{name}",
                             f"{fy}/{(fy + 1) % 100:02d} needs {name} on {when.isoformat()}, after its last known value "
                             f"(known to {p.known_until.isoformat()}); state the figure under projections: "
                             f"{{{name}: {{{dt.date(fy, p.dates[-1].month, p.dates[-1].day).isoformat()}: value}}}}, "
                             f"or cost fewer years (demand.projection_years: {fy - scenario.financial_year})")

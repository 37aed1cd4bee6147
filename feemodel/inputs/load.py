"""Load a case's inputs: the scenario file, the national parameters (with the scenario's overlay)
and the council's data files, each validated. Bad input raises :class:`~feemodel.errors.InputError`
naming the file and the key or row; nothing is computed here."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .data import Book, load_book
from .params import NationalParameters, load_parameters
from .scenario import Scenario, load_scenario


def load_inputs(scenario_path: str | Path) -> tuple[Scenario, NationalParameters, Book]:
    """(scenario, parameters in force with its overlay applied, validated book)."""
    scenario = load_scenario(scenario_path)
    params = load_parameters()
    if scenario.parameter_changes:
        params = params.with_changes({k: dict(v) for k, v in scenario.parameter_changes.items()}, str(scenario.path))
    check_parameters_in_force(scenario, params)
    book = load_book(scenario)
    return scenario, params, book


def check_parameters_in_force(scenario: Scenario, params: NationalParameters) -> None:
    """Every national parameter must have a value on the scenario's year start and effective date."""
    for when in (scenario.year_start, scenario.uplift.effective_date):
        for name in params.names():
            p = params[name]
            if when < p.dates[0]:
                raise InputError(scenario.path, "financial_year",
                                 f"{scenario.year_label} needs {name}, which has no value before its first value takes effect on "
                                 f"{p.dates[0].isoformat()}; choose a later financial year or add the value to {p.source}")

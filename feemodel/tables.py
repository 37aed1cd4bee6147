"""Compute every output table for a scenario, and write them (CSV + one Excel workbook) safely.

Writing is all-or-nothing: tables go to a temporary folder beside the target, which replaces the
target only when everything was written; an existing output folder is never overwritten unless
``force`` is given.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import extended, funding, rates, survey, uplift
from .data import Book, load_book
from .errors import InputError
from .indexation import uplift_index
from .params import NationalParameters, load_parameters
from .publish import suppress
from .report import PUBLISHED_COUNTS
from .scenario import Scenario, load_scenario

NOTES = {
    "rate_card": "One row per proposed band. £ per resident per week; components rounded to the penny once, the rate is their sum.",
    "current_rates": "The bands and weekly rates paid now (stated).",
    "band_mapping": "Council placements moving from each current band to each proposed band, with the change in weekly rate (£/week).",
    "survey_summary": "Provider cost survey: quartiles per cost line and category (£ prpw); totals in both conventions, labelled.",
    "survey_outliers": "Cost lines beyond 3 x IQR outside the quartiles of their category and line.",
    "survey_exclusions": "Survey rows the scenario excluded.",
    "cost_drivers": "Quantile regression of home total cost prpw on beds (per 10), occupancy (per 10 points) and category.",
    "uplift_index": "Yearly uplift index (% a year): staff share x staff growth + other share x CPI + step changes.",
    "funding_summary": "Weekly fees by payer (£/week and £/year at 365/7 weeks), by band, client group, area and funding.",
    "uplift_cost": "Cost change against today's fees held flat (£ a year): gross = council + resident + top-up + FNC.",
    "topups": "Placements with third-party top-ups: how many fall, rise, vanish or stay in the first year.",
    "provider_income": "Distribution of the change in homes' weekly income (council fees, top-ups, self-funder prices).",
}


@dataclass
class Results:
    scenario: Scenario
    params: NationalParameters
    book: Book
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    private: dict[str, pd.DataFrame] = field(default_factory=dict)  # placement/home level, never in a pack
    headline: dict = field(default_factory=dict)
    year0: uplift.YearFees | None = None  # first-year fees for every placement, shared by the tables


def load_inputs(scenario_path: str | Path) -> tuple[Scenario, NationalParameters, Book]:
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


def compute(scenario: Scenario, params: NationalParameters, book: Book) -> Results:
    """Every table for the scenario (rates, survey, funding, uplift; later modules add theirs)."""
    r = Results(scenario, params, book)
    kept, exclusions = survey.apply_exclusions(book.cost_survey, scenario.survey_exclusions)
    summary = survey.summarise(kept)
    t = r.tables
    t["rate_card"] = rates.rate_card(scenario, params, "proposed", summary)
    t["current_rates"] = rates.rate_card(scenario, params, "current")[["band", "setting", "client_group", "fnc", "weekly_rate_gbp"]]
    t["band_mapping"] = rates.band_mapping(scenario, params, book.placements)
    t["survey_summary"] = summary
    t["survey_outliers"] = survey.flag_outliers(book.cost_survey)
    t["survey_exclusions"] = exclusions
    t["cost_drivers"] = survey.cost_drivers(kept)
    t["uplift_index"] = uplift_index(scenario, params)
    split = funding.funding_split(book.placements, params, scenario.year_start, scenario.uplift.topup_collection)
    r.private["funding"] = split
    t["funding_summary"] = funding.summary_tables(split)
    cost = uplift.uplift_cost(scenario, params, book)
    t["uplift_cost"] = cost
    r.year0 = yf0 = uplift.first_year(scenario, params, book)
    t["topups"] = uplift.topups_table(scenario, params, book, yf=yf0)
    per_home, dist = uplift.provider_income(scenario, params, book, yf=yf0)
    r.private["provider_income_by_home"] = per_home
    t["provider_income"] = dist
    h = uplift.headline(cost)
    h["topup_exposure"] = funding.topup_exposure(split, scenario.uplift.topup_collection)
    h["self_funders"] = uplift.self_funder_change(scenario, params, book, yf=yf0)
    h["splits_balance"] = bool(split.balances.all())
    r.headline = h
    extended.add_tables(r)  # market, demand, budget and sensitivity
    return r


def run(scenario_path: str | Path) -> Results:
    scenario, params, book = load_inputs(scenario_path)
    return compute(scenario, params, book)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


def all_notes() -> dict[str, str]:
    return {**NOTES, **extended.NOTES}


def write_excel(tables: dict[str, pd.DataFrame], path: Path, notes: dict[str, str]) -> None:
    """One sheet per table plus a notes sheet; fixed document dates so reruns differ only in zip times."""
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        pd.DataFrame([{"sheet": k, "note": notes.get(k, "")} for k in tables]).to_excel(xl, sheet_name="notes", index=False)
        for name, frame in tables.items():
            frame.to_excel(xl, sheet_name=name[:31], index=False)
        props = xl.book.properties
        props.creator = "feemodel"
        props.created = props.modified = dt.datetime(2000, 1, 1)


def prepare_target(out: Path, force: bool) -> Path:
    """Check the target may be written; return a fresh temporary folder beside it."""
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not force:
        raise InputError(out, None, "output folder exists and is not empty; choose another folder or pass --force to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))


def commit_target(tmp: Path, out: Path) -> None:
    """Move a finished temporary folder into place (the old one is removed only now)."""
    out = Path(out)
    if out.exists():
        old = out.with_name(f".{out.name}.old.{os.getpid()}")
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out)


def published_tables(r: Results) -> dict[str, pd.DataFrame]:
    """Tables as published: counts under the threshold shown as '<N>', their rows' figures blanked."""
    t = r.scenario.publication.suppress_below
    return {name: suppress(frame, PUBLISHED_COUNTS[name], t) if name in PUBLISHED_COUNTS else frame
            for name, frame in r.tables.items()}


def write_results(r: Results, out: Path, force: bool = False) -> Path:
    """Write every table as published (small counts suppressed) as CSV and ``tables.xlsx``, with
    ``headline.json``; plus the analyst's working files ``funding.csv`` (one row per placement),
    ``provider_income_by_home.csv`` and ``sustainability_by_home.csv``, which never go in a pack."""
    tmp = prepare_target(out, force)
    tables = published_tables(r)
    try:
        for name, frame in tables.items():
            write_csv(frame, tmp / f"{name}.csv")
        for name, frame in r.private.items():
            write_csv(frame, tmp / f"{name}.csv")
        write_excel(tables, tmp / "tables.xlsx", all_notes())
        (tmp / "headline.json").write_text(json.dumps(r.headline, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    commit_target(tmp, out)
    return Path(out)

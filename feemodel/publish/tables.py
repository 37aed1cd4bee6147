"""The table registry: every published table, in order, with its builder, the inputs it needs, its
label and its note. ``run``, the pack, verify and the explorer all read this one list.

A builder takes a :class:`~feemodel.model.case.Case` and returns a DataFrame. Values that several
tables share (the first year's fees, the funding split, the survey with exclusions, the cost
engine) are derived once per case through :meth:`Case.derive`. A table whose inputs are absent is
skipped, and :attr:`Results.skipped` says why.

``counts`` names the columns small-number suppression applies to: the row's population first,
then its sub-counts (see :mod:`feemodel.publish.suppression`). ``private`` tables are working files
at placement or home level: ``feemodel run`` writes them for the analyst, a pack never carries them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError, NotComputed
from ..inputs.load import load_inputs
from ..model import (budget, build_up, checks, cost_gap, cost_pressure, demand, equality, funding, impact, market, rates, returns,
                     options, sensitivity, survey, survey_quality, uplift, uplift_groups)
from ..model.case import Case
from ..model.engine import CostEngine
from ..model.price_base import price_base_steps
from .suppression import suppress_tables


@dataclass(frozen=True)
class Table:
    """One published table: ``build(case)`` gives it; ``needs`` lists the inputs it reads, in the
    terms of :meth:`Case.has` (``book``: any placement book; ``placements``: resident-level rows;
    ``survey``: any cost survey; ``cost_survey``: homes' returns; ``homes``, ``population``,
    ``admissions``). A builder may also raise :class:`~feemodel.errors.NotComputed` with a reason."""

    name: str
    build: Callable[[Case], pd.DataFrame]
    needs: tuple[str, ...]
    label: str
    note: str
    counts: tuple[str, ...] = ()
    private: bool = False


# ---- values shared by several tables, derived once per case

def survey_summary(case: Case) -> pd.DataFrame:
    """Quartiles per line and category: from homes' returns, or as a council published them."""
    if case.has("cost_survey"):
        return case.derive("survey_summary", lambda c: survey.summarise(survey.case_kept(c)[0]))
    return case.derive("survey_summary", lambda c: survey.summarise_published(
        survey.uprate_published(c.book.survey_published, survey.case_factor(c))))


def _price_base(case: Case) -> pd.DataFrame:
    """The uprating steps from each price base the scenario states to its own year."""
    s = case.scenario
    frames = []
    for key, pb, what in (("survey_price_base", s.survey_price_base, "provider cost survey"),
                          ("cost_of_care.price_base", s.cost_of_care.price_base, "cost build-up (stated £ figures)")):
        if pb is not None:
            steps = price_base_steps(pb, s, case.params, key)
            steps.insert(0, "applies_to", what)
            steps.insert(1, "price_base_year", f"{pb.year}/{(pb.year + 1) % 100:02d}")
            frames.append(steps)
    if not frames:
        raise NotComputed("no price base is stated: every £ figure is taken as at the scenario's year's prices")
    return pd.concat(frames, ignore_index=True)


def funding_split(case: Case) -> pd.DataFrame:
    s = case.scenario
    return case.derive("funding_split", lambda c: funding.funding_split(c.book.placements, c.params, s.year_date(0), s.uplift.topup_collection))


def uplift_cost(case: Case) -> pd.DataFrame:
    return case.derive("uplift_cost", uplift.uplift_cost)


def provider_income(case: Case) -> tuple[pd.DataFrame, pd.DataFrame]:
    return case.derive("provider_income", lambda c: uplift.provider_income(c, uplift.first_year(c)))


def sustainability(case: Case) -> tuple[pd.DataFrame, pd.DataFrame]:
    return case.derive("sustainability", lambda c: market.sustainability(c, uplift.first_year(c)))


def demand_projection(case: Case) -> tuple[pd.DataFrame, pd.DataFrame]:
    return case.derive("demand", lambda c: demand.demand_table(c.scenario, c.book))


def engine(case: Case) -> CostEngine:
    return case.derive("engine", CostEngine)


def montecarlo(case: Case) -> pd.DataFrame:
    return case.derive("montecarlo", lambda c: sensitivity.monte_carlo(engine(c))[0])


# ---- builders

def _rate_card(case: Case) -> pd.DataFrame:
    summary = survey_summary(case) if case.has("survey") else None
    return rates.rate_card(case.scenario, case.params, "proposed", summary, costed=uplift.band_rates_costed(case))


def _current_rates(case: Case) -> pd.DataFrame:
    return rates.rate_card(case.scenario, case.params, "current")[["band", "setting", "client_group", "fnc", "weekly_rate_gbp"]]


def _band_mapping(case: Case) -> pd.DataFrame:
    return rates.band_mapping(case.scenario, case.book.placements, case.current_rates, case.proposed_rates,
                              uplift.band_rates_costed(case))


def _indexed(build: Callable[[Case], pd.DataFrame]) -> Callable[[Case], pd.DataFrame]:
    """A table of later years: without a placement book it is for information, so a missing index
    series skips it with the reason (with a book, a missing series is bad input: later years are costed)."""
    def table(case: Case) -> pd.DataFrame:
        try:
            return build(case)
        except InputError as exc:
            if case.has("book"):
                raise
            raise NotComputed(f"the index for later years is not computed ({exc.where}: {exc.problem})") from None
    return table


_uplift_index = _indexed(lambda c: c.index)


def _who_gains(case: Case) -> pd.DataFrame:
    below = sustainability(case)[1] if case.has("placements") and case.has("homes") else None
    return impact.who_gains(case, uplift_cost(case), below)


def home_pseudonyms(case: Case) -> dict[str, str]:
    """{home id: "Home A", ...} for the homes the published survey tables name (outlying returns and
    exclusions), in the order of their ids; each id maps to itself where ``publication.name_homes``
    is true. The same home has the same letter in both tables."""
    ids = sorted(set(survey.flag_outliers(survey.case_rows(case)).home_id) | set(survey.case_kept(case)[1].home_id))
    if case.scenario.publication.name_homes:
        return {i: i for i in ids}

    def letters(k: int) -> str:
        out = ""
        k += 1
        while k:
            k, r = divmod(k - 1, 26)
            out = chr(65 + r) + out
        return out
    return {i: f"Home {letters(k)}" for k, i in enumerate(ids)}


def _survey_homes(frame: pd.DataFrame, case: Case) -> pd.DataFrame:
    """A survey table with each home's id replaced by its pseudonym (see :func:`home_pseudonyms`)."""
    names = home_pseudonyms(case)
    return frame.assign(home_id=frame.home_id.map(names))


def _budget(case: Case) -> pd.DataFrame:
    return budget.budget(case, uplift_cost(case), demand_projection(case)[0])


def _national_parameters(case: Case) -> pd.DataFrame:
    when = case.scenario.rates_date
    rows = [{**r, "in_force_on": when.isoformat()} for r in case.params.table(when)]
    rows += [{**r, "in_force_on": "", "reference": "the scenario", "link": ""} for r in case.params.overlays()]
    cols = ["parameter", "label", "value", "unit", "effective_from", "in_force_on", "status", "reference", "link"]
    return pd.DataFrame(rows)[cols]


def _cost_gap(case: Case) -> pd.DataFrame:
    return cost_gap.cost_gap(case, survey_summary(case) if case.has("survey") else None)


def _cost_line_gap(case: Case) -> pd.DataFrame:
    return cost_gap.cost_line_gap(case, _rate_card(case), survey_summary(case) if case.has("survey") else None)


def pressure(case: Case) -> pd.DataFrame:
    """The fee year's cost pressure per band; a series it needs but the scenario lacks (CPI for the
    year, a later year's NLW) skips it with the reason, as the index table does without a book."""
    def build(c: Case) -> pd.DataFrame:
        try:
            return cost_pressure.pressure(c, survey_summary(c) if c.has("survey") else None)
        except InputError as exc:
            raise NotComputed(f"the cost pressure is not computed ({exc.where}: {exc.problem})") from None
    return case.derive("cost_pressure", build)


def _pressure_offer(case: Case) -> pd.DataFrame:
    return case.derive("cost_pressure_offer", lambda c: cost_pressure.offer(pressure(c), _band_mapping(c)))


def _uplift_history(case: Case) -> pd.DataFrame:
    if not case.scenario.past_uplifts:
        raise NotComputed("the scenario gives no past_uplifts (past years' uplifts and cost pressure)")
    this_year = None
    if case.has("book"):
        try:
            row = _pressure_offer(case).set_index("current_band").loc["all"]
            this_year = {"uplift_pct": float(row.offer_pct), "cost_pressure_pct": float(row.pressure_pct)}
        except (NotComputed, KeyError):
            this_year = None
    return cost_pressure.history(case.scenario, this_year)


def _by_uplift(case: Case) -> pd.DataFrame:
    try:
        row = _pressure_offer(case).set_index("current_band").loc["all"]
        pct = float(row.pressure_pct)
    except (NotComputed, KeyError):
        pct = None
    return uplift_groups.by_uplift(case, pct)


def _options(case: Case) -> pd.DataFrame:
    return options.options_table(case, load_case, _band_mapping)


def _comparators(case: Case) -> pd.DataFrame:
    offer = None
    if case.has("book"):
        try:
            offer = _pressure_offer(case)
        except NotComputed:
            offer = None
    return options.comparators(case, offer)


TABLES: list[Table] = [
    Table("rate_card", _rate_card, (), "Proposed rate card",
          "One row per proposed band. £ per resident per week; components rounded to the penny once, the rate is their sum."),
    Table("rate_inputs", lambda c: build_up.rate_inputs(c.scenario, c.params), (), "Every input of each built rate",
          "For each proposed band built from the cost of care: every input (hours, pay, on-costs, occupancy, each cost item, "
          "returns and capital values) in its unit, with its source, and each line's result (£ per resident per week, rounded "
          "to the penny once, as on the rate card)."),
    Table("current_rates", _current_rates, (), "Rates paid now",
          "The bands and weekly rates paid now (stated)."),
    Table("band_mapping", _band_mapping, ("book",), "Current bands and proposed bands",
          "Council placements moving from each current band to each proposed band, with the change in weekly rate (£/week).",
          counts=("placements",)),
    Table("survey_summary", survey_summary, ("survey",), "Provider cost survey: quartiles",
          "Provider cost survey: quartiles per cost line and category (£ prpw); totals in both conventions, labelled."),
    Table("survey_outliers", lambda c: _survey_homes(survey.flag_outliers(survey.case_rows(c)), c), ("cost_survey",),
          "Provider cost survey: outlying returns",
          "Cost lines beyond 3 x IQR outside the quartiles of their category and line. Homes are named only where the "
          "scenario's publication.name_homes is true; otherwise each is a letter, the same in the exclusions table."),
    Table("survey_exclusions", lambda c: _survey_homes(survey.case_kept(c)[1], c), ("cost_survey",), "Provider cost survey: exclusions",
          "Survey returns the scenario excluded (home, the category, or all of its categories, and the rows removed)."),
    Table("cost_drivers", lambda c: survey.cost_drivers(survey.case_kept(c)[0]), ("cost_survey",), "What drives homes' costs",
          "Quantile regression of home total cost prpw on beds (per 10), occupancy (per 10 points) and category."),
    Table("price_base", _price_base, (), "Uprating to the scenario's prices",
          "Figures stated at an earlier year's prices (a survey of earlier accounts, a build-up at earlier prices) are uprated "
          "to the scenario's year: each year's % and the cumulative factor. Each uprated amount is rounded to the penny once."),
    Table("rate_card_by_year", _indexed(uplift.rate_card_by_year), (), "Rates by year",
          "The weekly rate of each band in each year of the projection (excluding FNC): the first year's rate, then indexed "
          "by the uplift index (each band's own where the index weights come from its build-up), rounded by the scenario's rule."),
    Table("uplift_index", _uplift_index, (), "Uplift index by year",
          "Yearly uplift index (% a year): staff share x staff growth + other share x CPI + step changes."),
    Table("who_gains", _who_gains, ("book",), "Who gains and who loses",
          "The first year's effect on each group: how many (placements, people or homes), the average change a week, and the "
          "total change in the first year (part year from the effective date) and in a full year (£). Totals equal the cost "
          "table's; counts under the threshold are withheld as everywhere in the pack.",
          counts=("count",)),
    Table("funding_summary", lambda c: funding.summary_tables(funding_split(c)), ("book",), "Who pays the weekly fees now",
          "Weekly fees by payer (£/week and £/year at 365/7 weeks), by band, client group, area and funding.",
          counts=("placements",)),
    Table("uplift_cost", uplift_cost, ("book",), "Cost of the change",
          "Cost change against today's fees held flat (£ a year): gross = council + resident + top-up + FNC.",
          counts=("placements", "placements_affected", "protected")),
    Table("topups", lambda c: uplift.topups_table(c, uplift.first_year(c)), ("book",), "Top-ups paid by families",
          "Placements with third-party top-ups: how many fall, rise, vanish or stay in the first year.",
          counts=("placements",)),
    Table("provider_income", lambda c: provider_income(c)[1], ("placements", "homes"), "Change in homes' income",
          "Distribution of the change in homes' weekly income (council fees, top-ups, self-funder prices).",
          counts=("homes",)),
    Table("market", lambda c: market.capacity(c.book), ("placements", "homes"), "Care home market",
          "Beds, occupancy and payer shares of occupied beds in open in-county homes.",
          counts=("homes",)),
    Table("beds_over_time", lambda c: market.beds_over_time(c.book), ("homes",), "Beds opened and closed",
          "Beds opened and closed by calendar year (in-county homes)."),
    Table("sustainability", lambda c: sustainability(c)[1], ("placements", "homes"), "Homes below their cost of care",
          "Homes whose income per occupied bed-week is below their cost of care at their occupancy, now and proposed.",
          counts=("homes", "below_cost_now", "below_cost_proposed")),
    Table("self_funder_premium", lambda c: market.self_funder_premium(c.book, uplift.first_year(c)), ("placements",),
          "What self-funders pay above the council",
          "Premium self-funders pay over the council's average gross fee in the same home (£/week, £ a year).",
          counts=("self_funders",)),
    Table("equality", lambda c: equality.equality_table(c, uplift.first_year(c)), ("book",),
          "Equality analysis: the change by age band, sex and primary support reason",
          "By age band, sex and primary support reason (each with a 'not recorded' row): council-funded residents' weekly "
          "fees, self-funders' fees (both excluding NHS-funded nursing care and top-ups) and families' top-ups, on average now "
          "and proposed (£ a week); the change in what residents or families pay (£ a year: the first year's weekly change "
          "x 365/7, for today's placements); and how many top-ups fall, rise, end or stay the same.",
          counts=equality.COUNTS),
    Table("demand", lambda c: demand_projection(c)[0], ("book", "population", "admissions"), "Projected demand",
          "Council-supported admissions and placements projected by year and client group, with 90% intervals; every group's "
          "interval, and the total's ('all'), comes from one joint simulation of the model."),
    Table("demand_model", lambda c: demand_projection(c)[1], ("population", "admissions"), "Demand model",
          "Poisson GLM of admissions on age band and year with log(population) offset: coefficients."),
    Table("demand_exit_rates", lambda c: demand.exit_rates(c.scenario, c.book), ("book",), "Exit rates used in the demand projection",
          "Annual share of council placements ending, by client group: stated in the scenario, estimated from current placements' "
          "start dates (hazard = 1 / mean years in placement so far), or the turnover assumption where a group has fewer than 20 placements."),
    Table("budget", _budget, ("book", "population", "admissions"), "Council budget by year",
          "Council cost by year (£ a year): today's cost, plus the fee change from the cost table (part year in the first year), "
          "plus growth from demand at the year's average weekly cost."),
    Table("reconciliation", lambda c: budget.reconciliation(uplift_cost(c)), ("book",), "From the gross change to the council's cost",
          "The gross change in fees paid to homes, less the changes in families' top-ups, residents' contributions and NHS-funded "
          "nursing care, equals the change in the council's net cost (£ a year), year by year."),
    Table("sensitivity", lambda c: sensitivity.one_way(engine(c)), ("book",), "Sensitivity of the first-year cost",
          "One-way sensitivity of the first-year council cost to each assumption (tornado)."),
    Table("montecarlo", montecarlo, ("book",), "Range of the first-year cost",
          "First-year council cost with the scenario as stated, and its Monte Carlo range (P10, P50, P90, mean) over seeded draws."),
    Table("checks", checks.checks, (), "Checks",
          "Warnings a commissioner would want flagged (never failures): pay below the NLW, occupancy far from the homes' actual "
          "occupancy, pass-through to top-ups and to self-funders far apart, one-sided survey exclusions."),
    Table("national_parameters", _national_parameters, (), "National figures used",
          "Every national figure in force on the rates date, with its unit, effective date and source; then every figure the "
          "scenario states for later years (projections) or changes (parameter_changes)."),
    # -- the providers' challenge: does the rate cover the cost, cost pressure, survey quality
    Table("cost_gap", _cost_gap, ("book",), "Does the rate cover the cost?",
          "Per band: the council's placements and their average weekly fee now (£ a week, excluding FNC and top-ups), the provider "
          "survey's median cost of care and the council's built rate (both at the fee year's prices), the proposed rate, the gap "
          "between the cost of care (the survey median where the survey has the band's category, else the built rate) and the fee "
          "now and the proposed rate (£ a week, and % of the cost of care), and the cost a year of closing the gap now at once (gap x "
          "placements x 365/7, where the fee is below the cost) and in the first year when phased over the scenario's phasing years.",
          counts=("placements",)),
    Table("cost_line_gap", _cost_line_gap, (), "The build-up against the survey, line by line",
          "Per built band and cost line: the council's figure (£ per resident per week, as on the rate card), the provider "
          "survey's homes, lower quartile, median and upper quartile for the band's category and line (at the scenario's "
          "prices; the total by the scenario's survey statistic), and the council's figure less the survey median (negative: "
          "the council allows less than the median home reports)."),
    Table("cost_pressure", pressure, (), "Cost pressure for the fee year",
          "Per band: each cost's weight (staff lines from the cost build-up or the survey, as stated; a stated rate uses the "
          "stated staff share), the change in its index from the year before (NLW, employer NI with its threshold and pension "
          "from the national parameters for a worker paid the NLW; CPI and energy from the scenario) and its contribution "
          "(weight x index); the total is the band's cost pressure (% a year)."),
    Table("cost_pressure_offer", _pressure_offer, ("book",), "Cost pressure against the offer",
          "Per current band: the first year's uplift on the current rate beside the cost pressure of the band it moves to; "
          "the gap (uplift less pressure: negative is a shortfall) in % points and in £ a year on today's fees (gap x current "
          "rate x council placements x 365/7); 'all' weighs the bands by today's fees.",
          counts=("placements",)),
    Table("uplift_history", _uplift_history, (), "Past uplifts against cost pressure",
          "Each past year's uplift and cost pressure as the scenario records them (past_uplifts), then the fee year's (from "
          "the offer table's 'all' row), with cumulative factors since the first year listed and the cumulative gap "
          "(uplift factor / cost factor - 1)."),
    Table("survey_response", survey_quality.response, (), "Provider cost survey: response",
          "Per category: homes invited, returns received and returns validated (as the scenario records them), the response "
          "and validated rates (% of homes invited), and the homes whose returns the survey file holds after exclusions. Counts "
          "of homes in the survey are shown as the survey summary shows them (they describe homes, not residents)."),
    Table("survey_counts", survey_quality.counts, ("cost_survey",), "Provider cost survey: homes per category and line",
          "Per category and cost line: homes that returned the line, homes excluded by the scenario and homes used, with a "
          "warning where fewer than 5 homes are used (counts of homes shown as the survey summary shows them)."),
    Table("survey_exclusion_reasons", lambda c: _survey_homes(survey_quality.exclusion_reasons(c), c), ("cost_survey",),
          "Provider cost survey: why returns were excluded",
          "Each exclusion (home by letter, as in the other survey tables) with the reason the scenario records "
          "(survey_exclusion_reasons)."),
    Table("survey_enhanced_check", lambda c: survey_quality.enhanced_check(c, survey_summary(c)), ("survey",),
          "Provider cost survey: enhanced categories cost more",
          "In each setting, each enhanced category's survey median total against the standard category's (£ a week): "
          "'ok' where the enhanced one costs more, else a warning."),
    Table("survey_representativeness", survey_quality.representativeness, ("cost_survey", "homes", "placements"),
          "Provider cost survey: are the surveyed homes like the rest?",
          "Surveyed homes against all open in-county homes, by setting: how many, their share of the homes, and the median "
          "beds, occupancy (occupied / beds) and council share (council placements / occupied beds) of a home.",
          counts=("homes",)),
    Table("assumptions_vs_actual", survey_quality.assumptions, (), "Assumptions against the evidence",
          "Per cost category: the occupancy the build-up assumes beside the actual occupancy of open in-county homes of the "
          "setting and the surveyed homes' median, and the care hours assumed beside the surveyed median hours (survey_response)."),
    Table("returns", returns.returns_stated, (), "Returns, stated",
          "Per cost category of a built band: the return convention, each return input (return on operations %, value per bed "
          "in £, yield %), the returns in £ per resident per week as built, the evidence the scenario records, and the change "
          "from last year's inputs (returns_last_year) where given."),
    Table("rate_sensitivity", returns.rate_sensitivity, (), "Sensitivity of the weekly rate",
          "Each built band's weekly rate (£ a week, excluding FNC) with each build-up assumption at the low and the high change "
          "of the scenario's one-way range, beside the rate as proposed; stated rates do not move and are not listed."),
    Table("uplift_groups", _by_uplift, ("book",), "Who gets what uplift",
          "Council placements by the change the first year gives them (the whole change, a capped or phased part of it, "
          "protection at their own fee, none, or a fall), with the homes they are in, the average fee now and in the first "
          "year (£ a week), the change (%) and the change in real terms against the cost pressure (%).",
          counts=("placements", "homes")),
    Table("market_access", uplift_groups.market_access, ("placements", "homes"), "Vacancies and placements at the council's rate",
          "By setting, open in-county homes: beds, beds vacant (where the homes file gives occupied beds) and the council's "
          "placements in them, with the share paid at or below their band's current rate and no top-up.",
          counts=("council_placements", "at_rate_without_topup")),
    Table("homes_over_time", uplift_groups.homes_over_time, ("homes",), "Homes opened and closed",
          "In-county homes opened and closed by calendar year."),
    Table("comparators", _comparators, (), "Other councils' rates and uplifts",
          "Other councils' published weekly rates and uplifts (the comparators file, each with its source) beside this "
          "proposal's first-year rate and uplift by band."),
    Table("options", _options, ("book",), "Options considered",
          "This proposal and each option the scenario names, costed by the same engine: the council's change in cost in the "
          "first year (part year and full year, £), the council placements, those whose fee or top-up changes and those "
          "protected, the average first-year change in council fees (%), and the reason recorded for each.",
          counts=("placements", "placements_affected", "placements_protected")),
    Table("response_log", options.response_log, (), "You said, we did",
          "The consultation's responses by theme, how many raised it, and the council's answer (shown in the final pack)."),
    # working files for the analyst: placement- and home-level, never in a pack
    Table("funding", funding_split, ("book",), "Who pays each placement",
          "One row per placement: gross weekly fee and each payer's share (£/week).", private=True),
    Table("provider_income_by_home", lambda c: provider_income(c)[0], ("placements", "homes"), "Change in income by home",
          "One row per home: change in weekly income.", private=True),
    Table("sustainability_by_home", lambda c: sustainability(c)[0], ("placements", "homes"), "Income and cost by home",
          "One row per home: income and cost per occupied bed-week, margins.", private=True),
]
REGISTRY: dict[str, Table] = {t.name: t for t in TABLES}
PUBLISHED_COUNTS: dict[str, list[str]] = {t.name: list(t.counts) for t in TABLES if t.counts}


@dataclass
class Results:
    """Every table for a case, as computed (``tables`` published, ``private`` working files)."""

    case: Case
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    private: dict[str, pd.DataFrame] = field(default_factory=dict)
    headline: dict = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # table name -> why it was not built

    @property
    def scenario(self):
        return self.case.scenario


def notes() -> dict[str, str]:
    return {t.name: t.note for t in TABLES}


def headline(case: Case, tables: dict[str, pd.DataFrame]) -> dict:
    """The headline figures every output quotes: first-year cost, top-up exposure, self-funders,
    the cost range and homes below cost."""
    h = uplift.headline(uplift_cost(case))
    split = funding_split(case)
    h["topup_exposure"] = funding.topup_exposure(split, case.scenario.uplift.topup_collection)
    h["self_funders"] = uplift.self_funder_change(case, uplift.first_year(case))
    h["splits_balance"] = bool(split.balances.all())
    if "montecarlo" in tables:
        stats = tables["montecarlo"].set_index("statistic").council_cost_gbp
        h["council_cost_range_gbp"] = {"P10": float(stats["P10"]), "P50": float(stats["P50"]), "P90": float(stats["P90"]),
                                       **sensitivity.monte_carlo_settings(case.scenario)}
    if "sustainability" in tables:
        agg = tables["sustainability"]
        h["homes_below_cost"] = {"now": int(agg.below_cost_now.iloc[-1]), "proposed": int(agg.below_cost_proposed.iloc[-1])}
    return h


def unavailable(case: Case) -> dict[str, str]:
    """{table: why it will not be computed} for the tables whose inputs the case lacks (a builder
    may still skip its table for a reason found while computing it: see :attr:`Results.skipped`)."""
    out = {}
    for t in TABLES:
        missing = [case.missing(n) for n in t.needs if not case.has(n)]
        if missing:
            out[t.name] = f"{missing[0]}, so \u201c{t.label}\u201d is not computed"
    return out


def compute(case: Case) -> Results:
    """Every table in the registry whose inputs the case has; the rest are listed in ``skipped``."""
    r = Results(case)
    absent = unavailable(case)
    for t in TABLES:
        if t.name in absent:
            r.skipped[t.name] = absent[t.name]
            continue
        try:
            (r.private if t.private else r.tables)[t.name] = t.build(case)
        except NotComputed as why:
            r.skipped[t.name] = str(why)
    if case.has("book"):
        r.headline = headline(case, r.tables)
    return r


def load_case(scenario_path: str | Path) -> Case:
    """Load a scenario, its parameters and data (bad input: InputError) as a case; sensitivity
    ranges are checked against the scenario's own values (an occupancy range past 100%: InputError)."""
    case = Case(*load_inputs(scenario_path))
    sensitivity.check_ranges(case.scenario)
    return case


def run(scenario_path: str | Path) -> Results:
    return compute(load_case(scenario_path))


def published_tables(r: Results) -> dict[str, pd.DataFrame]:
    """Tables as published: counts under the threshold shown as '<N>', their rows' figures blanked,
    and enough other cells withheld that no subtraction gives them back, across all the tables
    together (secondary suppression: see :mod:`feemodel.publish.suppression`)."""

    return suppress_tables(r.tables, PUBLISHED_COUNTS, r.scenario.publication.suppress_below)


def published_headline(headline: dict, tables: dict[str, pd.DataFrame], threshold: int) -> dict:
    """The headline as published (``headline.json``, ``manifest.json``): every count follows the
    pack's rule. A count the published tables also show is copied from them as shown there ("<5",
    or "" where secondary suppression withheld it); any other count from 1 to threshold - 1 becomes
    "<threshold>". Money figures are aggregates and stay."""
    out = json.loads(json.dumps(headline))

    def small(n):
        return f"<{threshold}" if isinstance(n, int | float) and 0 < n < threshold else n

    def shown(table: str, where: dict, column: str, fallback):
        t = tables.get(table)
        if t is None or column not in t:
            return small(fallback)
        rows = t
        for col, value in where.items():
            rows = rows[rows[col].astype(str) == value]
        if len(rows) != 1:
            return small(fallback)
        v = rows[column].iloc[0]
        if isinstance(v, str) or pd.isna(v):
            return "" if pd.isna(v) else v
        return int(v)

    for key in ("placements_affected", "placements_protected"):
        if key in out:
            out[key] = small(out[key])
    if "homes_below_cost" in out:
        b = out["homes_below_cost"]
        b["now"] = shown("sustainability", {"setting": "all"}, "below_cost_now", b["now"])
        b["proposed"] = shown("sustainability", {"setting": "all"}, "below_cost_proposed", b["proposed"])
    if "self_funders" in out:
        sf = out["self_funders"]
        sf["self_funders"] = shown("self_funder_premium", {"case": "now", "setting": "all"}, "self_funders", sf["self_funders"])
    if "topup_exposure" in out:
        e = out["topup_exposure"]
        for key in ("placements_with_topups", "placements_with_first_party_topups"):
            if key in e:
                e[key] = small(e[key])
    return out


def published_scenario_text(case: Case) -> str:
    """The scenario file's text as the pack's appendix shows it: as written, except that each home
    id a published survey table names is replaced by its pseudonym (see :func:`home_pseudonyms`)
    unless ``publication.name_homes`` is true."""
    text = case.scenario.path.read_text(encoding="utf-8-sig")
    if case.has("cost_survey") and not case.scenario.publication.name_homes:
        for home, name in sorted(home_pseudonyms(case).items(), key=lambda kv: -len(kv[0])):
            text = re.sub(rf"(?<![\w-]){re.escape(home)}(?![\w-])", name, text)
    return text


def published_exclusions(case: Case) -> list[str]:
    """The scenario's survey exclusions with each home's pseudonym ("Home A:standard_nursing")."""
    if not case.has("cost_survey"):
        return list(case.scenario.survey_exclusions)
    names = home_pseudonyms(case)
    out = []
    for item in case.scenario.survey_exclusions:
        home, sep, cat = item.partition(":")
        out.append(names.get(home, home) + sep + cat)
    return out

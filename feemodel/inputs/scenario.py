"""Scenario files: plain YAML a commissioner can read and diff, validated by a typed schema.

Units are in the key names: ``_prpw`` is £ per resident per week, ``_per_bed`` £ per bed per
week, ``_pct`` a percentage (5 means 5%), ``_hours_prpw`` hours per resident per week. Every
percentage is written in percent. Data file paths are relative to the scenario file and must stay
inside its folder.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import InputError
from .files import read_regular_file

Money = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)]
Hours = Annotated[float, Field(ge=0, le=168, allow_inf_nan=False)]
Pct = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
SignedPct = Annotated[float, Field(ge=-100, le=100, allow_inf_nan=False)]
Value = Annotated[float, Field(ge=0, le=100_000_000, allow_inf_nan=False)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


DATA_KINDS = ("placements", "placement_summary", "homes", "cost_survey", "population", "admissions", "comparators", "response_log")
SurveyForm = Literal["long", "wide", "dhsc_2022", "summary"]


class DataFile(Strict):
    """One data file: a CSV or an Excel sheet, with the council's own column names and codes mapped
    onto the toolkit's.

    ``columns``: {the council's column: the toolkit's column}; ``codes``: {the toolkit's column:
    {the council's code: the toolkit's code}}. Errors name the council's column. ``form`` (cost
    survey only): ``long`` (a row per home, category and line), ``wide`` (a row per home and
    category, a column per line), ``dhsc_2022`` (the DHSC 2022 cost of care template's lines and
    sub-lines, mapped by ``line_map`` or the shipped mapping) or ``summary`` (published quartiles
    per line and category, with the number of homes; no homes behind them)."""

    path: Annotated[str, Field(min_length=1, max_length=1000)]
    sheet: Annotated[str, Field(min_length=1, max_length=31)] | None = None
    columns: dict[str, str] = {}
    codes: dict[str, dict[str, str]] = {}
    form: SurveyForm = "long"
    line_map: str | None = None


class DataFiles(Strict):
    """The council's data files; every one is optional. A table is built when the files it reads are
    given (see ``feemodel.publish.tables``), and skipped with a reason otherwise. ``placements`` (a
    row per resident) and ``placement_summary`` (counts and average fees by band, funding and area)
    are alternatives: give one."""

    placements: str | DataFile | None = None
    placement_summary: str | DataFile | None = None
    homes: str | DataFile | None = None
    cost_survey: str | DataFile | None = None
    population: str | DataFile | None = None
    admissions: str | DataFile | None = None
    # other councils' published rates and uplifts (council, financial_year, band, weekly_rate, uplift_pct, source)
    comparators: str | DataFile | None = None
    # the consultation's responses by theme and the council's answer (theme, responses, council_answer);
    # shown as "you said, we did" in a final pack (publication.status: final)
    response_log: str | DataFile | None = None

    @model_validator(mode="after")
    def _one_book(self):
        if self.placements is not None and self.placement_summary is not None:
            raise ValueError("give placements (a row per resident) or placement_summary (counts by band), not both")
        return self

    def spec(self, kind: str) -> DataFile | None:
        """The file given for ``kind`` as a :class:`DataFile` (a plain path becomes one), or None."""
        value = getattr(self, kind)
        return DataFile(path=value) if isinstance(value, str) else value

    def given(self) -> list[str]:
        return [k for k in DATA_KINDS if getattr(self, k) is not None]


class PriceBase(Strict):
    """Figures stated at an earlier year's prices, inflated to the scenario's year.

    factor = product over the years after ``year`` up to the scenario's year of (1 + % / 100), where
    the % for a year is ``index_pct`` (stated), the scenario's CPI (``indexation.cpi_pct``) or its
    uplift index. ``year`` is a financial year (2021 = 2021/22)."""

    year: Annotated[int, Field(ge=2010, le=2040)]
    index: Literal["stated", "cpi", "uplift_index"] = "stated"
    index_pct: dict[int, SignedPct] = {}


class CarePay(Strict):
    """Hourly pay: a fixed rate, or a premium over the National Living Wage for the year."""

    hourly_rate: Money | None = None
    nlw_premium: Money | None = None

    @model_validator(mode="after")
    def _one_of(self):
        if (self.hourly_rate is None) == (self.nlw_premium is None):
            raise ValueError("give exactly one of hourly_rate (£/hour) or nlw_premium (£/hour over the NLW)")
        return self


class OnCosts(Strict):
    """Employer on-costs as % of pay. 'statutory' derives the figure from national parameters."""

    holiday: Literal["statutory"] | Pct = "statutory"
    employer_ni: Literal["statutory"] | Pct = "statutory"
    pension: Literal["statutory"] | Pct = "statutory"
    sickness_training_pct: Pct = 0.0
    paid_hours_per_week: Hours = 37.5


class Returns(Strict):
    """Return inputs; which are used depends on ``cost_of_care.return_convention``."""

    # (a) single return on capital (2008 fair-price toolkit)
    land_value_per_bed: Value = 0.0
    building_value_per_bed: Value = 0.0
    target_yield_pct: Pct = 12.0
    # (b) fair cost of care 2022: return on operations + return on capital
    return_on_operations_pct: Pct = 0.0
    freehold_value_per_bed: Value = 0.0
    capital_yield_pct: Pct = 0.0


class StaffHours(Strict):
    """A staff line built like care staff: hours per resident per week x hourly pay, plus the
    category's on-costs (so NLW, NI and pension changes flow through)."""

    hours_prpw: Hours
    pay: CarePay


FixedLine = Literal["other_staff", "supplies", "head_office"]
CostLine = Literal["care_staff", "nursing_staff", "other_staff", "premises", "supplies_services", "head_office",
                   "return_on_operations", "return_on_capital"]
# the eight cost lines of a build-up and a survey, in the toolkit's order (the one list: rates, the
# survey, the data files' cost_line column and the survey forms all read it)
COST_LINES: tuple[str, ...] = get_args(CostLine)


class Category(Strict):
    """A care category's cost build-up inputs (£ prpw unless the key says otherwise).

    Care and nursing staff are per resident (hours per resident x pay). Premises are per bed
    (``premises_per_bed``, spread over occupied beds). Other staff, supplies and services and head
    office are entered £ per resident per week at the category's ``occupancy_pct``, as a cost
    survey reports them; ``line_basis`` says whether each is a home's fixed cost (``per_home``:
    spread over occupied beds, so it rises when occupancy falls) or moves with residents
    (``per_resident``). The default is ``per_home`` for all three, the convention of the 2022 fair
    cost of care template, which turned each home's annual costs into £ per resident per week at
    its occupancy.

    ``lines_prpw`` states whole lines directly in £ per resident per week (for example a survey's
    median for the line): a stated line replaces the line's build-up, is used as given (occupancy
    does not divide it again) and does not move with occupancy. Returns then apply as usual
    (return on operations on the operating lines, stated or built). ``occupancy_pct`` is needed
    only where something is spread over beds (premises per bed, capital returns, per-home lines
    evaluated at another occupancy); without it, per-home lines are taken as per resident.
    """

    label: Annotated[str, Field(min_length=1, max_length=200)]
    setting: Literal["residential", "nursing"]
    occupancy_pct: Annotated[float, Field(ge=1, le=100, allow_inf_nan=False)] | None = None
    care_hours_prpw: Hours = 0.0
    care_pay: CarePay | None = None
    nurse_hours_prpw: Hours = 0.0
    nurse_pay: CarePay | None = None
    on_costs: OnCosts = OnCosts()
    other_staff_prpw: dict[str, Money | StaffHours] = {}
    premises_per_bed: dict[str, Money] = {}
    supplies_prpw: dict[str, Money] = {}
    head_office_prpw: Money = 0.0
    line_basis: dict[FixedLine, Literal["per_home", "per_resident"]] = {}
    lines_prpw: dict[CostLine, Money] = {}
    returns: Returns = Returns()

    def basis(self, line: str) -> str:
        """``per_home`` or ``per_resident`` for other_staff, supplies or head_office."""
        if self.occupancy_pct is None:
            return "per_resident"
        return self.line_basis.get(line, "per_home")

    @model_validator(mode="after")
    def _nursing(self):
        if self.nurse_hours_prpw > 0 and self.nurse_pay is None:
            raise ValueError("nurse_hours_prpw is set, so nurse_pay is required")
        if self.care_hours_prpw > 0 and self.care_pay is None:
            raise ValueError("care_hours_prpw is set, so care_pay is required")
        if self.setting == "residential" and (self.nurse_hours_prpw > 0 or self.lines_prpw.get("nursing_staff", 0) > 0):
            raise ValueError("a residential category cannot have nurse hours or a nursing staff line")
        stated = set(self.lines_prpw)
        clash = [(line, key) for line, key, given in (
            ("care_staff", "care_hours_prpw", self.care_hours_prpw > 0),
            ("nursing_staff", "nurse_hours_prpw", self.nurse_hours_prpw > 0),
            ("other_staff", "other_staff_prpw", bool(self.other_staff_prpw)),
            ("premises", "premises_per_bed", bool(self.premises_per_bed)),
            ("supplies_services", "supplies_prpw", bool(self.supplies_prpw)),
            ("head_office", "head_office_prpw", self.head_office_prpw > 0)) if given and line in stated]
        if clash:
            line, key = clash[0]
            raise ValueError(f"lines_prpw.{line} states the line directly, so {key} (its build-up) must not be given too")
        if "care_staff" not in stated and self.care_hours_prpw == 0:
            raise ValueError("give care_hours_prpw with care_pay, or the care staff line directly as lines_prpw.care_staff")
        if self.occupancy_pct is None:
            r = self.returns
            spread = [k for k, used in (("premises_per_bed", bool(self.premises_per_bed)),
                                         ("returns (capital values)", r.land_value_per_bed + r.building_value_per_bed
                                          + r.freehold_value_per_bed > 0)) if used]
            if spread:
                raise ValueError(f"occupancy_pct is needed to spread {spread[0]} over occupied beds")
        return self


class CostOfCare(Strict):
    """``return_on_operations_basis``: ``operating_costs`` (return = % x operating costs, as the 2022
    template) or ``total_cost`` (the return is % of the total cost including itself: operating x
    % / (100 - %), as some councils' reports state it). ``price_base``: the year whose prices the
    stated £ figures are in (stated £ lines, per-bed premises, fixed hourly rates); pay built on
    the NLW is always the NLW in force."""

    return_convention: Literal["single_return_on_capital", "fair_cost_of_care"] = "fair_cost_of_care"
    return_on_operations_basis: Literal["operating_costs", "total_cost"] = "operating_costs"
    price_base: PriceBase | None = None
    categories: dict[str, Category] = {}


class Band(Strict):
    """A named weekly rate: stated (``weekly_rate``) or built from a cost category, plus add-ons."""

    name: Annotated[str, Field(min_length=1, max_length=80)]
    setting: Literal["residential", "nursing"]
    client_group: Literal["older", "working_age", "all"] = "all"
    category: str | None = None
    weekly_rate: Money | None = None
    quality_premium: Money = 0.0
    supplementary_hours: Hours = 0.0
    supplementary_hourly_rate: Money = 0.0
    fnc: Literal["included", "excluded"] = "excluded"

    @model_validator(mode="after")
    def _source(self):
        if (self.category is None) == (self.weekly_rate is None):
            raise ValueError("give exactly one of category (built from cost of care) or weekly_rate (stated £/week)")
        if self.setting == "residential" and self.fnc == "included":
            raise ValueError("fnc: included only applies to nursing bands")
        return self


class Indexation(Strict):
    """Yearly uplift index: staff share indexed to NLW or earnings, the rest to CPI, plus steps.

    ``staff_growth_pct`` states the staff component's % for a year (councils often round the NLW
    rise before weighting it); it takes precedence over the % computed from the NLW or earnings.
    A component with zero weight needs no series (staff share 0: no NLW or earnings; 100: no CPI).

    ``weights``: ``stated`` (``staff_share_pct`` for every band) or ``build_up`` (each band built
    from a cost category indexes its staff lines, care, nursing and other staff, on the staff index
    and the rest on CPI; stated bands keep ``staff_share_pct``). ``components`` says which index a
    band's add-ons follow: ``blended`` (the band's index, default), ``staff`` (the staff index
    alone; Leicestershire uplifted its supplementary needs allowance on earnings, £11.36 to £11.81)
    or ``cpi``."""

    staff_share_pct: Pct = 57.0
    staff_index: Literal["nlw", "earnings"] = "nlw"
    weights: Literal["stated", "build_up"] = "stated"
    components: dict[Literal["supplementary_needs", "quality_premium"], Literal["blended", "staff", "cpi"]] = {}
    future_nlw: dict[int, Money] = {}
    earnings_growth_pct: dict[int, SignedPct] = {}
    staff_growth_pct: dict[int, SignedPct] = {}
    cpi_pct: dict[int, SignedPct] = {}
    step_changes_pct: dict[int, SignedPct] = {}


class Turnover(Strict):
    annual_exit_rate_pct: Pct = 35.0
    replace_leavers: bool = True


class OutOfArea(Strict):
    """How placements in other councils' areas change: they are paid at the host council's price,
    not moved by this council's band changes. ``index`` (default): the uplift index for the year
    (staff share x NLW or earnings growth + other share x CPI + steps, including the first year);
    ``pct``: a stated % in the first year (then the index); ``band_change``: the % change of the
    placement's band (the in-county change)."""

    method: Literal["index", "pct", "band_change"] = "index"
    pct: SignedPct = 0.0


Reach = Literal["every_fee", "at_or_below_rate", "protect_above_new_rate", "protect_above_current_rate"]


class Uplift(Strict):
    """How fees change.

    ``method``: ``uniform`` (one %), ``per_band`` (a % per band), ``index`` (the uplift index for
    the scenario's own year, see ``indexation``) or ``target_rates`` (move to the proposed rate card).

    ``reach`` names who the change reaches:

    * ``every_fee`` (default for a %): the % on every fee paid, whatever it is;
    * ``at_or_below_rate``: the % on the band rates; placements paid at or below their band's
      current rate (the guide price) move to the new band rate, placements above it keep their fee;
    * ``protect_above_new_rate`` (default for ``target_rates``): placements move to the proposed
      band rate, except those already paid above the new rate (``protection`` says what they get);
    * ``protect_above_current_rate``: as above, but protection is measured against the current
      band rate: placements paid above the current rate keep their fee (or get ``protection``),
      placements at or below it move to the new rate.

    ``rounding``: the rule new band rates are rounded by, ``penny`` (half up to the penny) or
    ``pound`` (half up to the whole pound, as some councils publish them)."""

    method: Literal["uniform", "per_band", "index", "target_rates"] = "target_rates"
    uniform_pct: SignedPct = 0.0
    per_band_pct: dict[str, SignedPct] = {}
    effective_date: dt.date | None = None
    reach: Reach | None = None
    rounding: Literal["penny", "pound"] = "penny"
    phasing_years: Annotated[int, Field(ge=1, le=10)] = 1
    protection: Literal["keep_fee", "pct", "none"] = "keep_fee"
    protection_pct: SignedPct = 0.0
    provider_pass_through_pct: Pct = 0.0
    self_funder_pass_through_pct: Pct = 0.0
    topup_collection: Literal["council_gross", "direct"] = "council_gross"
    turnover: Turnover = Turnover()
    out_of_area: OutOfArea = OutOfArea()

    @property
    def pct_method(self) -> bool:
        """A % on fees or band rates (uniform, per band or the index), not a move to a rate card."""
        return self.method in ("uniform", "per_band", "index")

    @property
    def reach_rule(self) -> str:
        return self.reach or ("every_fee" if self.pct_method else "protect_above_new_rate")

    @model_validator(mode="after")
    def _reach(self):
        if self.reach is not None:
            allowed = ("every_fee", "at_or_below_rate") if self.pct_method else ("protect_above_new_rate", "protect_above_current_rate")
            if self.reach not in allowed:
                raise ValueError(f"reach {self.reach!r} does not apply to method {self.method!r}; use one of: {', '.join(allowed)}")
        return self


class Demand(Strict):
    council_share_of_admissions_pct: Pct = 45.0
    projection_years: Annotated[int, Field(ge=1, le=15)] = 5
    # annual exit rate of council placements by client group (5 means 5% a year); a group not stated
    # is estimated from the placement book's start dates (see feemodel.model.demand.exit_rates)
    exit_rate_pct: dict[Literal["older", "working_age"], Pct] = {}


class Range(Strict):
    low: Annotated[float, Field(ge=-100, le=100, allow_inf_nan=False)]
    high: Annotated[float, Field(ge=-100, le=100, allow_inf_nan=False)]

    @model_validator(mode="after")
    def _order(self):
        if self.low > self.high:
            raise ValueError("low must not exceed high")
        return self


class Distribution(Strict):
    kind: Literal["normal", "uniform", "triangular"]
    low: Annotated[float, Field(ge=-100, le=100, allow_inf_nan=False)]
    high: Annotated[float, Field(ge=-100, le=100, allow_inf_nan=False)]
    mode: Annotated[float, Field(ge=-100, le=100, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _order(self):
        if self.low > self.high:
            raise ValueError("low must not exceed high")
        if self.kind == "triangular" and (self.mode is None or not self.low <= self.mode <= self.high):
            raise ValueError("a triangular distribution needs low <= mode <= high")
        return self


Assumption = Literal["nlw_premium", "occupancy_pct", "care_hours_pct", "return_on_operations_pct",
                     "capital_yield_pct", "provider_pass_through_pct", "demand_growth_pct"]


class Sensitivity(Strict):
    """Ranges for one-way sensitivity and distributions for Monte Carlo (P10 and P90 for normal).

    Each is a change from the scenario's own value: ``nlw_premium`` £/hour on care pay,
    ``occupancy_pct`` points, ``care_hours_pct`` % of care hours, ``return_on_operations_pct`` and
    ``capital_yield_pct`` points, ``demand_growth_pct`` % a year growth in placements; except
    ``provider_pass_through_pct``, which is the value itself (0 to 100).
    """

    one_way: dict[Assumption, Range] = {}
    monte_carlo: dict[Assumption, Distribution] = {}
    draws: Annotated[int, Field(ge=100, le=1_000_000)] = 10_000
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 20261124


class Consultation(Strict):
    """The public consultation's period: the first and the last day responses are taken (inclusive
    dates); ``closes`` must be after ``opens``."""

    opens: dt.date
    closes: dt.date

    @model_validator(mode="after")
    def _closes_after_opens(self):
        if self.closes <= self.opens:
            raise ValueError(f"closes ({self.closes.isoformat()}) must be after opens ({self.opens.isoformat()})")
        return self


class Publication(Strict):
    """How the pack is published. ``name_homes``: whether homes are named; ``suppress_below``: counts
    under this are withheld. Title page: ``status`` (``consultation draft``, the default, or ``final``),
    ``consultation`` (``{opens, closes}``, dates; optional: the title page then says the period is
    not stated) and ``contact`` (where to respond or ask: short text such as an email or postal
    address, at most 300 characters; optional)."""

    name_homes: bool = False
    suppress_below: Annotated[int, Field(ge=1, le=100)] = 5
    status: Literal["consultation draft", "final"] = "consultation draft"
    consultation: Consultation | None = None
    contact: Annotated[str, Field(min_length=1, max_length=300)] | None = None


class Market(Strict):
    """Which cost category a home's cost of care comes from, by setting (for homes below cost).
    A home's own ``cost_category`` column in the homes file, where given, comes first."""

    cost_category: dict[Literal["residential", "nursing"], str] = {}


class CostPressure(Strict):
    """How the cost pressure of the fee year is weighed (``feemodel.model.cost_pressure``).

    ``weights``: ``build_up`` (each band built from a cost category: its staff lines' share of its
    cost of care; stated bands: ``indexation.staff_share_pct``) or ``survey`` (the survey medians of
    the band's category: staff lines over the sum of line medians). ``energy_pct``: energy prices'
    change in a financial year (%; optional, with its source as a note under
    ``cost_pressure.energy_pct``); where the fee year has one, the build-up's supplies items named in
    ``energy_items`` are weighed on it instead of CPI."""

    weights: Literal["build_up", "survey"] = "build_up"
    energy_pct: dict[int, SignedPct] = {}
    energy_items: list[Annotated[str, Field(min_length=1, max_length=80)]] = ["utilities"]


class PastUplift(Strict):
    """One past year's uplift against that year's cost pressure (both %, as the council recorded them)."""

    uplift_pct: SignedPct
    cost_pressure_pct: SignedPct


class OptionConsidered(Strict):
    """Another scenario the council considered: its file (beside this one) and the reason it was not chosen."""

    scenario: Annotated[str, Field(min_length=1, max_length=1000)]
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class SurveyResponse(Strict):
    """A survey category's response: homes invited, returns received, returns validated (kept), and
    optionally the surveyed homes' median care hours per resident per week (set beside the hours the
    build-up assumes)."""

    invited: Annotated[int, Field(ge=0, le=100_000)]
    returned: Annotated[int, Field(ge=0, le=100_000)]
    validated: Annotated[int, Field(ge=0, le=100_000)]
    care_hours_prpw: Hours | None = None

    @model_validator(mode="after")
    def _order(self):
        if self.returned > self.invited:
            raise ValueError(f"returned ({self.returned}) is more than invited ({self.invited})")
        if self.validated > self.returned:
            raise ValueError(f"validated ({self.validated}) is more than returned ({self.returned})")
        return self


def note_key_problem(tree, key: str) -> str | None:
    """Why ``key`` (a dotted path such as ``cost_of_care.categories.x.occupancy_pct``) names nothing
    in the scenario ``tree`` (its ``model_dump``), or None when it does. A band in a list is named
    by its ``name`` (``band_structures.two_band.Nursing``)."""
    node, path = tree, []
    for part in key.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and any(isinstance(x, dict) and x.get("name") == part for x in node):
            node = next(x for x in node if isinstance(x, dict) and x.get("name") == part)
        else:
            where = ".".join(path) or "the top level"
            known = sorted(node) if isinstance(node, dict) else [x.get("name") for x in node if isinstance(x, dict)] \
                if isinstance(node, list) else []
            return f"no {part!r} under {where}" + (f"; known: {', '.join(map(str, known[:12]))}" if known else "")
        path.append(part)
    return None


class Scenario(Strict):
    council: Annotated[str, Field(min_length=1, max_length=200)]
    title: Annotated[str, Field(min_length=1, max_length=300)]
    financial_year: Annotated[int, Field(ge=2015, le=2040)]
    data: DataFiles = DataFiles()
    cost_of_care: CostOfCare = CostOfCare()
    band_structures: dict[str, list[Band]]
    current_structure: str
    proposed_structure: str
    # each current band -> the proposed band its placements move to, or {proposed band: % of its
    # placements} where one band splits across several; defaults to each band itself when the
    # current and proposed structures are the same
    band_mapping: dict[str, str | dict[str, Pct]] = {}
    # default: a move to the proposed rate card from the start of the financial year
    uplift: Uplift = Uplift()
    market: Market = Market()
    survey_price_base: PriceBase | None = None
    indexation: Indexation = Indexation()
    demand: Demand = Demand()
    sensitivity: Sensitivity = Sensitivity()
    publication: Publication = Publication()
    survey_exclusions: list[str] = []
    survey_statistic: Literal["sum_of_line_medians", "median_of_totals"] = "median_of_totals"
    parameter_changes: dict[str, dict[dt.date, float]] = {}
    projections: dict[str, dict[dt.date, float]] = {}
    # a source or justification for any assumption, keyed by its path (e.g. uplift.provider_pass_through_pct);
    # shown beside the figure in the pack, and against any check it answers
    notes: dict[str, Annotated[str, Field(min_length=1, max_length=2000)]] = {}
    # the decision the pack asks for, in the council's words (the summary opens with it)
    decision: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    # when the provider cost survey's returns were collected (stated beside the survey figures)
    survey_date: dt.date | None = None
    # the providers' challenge (feemodel.model.cost_pressure, survey_quality): how the fee year's
    # cost pressure is weighed; past years' uplifts against their cost pressure, by financial year;
    # the survey's response per cost_of_care category (homes invited, returned, validated)
    cost_pressure: CostPressure = CostPressure()
    past_uplifts: dict[Annotated[int, Field(ge=2000, le=2040)], PastUplift] = {}
    survey_response: dict[str, SurveyResponse] = {}
    # the reason for each survey exclusion, keyed as in survey_exclusions ("H068:standard_nursing")
    survey_exclusion_reasons: dict[str, Annotated[str, Field(min_length=1, max_length=500)]] = {}
    # the options considered: other scenario files, costed by the same engine, each with the reason it was
    # not chosen; and the reason for choosing this one
    options_considered: list[OptionConsidered] = []
    chosen_reason: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    # last year's return inputs per cost_of_care category (the change from last year is shown beside this year's)
    returns_last_year: dict[str, Returns] = {}

    # set after loading
    path: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, raw):
        """Defaults that depend on other keys: the band mapping is each band to itself when the
        structures are the same; the uplift takes effect on 1 April of the financial year."""
        if not isinstance(raw, dict):
            return raw
        raw = dict(raw)
        if raw.get("band_mapping") in (None, {}) and raw.get("current_structure") == raw.get("proposed_structure"):
            bands = (raw.get("band_structures") or {}).get(raw.get("current_structure")) if isinstance(raw.get("band_structures"), dict) else None
            if isinstance(bands, list):
                raw["band_mapping"] = {b["name"]: b["name"] for b in bands if isinstance(b, dict) and isinstance(b.get("name"), str)}
        data = raw.get("data")
        survey_spec = data.get("cost_survey") if isinstance(data, dict) else None
        if isinstance(survey_spec, dict) and survey_spec.get("form") == "summary":
            # a published summary has no homes' totals: its total is the sum of line medians
            if raw.get("survey_statistic", "sum_of_line_medians") != "sum_of_line_medians":
                raise ValueError("survey_statistic: a published summary (data.cost_survey.form: summary) has no homes' "
                                 "totals, so only sum_of_line_medians can be compared; remove the key or set it so")
            raw["survey_statistic"] = "sum_of_line_medians"
        fy = raw.get("financial_year")
        uplift = raw.get("uplift", {})
        if isinstance(fy, int) and not isinstance(fy, bool) and 2015 <= fy <= 2040 and isinstance(uplift, dict) \
                and uplift.get("effective_date") is None:
            raw["uplift"] = {**uplift, "effective_date": dt.date(fy, 4, 1)}
        return raw

    @model_validator(mode="after")
    def _links(self):
        for key in ("current_structure", "proposed_structure"):
            name = getattr(self, key)
            if name not in self.band_structures:
                raise ValueError(f"{key} {name!r} is not one of band_structures: {sorted(self.band_structures)}")
        for sname, bands in self.band_structures.items():
            seen = set()
            for b in bands:
                if b.name in seen:
                    raise ValueError(f"band_structures.{sname}: band {b.name!r} appears twice")
                seen.add(b.name)
                if b.category is not None and b.category not in self.cost_of_care.categories:
                    raise ValueError(f"band_structures.{sname}: band {b.name!r} uses unknown category {b.category!r}; "
                                     f"known: {sorted(self.cost_of_care.categories)}")
                if b.category is not None and self.cost_of_care.categories[b.category].setting != b.setting:
                    raise ValueError(f"band_structures.{sname}: band {b.name!r} is {b.setting} but category {b.category!r} is not")
        current = {b.name for b in self.band_structures[self.current_structure]}
        proposed = {b.name for b in self.band_structures[self.proposed_structure]}
        for old, new in self.band_mapping.items():
            if old not in current:
                raise ValueError(f"band_mapping: {old!r} is not a band of {self.current_structure}; allowed: {sorted(current)}")
            for target in ([new] if isinstance(new, str) else new):
                if target not in proposed:
                    raise ValueError(f"band_mapping: {old!r} maps to {target!r}, not a band of {self.proposed_structure}; "
                                     f"allowed: {sorted(proposed)}")
            if isinstance(new, dict):
                total = sum(new.values())
                if not new or abs(total - 100) > 1e-6:
                    raise ValueError(f"band_mapping.{old}: the shares of its placements add up to {total:g}%; they must add up to 100")
                setting = {b.name: b.setting for b in self.band_structures[self.proposed_structure]}
                if len({setting[t] for t in new}) > 1:
                    raise ValueError(f"band_mapping.{old}: a band's placements cannot split across residential and nursing bands")
        missing = current - set(self.band_mapping)
        if missing:
            raise ValueError(f"band_mapping: no proposed band for {sorted(missing)}")
        cats = self.cost_of_care.categories
        for setting, cat in self.market.cost_category.items():
            if cat not in cats:
                raise ValueError(f"market.cost_category.{setting}: {cat!r} is not a cost_of_care category; known: {sorted(cats)}")
            if cats[cat].setting != setting:
                raise ValueError(f"market.cost_category.{setting}: category {cat!r} is {cats[cat].setting}, not {setting}")
        for band in self.uplift.per_band_pct:
            if band not in current:
                raise ValueError(f"uplift.per_band_pct: {band!r} is not a band of {self.current_structure}; allowed: {sorted(current)}")
        fy_start = dt.date(self.financial_year, 4, 1)
        if not fy_start <= self.uplift.effective_date < dt.date(self.financial_year + 1, 4, 1):
            raise ValueError(f"uplift.effective_date {self.uplift.effective_date} is outside financial year "
                             f"{self.financial_year}/{(self.financial_year + 1) % 100:02d} (1 April to 31 March)")
        for key in self.notes:
            problem = note_key_problem(self.model_dump(), key)
            if problem:
                raise ValueError(f"notes: {key!r} is not a key of this scenario ({problem}); a note is keyed by the path of "
                                 "the figure it explains, e.g. uplift.provider_pass_through_pct or "
                                 "cost_of_care.categories.<category>.occupancy_pct")
        return self

    def note(self, key: str) -> str:
        """The note recorded under ``notes`` for ``key`` or the nearest key above it, on one line
        ('' if none): a note on ``cost_of_care.categories.x`` explains every figure of category x."""
        parts = key.split(".")
        for n in range(len(parts), 0, -1):
            text = self.notes.get(".".join(parts[:n]))
            if text:
                return " ".join(text.split())
        return ""

    @property
    def folder(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.financial_year, 4, 1)

    @property
    def rates_date(self) -> dt.date:
        """The date whose national figures a rate card and the year's means test use: the later of
        the effective date and 6 April (the first day of the tax year, when employer NI, pension
        thresholds and, in recent years, the Personal Expenses Allowance change). Figures are taken
        as in force on that day, not blended over the year."""
        return max(self.uplift.effective_date, dt.date(self.financial_year, 4, 6))

    def year_date(self, k: int) -> dt.date:
        """The date whose national figures scenario year k uses (k = 0: :attr:`rates_date`; later
        years: 6 April of that year)."""
        return self.rates_date if k == 0 else dt.date(self.financial_year + k, 4, 6)

    @property
    def year_label(self) -> str:
        return f"{self.financial_year}/{(self.financial_year + 1) % 100:02d}"

    def data_path(self, name: str) -> Path | None:
        """The path of data file ``name`` (placements, homes, ...), or None where it is not given."""
        spec = self.data.spec(name)
        return self.folder / spec.path if spec is not None else None

    def data_name(self, name: str) -> str:
        """The file name the scenario gives for data file ``name``, as written (for messages)."""
        spec = self.data.spec(name)
        return "" if spec is None else spec.path + (f" (sheet {spec.sheet})" if spec.sheet else "")

    def has_data(self, name: str) -> bool:
        return getattr(self.data, name) is not None

    def bands(self, which: str = "proposed") -> list[Band]:
        key = self.proposed_structure if which == "proposed" else self.current_structure
        return self.band_structures[key]

    def to_yaml(self) -> str:
        data = self.model_dump(mode="json", exclude={"path"}, exclude_defaults=False)
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


_LIMITS = {"greater_than_equal": ("ge", "greater than or equal to"), "greater_than": ("gt", "greater than"),
           "less_than_equal": ("le", "less than or equal to"), "less_than": ("lt", "less than")}


def _number(x) -> str:
    """1000000 -> '1,000,000', 0.0 -> '0' (so '... to 100' is never a prefix of '... to 1,000,000')."""
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"


def _excerpt(value, limit: int = 60) -> str:
    """A value quoted in an error, cut short: an expanded alias bomb must never reach a message."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "...'"


def _pydantic_error(path: Path, err: ValidationError) -> InputError:
    errors = err.errors(include_url=False, include_input=True)
    first = errors[0]
    loc = ".".join(str(p) for p in first["loc"] if p not in ("function-after",)) or "(top level)"
    msg = first["msg"].removeprefix("Value error, ")
    kind = first["type"]
    if kind == "extra_forbidden":
        msg = "unknown key; check the spelling against the scenario reference in README.md"
    elif kind == "missing":
        msg = "required key is missing"
    elif kind in _LIMITS:
        key, words = _LIMITS[kind]
        limit = (first.get("ctx") or {}).get(key)
        shown = str(int(limit)) if isinstance(limit, int) and "year" in loc else _number(limit) if isinstance(limit, int | float) else ""
        msg = f"Input should be {words} {shown}" if isinstance(limit, int | float) else msg
        msg = f"{msg} (got {_excerpt(first.get('input'))})"
    elif kind == "finite_number":
        msg = f"Input should be a finite number (got {_excerpt(first.get('input'))})"
    elif "input" in first and kind not in ("value_error",):
        msg = f"{msg} (got {_excerpt(first['input'])})"
    msg = msg if len(msg) <= 300 else msg[:300] + "..."
    extra = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return InputError(path, loc, msg + extra)


MAX_SCENARIO_BYTES = 2_000_000   # a scenario is a page or two of YAML
MAX_YAML_NODES = 100_000         # nodes after expanding every alias: refuses an alias bomb
# C0 and C1 control characters, DEL and the Unicode line and paragraph separators (a vertical tab
# or a line break pasted from Word); refused in every key and every text value of a scenario
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class _DuplicateKey(Exception):
    def __init__(self, key, first: int, second: int):
        super().__init__(key)
        self.key, self.first, self.second = key, first, second


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing duplicate keys (a second ``Residential:`` would silently win)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    continue
                if key in seen:
                    raise _DuplicateKey(key, seen[key], key_node.start_mark.line + 1)
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)


def _expanded_size(root) -> int:
    """How many nodes the document has once every alias is expanded (shared nodes counted each time)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:  # a recursive alias: infinite when expanded
            return MAX_YAML_NODES + 1
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total += size(child)
                if total > MAX_YAML_NODES:
                    break
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
                if total > MAX_YAML_NODES:
                    break
        active.discard(key)
        sizes[key] = total
        return total

    return size(root)


def _check_text(path: Path, value, where: str = "") -> None:
    """No control character in any key or text value (names the key)."""
    if isinstance(value, dict):
        for k, v in value.items():
            loc = f"{where}.{k}" if where else str(k)
            if isinstance(k, str) and CONTROL.search(k):
                raise InputError(path, _excerpt(loc, 80), "key contains a control character (a tab, line break or similar); remove it")
            _check_text(path, v, loc)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_text(path, v, f"{where}.{i}" if where else str(i))
    elif isinstance(value, str) and CONTROL.search(value):
        raise InputError(path, where or None, f"{_excerpt(value)} contains a control character (a tab, line break or similar); "
                         "text values are one plain line")


def read_yaml(path: Path):
    """Read a YAML file with clear errors for missing files, bad encoding and bad syntax.

    Anything but a regular file (a FIFO, a device) is refused before it is opened; duplicate keys
    are refused naming both lines; aliases may not expand beyond a small budget."""
    raw = read_regular_file(path, "a scenario YAML file", limit=MAX_SCENARIO_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"byte {exc.start}", "not UTF-8 text; save the file as UTF-8") from None
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is not None and _expanded_size(node) > MAX_YAML_NODES:
                raise InputError(path, None, f"aliases (*name) expand to more than {MAX_YAML_NODES:,} values; "
                                 "a scenario needs no more than a few")
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except _DuplicateKey as dup:
        raise InputError(path, f"line {dup.second}", f"key {_excerpt(dup.key)} appears twice (lines {dup.first} and {dup.second}); "
                         "give each key once") from None
    except ValueError as exc:  # PyYAML builds dates itself: 2026-13-01 raises ValueError
        where = None
        for n, line in enumerate(text.splitlines(), start=1):
            for token in re.findall(r"\b\d{4}-\d{2}-\d{2}\b", line):
                try:
                    dt.date.fromisoformat(token)
                except ValueError:
                    where = f"line {n} ({_excerpt(line.split(':')[0].strip(), 40)})"
                    break
            if where:
                break
        raise InputError(path, where, f"not a real date ({str(exc)[:80]}); use YYYY-MM-DD") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(path, where, f"YAML syntax error: {str(problem)[:200]}") from None
    except RecursionError:
        raise InputError(path, None, "YAML nested too deeply") from None
    _check_text(path, data)
    return data


def load_scenario(path: str | Path, check_files: bool = True) -> Scenario:
    """Load and validate a scenario YAML file; raise :class:`InputError` naming file and key."""
    path = Path(path)
    raw = read_yaml(path)
    if raw is None:
        raise InputError(path, None, "file is empty; a scenario needs council, title, financial_year, data, ...")
    if not isinstance(raw, dict):
        raise InputError(path, None, "a scenario must be a YAML mapping of keys to values")
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as err:
        raise _pydantic_error(path, err) from None
    scenario = scenario.model_copy(update={"path": path.resolve()})
    if check_files:
        import os
        import stat

        folder = scenario.folder.resolve()
        files = [(f"data.{name}", scenario.data.spec(name).path) for name in scenario.data.given()]
        files += [(f"data.{name}.line_map", scenario.data.spec(name).line_map) for name in scenario.data.given()
                  if scenario.data.spec(name).line_map]
        for key, rel in files:
            if not rel.strip() or CONTROL.search(rel):
                raise InputError(path, key, f"{_excerpt(rel)} is not a usable file name (empty, or a NUL or control character)")
            try:
                rel.encode("utf-8")
                target = (folder / rel).resolve()
            except (ValueError, OSError, UnicodeError):
                raise InputError(path, key, f"{_excerpt(rel)} is not a usable file name") from None
            if not target.is_relative_to(folder):
                raise InputError(path, key, f"{rel!r} points outside the scenario's folder; keep data files beside the scenario")
            try:
                mode = os.stat(target).st_mode
            except OSError:
                raise InputError(path, key, f"data file {rel!r} not found (looked in {folder})") from None
            if not stat.S_ISREG(mode):
                raise InputError(path, key, f"{rel!r} is not a regular file (a folder, pipe or device); give a CSV or .xlsx file")
    return scenario

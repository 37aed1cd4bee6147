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
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import InputError

Money = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)]
Hours = Annotated[float, Field(ge=0, le=168, allow_inf_nan=False)]
Pct = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
SignedPct = Annotated[float, Field(ge=-100, le=100, allow_inf_nan=False)]
Value = Annotated[float, Field(ge=0, le=100_000_000, allow_inf_nan=False)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataFiles(Strict):
    placements: str
    homes: str
    cost_survey: str
    population: str
    admissions: str


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


class Category(Strict):
    """A care category's cost build-up inputs (£ prpw unless the key says otherwise)."""

    label: str
    setting: Literal["residential", "nursing"]
    occupancy_pct: Annotated[float, Field(gt=0, le=100)]
    care_hours_prpw: Hours
    care_pay: CarePay
    nurse_hours_prpw: Hours = 0.0
    nurse_pay: CarePay | None = None
    on_costs: OnCosts = OnCosts()
    other_staff_prpw: dict[str, Money] = {}
    premises_per_bed: dict[str, Money] = {}
    supplies_prpw: dict[str, Money] = {}
    head_office_prpw: Money = 0.0
    returns: Returns = Returns()

    @model_validator(mode="after")
    def _nursing(self):
        if self.nurse_hours_prpw > 0 and self.nurse_pay is None:
            raise ValueError("nurse_hours_prpw is set, so nurse_pay is required")
        if self.setting == "residential" and self.nurse_hours_prpw > 0:
            raise ValueError("a residential category cannot have nurse hours")
        return self


class CostOfCare(Strict):
    return_convention: Literal["single_return_on_capital", "fair_cost_of_care"]
    categories: dict[str, Category]


class Band(Strict):
    """A named weekly rate: stated (``weekly_rate``) or built from a cost category, plus add-ons."""

    name: str
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
    """Yearly uplift index: staff share indexed to NLW or earnings, the rest to CPI, plus steps."""

    staff_share_pct: Pct = 57.0
    staff_index: Literal["nlw", "earnings"] = "nlw"
    future_nlw: dict[int, Money] = {}
    earnings_growth_pct: dict[int, SignedPct] = {}
    cpi_pct: dict[int, SignedPct] = {}
    step_changes_pct: dict[int, SignedPct] = {}


class Turnover(Strict):
    annual_exit_rate_pct: Pct = 35.0
    replace_leavers: bool = True


class Uplift(Strict):
    """How fees change. ``method``: uniform %, % per band, or move to the proposed rate card."""

    method: Literal["uniform", "per_band", "target_rates"]
    uniform_pct: SignedPct = 0.0
    per_band_pct: dict[str, SignedPct] = {}
    effective_date: dt.date
    phasing_years: Annotated[int, Field(ge=1, le=10)] = 1
    protection: Literal["keep_fee", "pct", "none"] = "keep_fee"
    protection_pct: SignedPct = 0.0
    provider_pass_through_pct: Pct = 0.0
    self_funder_pass_through_pct: Pct = 0.0
    topup_collection: Literal["council_gross", "direct"] = "council_gross"
    turnover: Turnover = Turnover()


class Demand(Strict):
    council_share_of_admissions_pct: Pct = 45.0
    projection_years: Annotated[int, Field(ge=1, le=15)] = 5


class Range(Strict):
    low: float
    high: float

    @model_validator(mode="after")
    def _order(self):
        if self.low > self.high:
            raise ValueError("low must not exceed high")
        return self


class Distribution(Strict):
    kind: Literal["normal", "uniform", "triangular"]
    low: float
    high: float
    mode: float | None = None

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
    seed: int = 20261124


class Publication(Strict):
    name_homes: bool = False
    suppress_below: Annotated[int, Field(ge=1, le=100)] = 5


class Scenario(Strict):
    council: str
    title: str
    financial_year: Annotated[int, Field(ge=2015, le=2040)]
    data: DataFiles
    cost_of_care: CostOfCare
    band_structures: dict[str, list[Band]]
    current_structure: str
    proposed_structure: str
    band_mapping: dict[str, str]
    uplift: Uplift
    indexation: Indexation = Indexation()
    demand: Demand = Demand()
    sensitivity: Sensitivity = Sensitivity()
    publication: Publication = Publication()
    survey_exclusions: list[str] = []
    survey_statistic: Literal["sum_of_line_medians", "median_of_totals"] = "median_of_totals"
    parameter_changes: dict[str, dict[dt.date, float]] = {}

    # set after loading
    path: Path | None = Field(default=None, exclude=True)

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
            if new not in proposed:
                raise ValueError(f"band_mapping: {old!r} maps to {new!r}, not a band of {self.proposed_structure}; allowed: {sorted(proposed)}")
        missing = current - set(self.band_mapping)
        if missing:
            raise ValueError(f"band_mapping: no proposed band for {sorted(missing)}")
        for band in self.uplift.per_band_pct:
            if band not in current:
                raise ValueError(f"uplift.per_band_pct: {band!r} is not a band of {self.current_structure}; allowed: {sorted(current)}")
        fy_start = dt.date(self.financial_year, 4, 1)
        if not fy_start <= self.uplift.effective_date < dt.date(self.financial_year + 1, 4, 1):
            raise ValueError(f"uplift.effective_date {self.uplift.effective_date} is outside financial year "
                             f"{self.financial_year}/{(self.financial_year + 1) % 100:02d} (1 April to 31 March)")
        return self

    @property
    def folder(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.financial_year, 4, 1)

    @property
    def year_label(self) -> str:
        return f"{self.financial_year}/{(self.financial_year + 1) % 100:02d}"

    def data_path(self, name: str) -> Path:
        return self.folder / getattr(self.data, name)

    def bands(self, which: str = "proposed") -> list[Band]:
        key = self.proposed_structure if which == "proposed" else self.current_structure
        return self.band_structures[key]

    def to_yaml(self) -> str:
        data = self.model_dump(mode="json", exclude={"path"}, exclude_defaults=False)
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _pydantic_error(path: Path, err: ValidationError) -> InputError:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first["loc"] if p not in ("function-after",)) or "(top level)"
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        msg = "unknown key; check the spelling against the scenario reference in README.md"
    elif first["type"] == "missing":
        msg = "required key is missing"
    elif "input" in first and first["type"] not in ("value_error",):
        msg = f"{msg} (got {first['input']!r})"
    extra = f" (and {len(err.errors()) - 1} more problem(s))" if len(err.errors()) > 1 else ""
    return InputError(path, loc, msg + extra)


def read_yaml(path: Path):
    """Read a YAML file with clear errors for missing files, bad encoding and bad syntax."""
    if not path.exists():
        raise InputError(path, None, "file not found")
    if path.is_dir():
        raise InputError(path, None, "is a folder; give a scenario YAML file")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"byte {exc.start}", "not UTF-8 text; save the file as UTF-8") from None
    try:
        return yaml.safe_load(text)
    except ValueError as exc:  # PyYAML builds dates itself: 2026-13-01 raises ValueError
        where = None
        for n, line in enumerate(text.splitlines(), start=1):
            for token in re.findall(r"\b\d{4}-\d{2}-\d{2}\b", line):
                try:
                    dt.date.fromisoformat(token)
                except ValueError:
                    where = f"line {n} ({line.split(':')[0].strip()})"
                    break
            if where:
                break
        raise InputError(path, where, f"not a real date ({exc}); use YYYY-MM-DD") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(path, where, f"YAML syntax error: {problem}") from None


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
        folder = scenario.folder.resolve()
        for name in DataFiles.model_fields:
            rel = getattr(scenario.data, name)
            target = (folder / rel).resolve()
            if not target.is_relative_to(folder):
                raise InputError(path, f"data.{name}", f"{rel!r} points outside the scenario's folder; keep data files beside the scenario")
            if not target.is_file():
                raise InputError(path, f"data.{name}", f"data file {rel!r} not found (looked in {folder})")
    return scenario

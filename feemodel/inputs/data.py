"""Read and validate the scenario's data files (CSV, UTF-8, with or without BOM, any line ending).

Every problem is an :class:`InputError` naming the file, the row (as the line number a spreadsheet
shows, header = line 1) or column, what was wrong and what is allowed. Unknown columns are refused
too: published outputs must never carry a column nobody checked (names, free text).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .files import read_regular_file
from .scenario import Scenario

MAX_MONEY = 100_000.0  # £/week; anything larger is a typing error, not a fee
MAX_CAPITAL = 100_000_000.0
MIN_DATE, MAX_DATE = pd.Timestamp("1900-01-01"), pd.Timestamp("2100-12-31")

# C0 and C1 control characters, DEL and the Unicode line and paragraph separators: a vertical tab
# or a line break pasted from Word into Excel. Refused in every cell of every data file.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# a number as a spreadsheet writes it: optional sign and £, digits with well-formed thousands
# separators (1,234.50) or none (1234.50), an optional decimal point and an optional exponent
NUMBER = re.compile(r"^[+-]?£?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$")
DECIMAL_COMMA = re.compile(r"^[+-]?£?\d+,\d{1,2}$|^[+-]?£?\d{1,3}(\.\d{3})+,\d+$")


@dataclass(frozen=True)
class Col:
    kind: str  # "id", "text", "choice", "money", "number", "int", "bool", "date"
    required: bool = True
    choices: tuple[str, ...] = ()
    low: float = 0.0
    high: float = MAX_MONEY
    absent_ok: bool = False  # the file may leave the column out altogether (read as blank)


SCHEMAS: dict[str, dict[str, Col]] = {
    "placements": {
        "placement_id": Col("id"),
        "home_id": Col("text"),
        "setting": Col("choice", choices=("residential", "nursing")),
        "client_group": Col("choice", choices=("older", "working_age")),
        "area": Col("choice", choices=("in", "out")),
        "funding": Col("choice", choices=("council", "self", "chc")),
        "band": Col("text", required=False),
        "weekly_fee": Col("money", required=False),
        "provider_price": Col("money"),
        "weekly_income": Col("money"),
        "capital": Col("money", high=MAX_CAPITAL),
        "assessed_contribution": Col("money", required=False),
        "third_party_topup": Col("money"),
        # a top-up the resident pays from their own resources: lawful only in the 12-week property
        # disregard or under a deferred payment agreement (Choice of Accommodation Regulations 2014)
        "first_party_topup": Col("money", required=False, absent_ok=True),
        "fnc_eligible": Col("bool"),
        "start_date": Col("date"),
    },
    "homes": {
        "home_id": Col("id"),
        "home_name": Col("text"),
        "setting": Col("choice", choices=("residential", "nursing")),
        "area": Col("choice", choices=("in", "out")),
        "locality": Col("choice", choices=("urban", "rural")),
        "beds": Col("int", low=1, high=1000),
        "occupied_beds": Col("int", required=False, low=0, high=1000),
        "private_weekly_price": Col("money"),
        "opened": Col("date"),
        "closed": Col("date", required=False),
    },
    "cost_survey": {
        "home_id": Col("text"),
        "category": Col("text"),
        "beds": Col("int", low=1, high=1000),
        "occupancy_pct": Col("number", low=1, high=100),
        "cost_line": Col("choice", choices=("care_staff", "nursing_staff", "other_staff", "premises",
                                           "supplies_services", "head_office", "return_on_operations",
                                           "return_on_capital")),
        "amount_prpw": Col("money"),
    },
    "population": {
        "year": Col("int", low=1990, high=2100),
        "age_band": Col("choice", choices=("18-64", "65-74", "75-84", "85+")),
        "population": Col("int", low=1, high=100_000_000),
        "kind": Col("choice", choices=("estimate", "projection")),
    },
    "admissions": {
        "year": Col("int", low=1990, high=2100),
        "age_band": Col("choice", choices=("18-64", "65-74", "75-84", "85+")),
        "admissions": Col("int", low=0, high=10_000_000),
    },
}

_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; anything but a regular file (a folder, a FIFO, a device) is refused."""
    return read_regular_file(path, "a CSV file", missing="data file not found")


def _read_text(path: Path) -> str:
    raw = _read_bytes(path)
    if not raw.strip():
        raise InputError(path, None, "file is empty; expected a header row and data rows")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(path, f"line {line}", "not UTF-8 text; save the CSV as UTF-8 (Excel: 'CSV UTF-8')") from None


def read_table(path: Path, kind: str) -> pd.DataFrame:
    """Read one data file of a known kind and validate it against :data:`SCHEMAS`."""
    schema = SCHEMAS[kind]
    text = _read_text(path)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError(path, None, f"not a readable CSV file: {exc}") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError(path, None, "file is empty; expected a header row and data rows")
    header = [h.strip() for h in rows[0]]
    seen = set()
    for h in header:
        if h in seen:
            raise InputError(path, f"column {h!r}", "appears more than once in the header; each column once")
        seen.add(h)
    for h in header:
        if h not in schema:
            near = difflib.get_close_matches(h, schema, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise InputError(path, f"column {h!r}", f"unknown column{hint}; allowed: {', '.join(schema)}")
    missing = [c for c in schema if c not in header and not schema[c].absent_ok]
    if missing:
        raise InputError(path, f"column {missing[0]!r}", f"missing; the file needs columns: {', '.join(schema)}")
    if len(rows) < 2:
        raise InputError(path, None, "has a header but no data rows")
    width = len(header)
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != width:
            raise InputError(path, f"row {i}", f"has {len(r)} fields, the header has {width}")
    for i, r in enumerate(rows[1:], start=2):
        for j, cell in enumerate(r):
            m = CONTROL.search(cell)
            if m:
                raise InputError(path, f"row {i}, column {header[j]!r}",
                                 f"contains a control character ({_char_name(m.group())}), such as a line break pasted from "
                                 "Word; remove it (each cell is plain text on one line)")
    frame = pd.DataFrame([[c.strip() for c in r] for r in rows[1:]], columns=header)
    frame.index = pd.RangeIndex(2, 2 + len(frame))  # spreadsheet line numbers
    for name in schema:
        if name not in frame:
            frame[name] = ""
    out = {}
    for name, col in schema.items():
        out[name] = _convert(path, frame[name], name, col)
    result = pd.DataFrame(out)[list(schema)]
    for name, col in schema.items():
        if col.kind == "id":
            dup = result[name][result[name].duplicated(keep="first")]
            if len(dup):
                first = dup.index[0]
                raise InputError(path, f"row {first}, column {name!r}", f"duplicate id {dup.iloc[0]!r}; each {name} must be unique")
    return result.reset_index(drop=True)


def _char_name(ch: str) -> str:
    names = {"\t": "tab", "\n": "line break", "\r": "carriage return", "\x0b": "vertical tab", "\x0c": "form feed",
             "\x00": "NUL", "\u2028": "line separator", "\u2029": "paragraph separator"}
    return names.get(ch, f"U+{ord(ch):04X}")


def _excerpt(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "...")


def _bad(path, series, mask, name, what):
    row = series.index[np.argmax(mask)]
    return InputError(path, f"row {row}, column {name!r}", f"{_excerpt(series[row])} {what}")


def _convert(path: Path, s: pd.Series, name: str, col: Col) -> pd.Series:
    blank = s.eq("")
    if col.required and blank.any():
        row = s.index[np.argmax(blank.to_numpy())]
        raise InputError(path, f"row {row}, column {name!r}", "is empty; a value is required")
    if col.kind in ("id", "text"):
        return s.where(~blank, "")
    if col.kind == "choice":
        bad = ~blank & ~s.isin(col.choices)
        if bad.any():
            raise _bad(path, s, bad.to_numpy(), name, f"is not allowed; use one of: {', '.join(col.choices)}")
        return s.where(~blank, "")
    if col.kind == "bool":
        low = s.str.lower()
        bad = ~low.isin(_TRUE | _FALSE)
        if bad.any():
            raise _bad(path, s, bad.to_numpy(), name, "is not true/false")
        return low.isin(_TRUE)
    if col.kind == "date":
        parsed = pd.to_datetime(s.where(~blank, None), format="%Y-%m-%d", errors="coerce")
        bad = ~blank & parsed.isna()
        if bad.any():
            value = s[bad.to_numpy()].iloc[0]
            try:
                dt.date.fromisoformat(value)
                real = re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None
            except ValueError:
                real = False
            what = "is out of range; allowed 1900-01-01 to 2100-12-31" if real else "is not a date; use YYYY-MM-DD"
            raise _bad(path, s, bad.to_numpy(), name, what)
        outside = ~blank & ((parsed < MIN_DATE) | (parsed > MAX_DATE))
        if outside.any():
            raise _bad(path, s, outside.to_numpy(), name, "is out of range; allowed 1900-01-01 to 2100-12-31")
        return parsed
    # numbers: thousands separators only where well formed (1,234.50); a decimal comma (850,50) is
    # refused rather than read as 85050
    comma = ~blank & s.str.contains(",", regex=False)
    if comma.any():
        malformed = comma & ~s.str.match(NUMBER.pattern)
        if malformed.any():
            dec = s[malformed.to_numpy()].iloc[0]
            hint = ("looks like a decimal comma; write the number with a decimal point (850.50)"
                    if DECIMAL_COMMA.match(dec) else "has a misplaced thousands separator; write 1,234.50 or 1234.50")
            raise _bad(path, s, malformed.to_numpy(), name, f"is not a number: {hint}")
    cleaned = s.str.replace(",", "", regex=False).str.replace("£", "", regex=False)
    values = pd.to_numeric(cleaned.where(~blank, None), errors="coerce")
    bad = ~blank & (values.isna() | ~np.isfinite(values.astype(float)))
    if bad.any():
        raise _bad(path, s, bad.to_numpy(), name, "is not a number")
    if col.kind == "int":
        frac = ~blank & (values.fillna(0) % 1 != 0)
        if frac.any():
            raise _bad(path, s, frac.to_numpy(), name, "is not a whole number")
    out_of_range = ~blank & ((values < col.low) | (values > col.high))
    if out_of_range.any():
        unit = "£" if col.kind == "money" else ""
        raise _bad(path, s, out_of_range.to_numpy(), name,
                   f"is out of range; allowed {unit}{col.low:,.0f} to {unit}{col.high:,.0f}")
    return values.astype(float)


@dataclass(frozen=True)
class Book:
    """A scenario's validated data: placement book, homes, cost survey, population, admissions."""

    placements: pd.DataFrame
    homes: pd.DataFrame
    cost_survey: pd.DataFrame
    population: pd.DataFrame
    admissions: pd.DataFrame


def load_book(scenario: Scenario) -> Book:
    """Load every data file named by the scenario and check them against each other."""
    tables = {kind: read_table(scenario.data_path(kind), kind) for kind in SCHEMAS}
    check_consistency(scenario, tables)
    return Book(**tables)


def check_consistency(scenario: Scenario, t: dict[str, pd.DataFrame]) -> None:
    """Cross-file rules: homes exist, bands exist, fees present where needed, survey categories known."""
    p, h = t["placements"], t["homes"]
    ppath, spath = scenario.data_path("placements"), scenario.data_path("cost_survey")

    def row(idx):  # placements index is 0-based after reading; spreadsheet line = idx + 2
        return f"row {int(idx) + 2}"

    unknown_home = ~p.home_id.isin(h.home_id)
    if unknown_home.any():
        i = p.index[unknown_home.to_numpy()][0]
        raise InputError(ppath, f"{row(i)}, column 'home_id'", f"{p.home_id[i]!r} is not a home in {scenario.data_name("homes")}")
    h_bad = h.closed.notna() & (h.closed < h.opened)
    if h_bad.any():
        i = h.index[h_bad.to_numpy()][0]
        raise InputError(scenario.data_path("homes"), f"{row(i)}, column 'closed'",
                         f"{h.closed[i].date()} is before it opened ({h.opened[i].date()}); closed must be on or after opened")
    hpath = scenario.data_path("homes")
    fy_end = pd.Timestamp(scenario.financial_year + 1, 3, 31)
    fy = scenario.year_label
    over = h.occupied_beds.notna() & (h.occupied_beds > h.beds)
    if over.any():
        i = h.index[over.to_numpy()][0]
        raise InputError(hpath, f"{row(i)}, column 'occupied_beds'",
                         f"{int(h.occupied_beds[i])} occupied beds is more than the home's {int(h.beds[i])} beds")
    for col in ("opened", "closed"):
        late = h[col].notna() & (h[col] > fy_end)
        if late.any():
            i = h.index[late.to_numpy()][0]
            raise InputError(hpath, f"{row(i)}, column {col!r}",
                             f"{h[col][i].date()} is after the end of financial year {fy} ({fy_end.date()}); "
                             f"give the date the home actually {col}, or leave the home out until it has")
    late = p.start_date > fy_end
    if late.any():
        i = p.index[late.to_numpy()][0]
        raise InputError(ppath, f"{row(i)}, column 'start_date'",
                         f"{p.start_date[i].date()} is after the end of financial year {fy} ({fy_end.date()}); "
                         "the book lists placements that have started")
    closed = p.home_id.map(h.set_index("home_id").closed)
    after = closed.notna() & (p.start_date > closed)
    if after.any():
        i = p.index[after.to_numpy()][0]
        raise InputError(ppath, f"{row(i)}, column 'start_date'",
                         f"{p.start_date[i].date()} is after home {p.home_id[i]} closed ({closed[i].date()} in {hpath.name})")
    bands = {b.name: b for b in scenario.bands("current")}
    council = p.funding.eq("council")
    bad_band = council & ~p.band.isin(bands)
    if bad_band.any():
        i = p.index[bad_band.to_numpy()][0]
        raise InputError(ppath, f"{row(i)}, column 'band'",
                         f"{p.band[i]!r} is not a band of {scenario.current_structure}; allowed: {', '.join(bands)}")
    mismatch = council & p.band.map(lambda b: bands[b].setting if b in bands else "").ne(p.setting)
    if mismatch.any():
        i = p.index[mismatch.to_numpy()][0]
        raise InputError(ppath, f"{row(i)}, column 'band'", f"band {p.band[i]!r} is not a {p.setting[i]} band")
    needs_fee = (council | p.funding.eq("chc")) & p.weekly_fee.isna()
    if needs_fee.any():
        i = p.index[needs_fee.to_numpy()][0]
        raise InputError(ppath, f"{row(i)}, column 'weekly_fee'", "is empty; council and CHC placements need the weekly fee paid")
    topup_wrong = ~council & (p.third_party_topup > 0)
    if topup_wrong.any():
        i = p.index[topup_wrong.to_numpy()][0]
        raise InputError(ppath, f"{row(i)}, column 'third_party_topup'", "a top-up is only allowed on a council-funded placement")
    own = p.first_party_topup.fillna(0)
    own_wrong = ~council & (own > 0)
    if own_wrong.any():
        i = p.index[own_wrong.to_numpy()][0]
        raise InputError(ppath, f"{row(i)}, column 'first_party_topup'", "a top-up is only allowed on a council-funded placement")
    both = (own > 0) & (p.third_party_topup > 0)
    if both.any():
        i = p.index[both.to_numpy()][0]
        raise InputError(ppath, f"{row(i)}, column 'first_party_topup'",
                         "has both a family's (third_party_topup) and the resident's own top-up; give the one payer of the top-up")
    fnc_wrong = p.fnc_eligible & p.setting.ne("nursing")
    if fnc_wrong.any():
        i = p.index[fnc_wrong.to_numpy()][0]
        raise InputError(ppath, f"{row(i)}, column 'fnc_eligible'", "FNC is only paid for nursing placements")
    cats = set(scenario.cost_of_care.categories)
    bad_cat = ~t["cost_survey"].category.isin(cats)
    if bad_cat.any():
        i = t["cost_survey"].index[bad_cat.to_numpy()][0]
        raise InputError(spath, f"{row(i)}, column 'category'",
                         f"{t['cost_survey'].category[i]!r} is not a cost_of_care category; allowed: {', '.join(sorted(cats))}")
    dup = t["cost_survey"].duplicated(["home_id", "category", "cost_line"])
    if dup.any():
        i = t["cost_survey"].index[dup.to_numpy()][0]
        raise InputError(spath, row(i), "repeats a home, category and cost line already given")
    for name in ("population", "admissions"):
        d = t[name].duplicated(["year", "age_band"])
        if d.any():
            i = t[name].index[d.to_numpy()][0]
            raise InputError(scenario.data_path(name), row(i), "repeats a year and age band already given")

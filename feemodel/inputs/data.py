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
from .scenario import COST_LINES, DataFile, Scenario

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


# columns several files share
SETTING = Col("choice", choices=("residential", "nursing"))
CLIENT_GROUP = Col("choice", choices=("older", "working_age"))
AREA = Col("choice", choices=("in", "out"))
FUNDING = Col("choice", choices=("council", "self", "chc"))
AGE_BAND = Col("choice", choices=("18-64", "65-74", "75-84", "85+"))
COUNT = Col("int", required=False, absent_ok=True, low=0, high=1_000_000)
# equality characteristics of a placement (optional book columns; blank or "not recorded" where not
# recorded). Primary support reason: the categories of NHS England's Short and Long Term (SALT)
# return and the Adult Social Care Outcomes Framework (ASCOF); memory_cognition includes dementia.
NOT_RECORDED = "not recorded"
PLACEMENT_AGE_BANDS = AGE_BAND.choices  # the bands of the population and admissions files
SEXES = ("female", "male")
SUPPORT_REASONS = ("physical_support", "sensory_support", "memory_cognition", "learning_disability", "mental_health",
                   "social_support")
EQUALITY_COLUMNS = ("age_band", "sex", "primary_support_reason")

SCHEMAS: dict[str, dict[str, Col]] = {
    "placements": {
        "placement_id": Col("id"),
        "home_id": Col("text"),
        "setting": SETTING,
        "client_group": CLIENT_GROUP,
        "area": AREA,
        "funding": FUNDING,
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
        # from a reassessment: the proposed band this placement moves to (overrides band_mapping)
        "proposed_band": Col("text", required=False, absent_ok=True),
        # supplementary hours a week this placement is paid for (replaces its band's supplementary_hours)
        "supplementary_hours": Col("number", required=False, absent_ok=True, low=0, high=168),
        # equality characteristics (optional; for the equality analysis)
        "age_band": Col("choice", required=False, absent_ok=True, choices=(*PLACEMENT_AGE_BANDS, NOT_RECORDED)),
        "sex": Col("choice", required=False, absent_ok=True, choices=(*SEXES, NOT_RECORDED)),
        "primary_support_reason": Col("choice", required=False, absent_ok=True, choices=(*SUPPORT_REASONS, NOT_RECORDED)),
    },
    # the placement book without resident-level rows: a row per band, client group, area and funding
    # type, with the number of placements and their averages (£/week)
    "placement_summary": {
        "band": Col("text", required=False),
        "setting": SETTING,
        "client_group": CLIENT_GROUP,
        "area": AREA,
        "funding": FUNDING,
        "placements": Col("int", low=1, high=1_000_000),
        "average_weekly_fee": Col("money", required=False),
        "average_assessed_contribution": Col("money", required=False),
        "placements_with_topup": COUNT,
        "average_topup": Col("money", required=False, absent_ok=True),
        "fnc_eligible_placements": COUNT,
        "average_provider_price": Col("money", required=False, absent_ok=True),
    },
    "homes": {
        "home_id": Col("id"),
        "home_name": Col("text"),
        "setting": SETTING,
        "area": AREA,
        "locality": Col("choice", choices=("urban", "rural")),
        "beds": Col("int", low=1, high=1000),
        "occupied_beds": Col("int", required=False, low=0, high=1000),
        "private_weekly_price": Col("money"),
        "opened": Col("date"),
        "closed": Col("date", required=False),
        # the cost_of_care category this home's cost comes from (overrides market.cost_category)
        "cost_category": Col("text", required=False, absent_ok=True),
    },
    "cost_survey": {
        "home_id": Col("text"),
        "category": Col("text"),
        "beds": Col("int", low=1, high=1000),
        "occupancy_pct": Col("number", low=1, high=100),
        "cost_line": Col("choice", choices=COST_LINES),
        "amount_prpw": Col("money"),
    },
    # a published summary (Annex A): quartiles per line and category, with the number of homes
    "survey_summary": {
        "category": Col("text"),
        "cost_line": Col("choice", choices=(*COST_LINES, "total")),
        "homes": Col("int", low=1, high=100_000),
        "lower_quartile": Col("money", required=False),
        "median": Col("money"),
        "upper_quartile": Col("money", required=False),
    },
    # other councils' published rates and uplifts (optional; illustrative in the example)
    "comparators": {
        "council": Col("text"),
        "financial_year": Col("int", low=2000, high=2100),
        "band": Col("text"),
        "weekly_rate": Col("money", required=False),
        "uplift_pct": Col("number", required=False, low=-100, high=100),
        "source": Col("text"),
    },
    # the consultation's responses by theme and the council's answer (optional)
    "response_log": {
        "theme": Col("text"),
        "responses": Col("int", low=0, high=1_000_000),
        "council_answer": Col("text"),
    },
    "population": {
        "year": Col("int", low=1990, high=2100),
        "age_band": AGE_BAND,
        "population": Col("int", low=1, high=100_000_000),
        "kind": Col("choice", choices=("estimate", "projection")),
    },
    "admissions": {
        "year": Col("int", low=1990, high=2100),
        "age_band": AGE_BAND,
        "admissions": Col("int", low=0, high=10_000_000),
    },
}

_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
MAX_XLSX_BYTES = 200_000_000


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; anything but a regular file (a folder, a FIFO, a device) is refused."""
    return read_regular_file(path, "a CSV or .xlsx file", missing="data file not found")


def _read_text(path: Path) -> str:
    raw = _read_bytes(path)
    if not raw.strip():
        raise InputError(path, None, "file is empty; expected a header row (and data rows, if any)")
    if raw[:4] == b"PK\x03\x04":
        raise InputError(path, None, "is an Excel workbook, not CSV; name it .xlsx (and give sheet: in the scenario) "
                         "or save it as 'CSV UTF-8'")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(path, f"line {line}", "not UTF-8 text; save the CSV as UTF-8 (Excel: 'CSV UTF-8')") from None


def _csv_rows(path: Path) -> list[list[str]]:
    text = _read_text(path)
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError(path, None, f"not a readable CSV file: {exc}") from None


def _cell_text(value) -> str:
    """An Excel cell as the text a CSV export would hold: dates as YYYY-MM-DD, whole numbers
    without '.0', booleans as true/false, empty cells as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            return value.isoformat(sep=" ")
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if not np.isfinite(value):
            return str(value)
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _xlsx_rows(path: Path, sheet: str | None) -> list[list[str]]:
    """The rows of one sheet of an .xlsx workbook as text (values, not formulas: a formula cell gives
    the value Excel last calculated)."""
    import zipfile

    from openpyxl import load_workbook

    raw = read_regular_file(path, "a CSV or .xlsx file", missing="data file not found", limit=MAX_XLSX_BYTES)
    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise InputError(path, None, f"not a readable Excel workbook ({type(exc).__name__}); save it as .xlsx from Excel") from None
    try:
        names = wb.sheetnames
        if sheet is None:
            if len(names) != 1:
                raise InputError(path, None, f"has {len(names)} sheets ({', '.join(names)}); say which under sheet: in the scenario")
            sheet = names[0]
        if sheet not in names:
            raise InputError(path, f"sheet {sheet!r}", f"no such sheet; the workbook has: {', '.join(names)}")
        rows = [[_cell_text(v) for v in r] for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()
    width = max((i + 1 for r in rows for i, v in enumerate(r) if v.strip()), default=0)
    return [r[:width] + [""] * (width - len(r[:width])) for r in rows]


def is_excel(path: Path) -> bool:
    return path.suffix.lower() in EXCEL_SUFFIXES


def read_rows(path: Path, spec: DataFile | None = None) -> list[list[str]]:
    """Every non-blank row of a CSV file or an Excel sheet, as text (header first)."""
    sheet = spec.sheet if spec is not None else None
    if is_excel(path):
        rows = _xlsx_rows(path, sheet)
    else:
        if sheet is not None:
            raise InputError(path, None, f"sheet {sheet!r} is given but the file is not an Excel workbook (.xlsx)")
        if path.suffix.lower() == ".xls":
            raise InputError(path, None, "old Excel .xls files are not read; save it as .xlsx or as 'CSV UTF-8'")
        rows = _csv_rows(path)
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError(path, None, "file is empty; expected a header row (and data rows, if any)")
    return rows


def raw_frame(path: Path, rows: list[list[str]], spec: DataFile | None, allowed: list[str] | None,
              where: str, source=None) -> tuple[pd.DataFrame, dict[str, str]]:
    """The rows as a frame of stripped strings (index = spreadsheet line numbers, header = line 1),
    with the council's column names and codes mapped onto the toolkit's.

    Returns (frame, names): ``names`` maps each toolkit column to the council's column name, so
    errors name the column the council knows. ``allowed`` (toolkit column names) checks the
    scenario's column map; ``where`` is the scenario key of the file (``data.placements``)."""
    header = [h.strip() for h in rows[0]]
    seen = set()
    for h in header:
        if h in seen:
            raise InputError(path, f"column {h!r}", "appears more than once in the header; each column once")
        seen.add(h)
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
    columns = dict(spec.columns) if spec is not None else {}
    codes = dict(spec.codes) if spec is not None else {}
    if allowed is not None:
        for theirs, ours in columns.items():
            if ours not in allowed:
                near = difflib.get_close_matches(ours, allowed, n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                raise InputError(source or path, f"{where}.columns.{theirs}",
                                 f"{ours!r} is not a column of this file{hint}; allowed: {', '.join(allowed)}")
        for ours in codes:
            if ours not in allowed:
                raise InputError(source or path, f"{where}.codes.{ours}", f"{ours!r} is not a column of this file; "
                                 f"allowed: {', '.join(allowed)}")
    targets = [columns.get(h, h) for h in header]
    clash = [t for t in set(targets) if targets.count(t) > 1]
    if clash:
        from_ = [h for h in header if columns.get(h, h) == clash[0]]
        raise InputError(path, f"column {clash[0]!r}", f"given twice (columns {', '.join(repr(f) for f in from_)}); map one column to it")
    names = {columns.get(h, h): h for h in header}
    frame = pd.DataFrame([[c.strip() for c in r] for r in rows[1:]], columns=targets, dtype=object)
    frame.index = pd.RangeIndex(2, 2 + len(frame))  # spreadsheet line numbers
    for ours, mapping in codes.items():
        if ours in frame:
            lookup = {str(k).strip().lower(): v for k, v in mapping.items()}
            frame[ours] = [lookup.get(v.lower(), v) if isinstance(v, str) else v for v in frame[ours]]
    return frame, names


def validate_frame(path: Path, frame: pd.DataFrame, schema: dict[str, Col], names: dict[str, str] | None = None,
                   origin: pd.Series | None = None, keep_index: bool = False) -> pd.DataFrame:
    """Check a frame of strings against ``schema`` and convert it (numbers, dates, booleans).

    ``names``: {toolkit column: the council's column} for messages. ``origin``: for a frame made
    from another form (a wide survey), the council's column each row's amounts came from. Returns
    the frame with the schema's columns in order, index from 0 (or the spreadsheet line numbers,
    with ``keep_index``)."""
    names = names or {}
    for h in frame.columns:
        if h not in schema:
            near = difflib.get_close_matches(h, schema, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            shown = names.get(h, h)
            mapped = f" (mapped to {h!r})" if shown != h else ""
            raise InputError(path, f"column {shown!r}", f"unknown column{mapped}{hint}; allowed: {', '.join(schema)}")
    missing = [c for c in schema if c not in frame.columns and not schema[c].absent_ok]
    if missing:
        raise InputError(path, f"column {missing[0]!r}", f"missing; the file needs columns: {', '.join(c for c in schema if not schema[c].absent_ok)}"
                         + (" (map the council's own column names under columns: in the scenario)" if names else ""))
    frame = frame.copy()
    for name in schema:
        if name not in frame:
            frame[name] = ""
    out = {}
    for name, col in schema.items():
        out[name] = _convert(path, frame[name].astype(object).fillna(""), names.get(name, name), col, origin)
    result = pd.DataFrame(out, index=frame.index)[list(schema)]
    for name, col in schema.items():
        if col.kind == "id":
            dup = result[name][result[name].duplicated(keep="first")]
            if len(dup):
                first = dup.index[0]
                raise InputError(path, f"row {first}, column {names.get(name, name)!r}",
                                 f"duplicate id {dup.iloc[0]!r}; each {name} must be unique")
    if not keep_index:
        result = result.reset_index(drop=True)
    result.attrs["names"] = dict(names)
    return result


def read_table(path: Path, kind: str, spec: DataFile | None = None, where: str | None = None, source=None) -> pd.DataFrame:
    """Read one data file of a known kind (CSV or an .xlsx sheet), map the council's column names
    and codes, and validate it against :data:`SCHEMAS`. A header with no rows is an empty table.
    ``source`` (the scenario file) is named by errors in the scenario's column map."""
    schema = SCHEMAS[kind]
    rows = read_rows(path, spec)
    frame, names = raw_frame(path, rows, spec, list(schema), where or f"data.{kind}", source)
    return validate_frame(path, frame, schema, names)


def _char_name(ch: str) -> str:
    names = {"\t": "tab", "\n": "line break", "\r": "carriage return", "\x0b": "vertical tab", "\x0c": "form feed",
             "\x00": "NUL", "\u2028": "line separator", "\u2029": "paragraph separator"}
    return names.get(ch, f"U+{ord(ch):04X}")


def _excerpt(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "...")


def _at(series: pd.Series, pos: int, name: str, origin: pd.Series | None) -> str:
    """'row N, column X' for the value at position ``pos`` (X: the council's column it came from)."""
    column = origin.iloc[pos] if origin is not None else name
    return f"row {series.index[pos]}, column {column!r}"


def _bad(path, series, mask, name, what, origin=None):
    pos = int(np.argmax(mask))
    return InputError(path, _at(series, pos, name, origin), f"{_excerpt(series.iloc[pos])} {what}")


def _convert(path: Path, s: pd.Series, name: str, col: Col, origin: pd.Series | None = None) -> pd.Series:
    blank = s.eq("")
    if col.required and blank.any():
        raise InputError(path, _at(s, int(np.argmax(blank.to_numpy())), name, origin), "is empty; a value is required")
    if col.kind in ("id", "text"):
        return s.where(~blank, "")
    if col.kind == "choice":
        bad = ~blank & ~s.isin(col.choices)
        if bad.any():
            raise _bad(path, s, bad.to_numpy(), name, f"is not allowed; use one of: {', '.join(col.choices)}", origin)
        return s.where(~blank, "")
    if col.kind == "bool":
        low = s.str.lower()
        bad = ~low.isin(_TRUE | _FALSE)
        if bad.any():
            raise _bad(path, s, bad.to_numpy(), name, "is not true/false", origin)
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
            raise _bad(path, s, bad.to_numpy(), name, what, origin)
        outside = ~blank & ((parsed < MIN_DATE) | (parsed > MAX_DATE))
        if outside.any():
            raise _bad(path, s, outside.to_numpy(), name, "is out of range; allowed 1900-01-01 to 2100-12-31", origin)
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
            raise _bad(path, s, malformed.to_numpy(), name, f"is not a number: {hint}", origin)
    cleaned = s.str.replace(",", "", regex=False).str.replace("£", "", regex=False)
    values = pd.to_numeric(cleaned.where(~blank, None), errors="coerce")
    bad = ~blank & (values.isna() | ~np.isfinite(values.astype(float)))
    if bad.any():
        raise _bad(path, s, bad.to_numpy(), name, "is not a number", origin)
    if col.kind == "int":
        frac = ~blank & (values.fillna(0) % 1 != 0)
        if frac.any():
            raise _bad(path, s, frac.to_numpy(), name, "is not a whole number", origin)
    out_of_range = ~blank & ((values < col.low) | (values > col.high))
    if out_of_range.any():
        unit = "£" if col.kind == "money" else ""
        raise _bad(path, s, out_of_range.to_numpy(), name,
                   f"is out of range; allowed {unit}{col.low:,.0f} to {unit}{col.high:,.0f}", origin)
    return values.astype(float)


@dataclass(frozen=True)
class Book:
    """A scenario's validated data. Every file is optional: a file not given is None, a file with a
    header and no rows is an empty table.

    ``placements``: one row per placement, read from the resident-level book or expanded from a
    ``placement_summary`` (``from_summary`` is then true: each summary row becomes that many
    placements at the row's average fee, contribution and top-up, with no home or start date).
    ``cost_survey``: per-home rows in the long form (read from the long, wide or DHSC form).
    ``survey_published``: a published summary of a survey (quartiles per line and category), with
    no homes behind it."""

    placements: pd.DataFrame | None = None
    homes: pd.DataFrame | None = None
    cost_survey: pd.DataFrame | None = None
    population: pd.DataFrame | None = None
    admissions: pd.DataFrame | None = None
    survey_published: pd.DataFrame | None = None
    from_summary: bool = False
    comparators: pd.DataFrame | None = None
    response_log: pd.DataFrame | None = None


def _read_survey(scenario: Scenario, path: Path, spec: DataFile) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(long-form survey rows, published summary): one of them, from the survey's ``form``:
    ``long`` as it is; ``wide`` and ``dhsc_2022`` turned into the long form (DHSC sub-lines added up
    per home and toolkit line, see :mod:`feemodel.inputs.survey_forms`); ``summary`` validated as a
    published summary."""
    from . import survey_forms

    if spec.form == "long":
        return read_table(path, "cost_survey", spec, "data.cost_survey", scenario.path), None
    rows = read_rows(path, spec)
    if spec.form == "summary":
        schema = SCHEMAS["survey_summary"]
        frame, names = raw_frame(path, rows, spec, list(schema), "data.cost_survey", scenario.path)
        published = validate_frame(path, frame, schema, names, keep_index=True)
        survey_forms.check_summary(published, path)
        return None, published.reset_index(drop=True)
    frame, names = raw_frame(path, rows, spec, None, "data.cost_survey", scenario.path)
    if spec.form == "wide":
        long = survey_forms.wide_to_long(frame, path)
    else:
        line_map = survey_forms.load_line_map(scenario.folder / spec.line_map if spec.line_map else None)
        long = survey_forms.dhsc_to_long(frame, line_map, path)
    origin = long.pop("source_column").map(lambda c: names.get(c, c))
    sub = long.pop("dhsc_key") if "dhsc_key" in long else None
    rows_ok = validate_frame(path, long, SCHEMAS["cost_survey"], names, origin, keep_index=True)
    if sub is not None:
        rows_ok = survey_forms.sum_sublines(rows_ok, path)
    out = rows_ok.reset_index(drop=True)
    out.attrs["names"] = dict(names)
    return out, None


def expand_summary(path: Path, summary: pd.DataFrame) -> pd.DataFrame:
    """A placement book of one row per placement from a summary of counts and averages (£/week).

    Each summary row becomes ``placements`` identical placements: the average weekly fee (council
    and CHC rows), the average assessed contribution (council rows; used as given, not
    re-assessed), a top-up of ``average_topup`` on the first ``placements_with_topup`` of them, FNC
    on the first ``fnc_eligible_placements`` (nursing), and the average provider price (self-funded
    rows). Averages are rounded to the penny per placement, so totals can differ from count x
    average by under half a penny a placement. A figure a row's funding type needs is required."""
    def where(i, col):
        return f"row {int(i) + 2}, column {col!r}"

    need = {"council": ("band", "average_weekly_fee", "average_assessed_contribution"), "chc": ("average_weekly_fee",),
            "self": ("average_provider_price",)}
    for i, r in summary.iterrows():
        for col in need[r.funding]:
            if (col == "band" and not r[col]) or (col != "band" and pd.isna(r[col])):
                raise InputError(path, where(i, col), f"is empty; a {r.funding} row needs {', '.join(need[r.funding])}")
        tops = 0 if pd.isna(r.placements_with_topup) else int(r.placements_with_topup)
        if tops and r.funding != "council":
            raise InputError(path, where(i, "placements_with_topup"), "a top-up is only allowed on council-funded placements")
        if tops > r.placements:
            raise InputError(path, where(i, "placements_with_topup"), f"{tops} is more than the row's {int(r.placements)} placements")
        if tops and pd.isna(r.average_topup):
            raise InputError(path, where(i, "average_topup"), "is empty; rows with top-ups need the average weekly top-up")
        fnc = 0 if pd.isna(r.fnc_eligible_placements) else int(r.fnc_eligible_placements)
        if fnc and r.setting != "nursing":
            raise InputError(path, where(i, "fnc_eligible_placements"), "FNC is only paid for nursing placements")
        if fnc > r.placements:
            raise InputError(path, where(i, "fnc_eligible_placements"), f"{fnc} is more than the row's {int(r.placements)} placements")
    n = summary.placements.astype(int).to_numpy()
    rep = summary.loc[summary.index.repeat(n)].reset_index()
    j = rep.groupby("index").cumcount().to_numpy()
    line = rep["index"].to_numpy() + 2
    tops = rep.placements_with_topup.fillna(0).to_numpy()
    fnc = rep.fnc_eligible_placements.fillna(0).to_numpy()
    council, self_f = rep.funding.eq("council").to_numpy(), rep.funding.eq("self").to_numpy()
    book = pd.DataFrame({
        "placement_id": [f"S{a}-{b + 1}" for a, b in zip(line, j, strict=True)],
        "home_id": "",
        "setting": rep.setting, "client_group": rep.client_group, "area": rep.area, "funding": rep.funding,
        "band": rep.band.where(council, ""),
        "weekly_fee": rep.average_weekly_fee.where(~self_f),
        "provider_price": rep.average_provider_price.where(self_f, rep.average_weekly_fee).fillna(0.0),
        "weekly_income": 0.0, "capital": 0.0,
        "assessed_contribution": rep.average_assessed_contribution.where(council),
        "third_party_topup": np.where(council & (j < tops), rep.average_topup.fillna(0.0), 0.0),
        "first_party_topup": np.nan,
        "fnc_eligible": j < fnc,
        "start_date": pd.Series(pd.NaT, index=rep.index, dtype="datetime64[ns]"),
        "proposed_band": "",
        "supplementary_hours": np.nan,
        **dict.fromkeys(EQUALITY_COLUMNS, ""),   # a summary records no equality characteristics
    })
    book = book[list(SCHEMAS["placements"])]
    book.attrs["names"] = dict(summary.attrs.get("names", {}))
    return book


def load_book(scenario: Scenario) -> Book:
    """Load every data file the scenario gives and check them against each other."""
    tables: dict = {}
    for kind in scenario.data.given():
        path, spec = scenario.data_path(kind), scenario.data.spec(kind)
        if kind == "cost_survey":
            tables["cost_survey"], tables["survey_published"] = _read_survey(scenario, path, spec)
        elif kind == "placement_summary":
            tables["placements"] = expand_summary(path, read_table(path, kind, spec, source=scenario.path))
            tables["from_summary"] = True
        else:
            tables[kind] = read_table(path, kind, spec, source=scenario.path)
    check_consistency(scenario, tables)
    return Book(**tables)


def _name(frame: pd.DataFrame, column: str) -> str:
    """The council's name for a toolkit column of a frame read by :func:`read_table`."""
    return frame.attrs.get("names", {}).get(column, column)


def check_consistency(scenario: Scenario, t: dict[str, pd.DataFrame]) -> None:
    """Cross-file rules, for the files given: homes exist, bands exist, fees present where needed,
    survey categories known, no repeated years."""
    p, h = t.get("placements"), t.get("homes")
    from_summary = t.get("from_summary", False)
    ppath = scenario.data_path("placement_summary" if from_summary else "placements")
    spath = scenario.data_path("cost_survey")
    fy_end = pd.Timestamp(scenario.financial_year + 1, 3, 31)
    fy = scenario.year_label

    def row(idx, frame=None):  # index is 0-based after reading; spreadsheet line = idx + 2
        if frame is p and from_summary:  # an expanded summary: placement ids are S<line>-<n>
            return f"row {p.placement_id[idx][1:].split('-')[0]}"
        return f"row {int(idx) + 2}"

    def at(frame, i, column):
        return f"{row(i, frame)}, column {_name(frame, column)!r}"

    if h is not None:
        hpath = scenario.data_path("homes")
        h_bad = h.closed.notna() & (h.closed < h.opened)
        if h_bad.any():
            i = h.index[h_bad.to_numpy()][0]
            raise InputError(hpath, at(h, i, "closed"),
                             f"{h.closed[i].date()} is before it opened ({h.opened[i].date()}); closed must be on or after opened")
        over = h.occupied_beds.notna() & (h.occupied_beds > h.beds)
        if over.any():
            i = h.index[over.to_numpy()][0]
            raise InputError(hpath, at(h, i, "occupied_beds"),
                             f"{int(h.occupied_beds[i])} occupied beds is more than the home's {int(h.beds[i])} beds")
        for col in ("opened", "closed"):
            late = h[col].notna() & (h[col] > fy_end)
            if late.any():
                i = h.index[late.to_numpy()][0]
                raise InputError(hpath, at(h, i, col),
                                 f"{h[col][i].date()} is after the end of financial year {fy} ({fy_end.date()}); "
                                 f"give the date the home actually {col}, or leave the home out until it has")
        cats = scenario.cost_of_care.categories
        given = h.cost_category.ne("")
        unknown = given & ~h.cost_category.isin(cats)
        if unknown.any():
            i = h.index[unknown.to_numpy()][0]
            raise InputError(hpath, at(h, i, "cost_category"),
                             f"{h.cost_category[i]!r} is not a cost_of_care category; allowed: {', '.join(sorted(cats)) or '(none defined)'}")
        wrong = given & ~unknown & h.cost_category.map(lambda c: cats[c].setting if c in cats else "").ne(h.setting)
        if wrong.any():
            i = h.index[wrong.to_numpy()][0]
            raise InputError(hpath, at(h, i, "cost_category"), f"category {h.cost_category[i]!r} is not a {h.setting[i]} category")
    if p is not None:
        late = p.start_date > fy_end   # never true in a summary (no start dates)
        if late.any():
            i = p.index[late.to_numpy()][0]
            raise InputError(ppath, at(p, i, "start_date"),
                             f"{p.start_date[i].date()} is after the end of financial year {fy} ({fy_end.date()}); "
                             "the book lists placements that have started")
        if h is not None and not from_summary:
            unknown_home = ~p.home_id.isin(h.home_id)
            if unknown_home.any():
                i = p.index[unknown_home.to_numpy()][0]
                raise InputError(ppath, at(p, i, "home_id"), f"{p.home_id[i]!r} is not a home in {scenario.data_name('homes')}")
            closed = p.home_id.map(h.set_index("home_id").closed)
            after = closed.notna() & (p.start_date > closed)
            if after.any():
                i = p.index[after.to_numpy()][0]
                raise InputError(ppath, at(p, i, "start_date"),
                                 f"{p.start_date[i].date()} is after home {p.home_id[i]} closed ({closed[i].date()} in "
                                 f"{scenario.data_name('homes')})")
        bands = {b.name: b for b in scenario.bands("current")}
        council = p.funding.eq("council")
        bad_band = council & ~p.band.isin(bands)
        if bad_band.any():
            i = p.index[bad_band.to_numpy()][0]
            raise InputError(ppath, at(p, i, "band"),
                             f"{p.band[i]!r} is not a band of {scenario.current_structure}; allowed: {', '.join(bands)}"
                             " (map the council's own band names under codes: in the scenario)")
        mismatch = council & p.band.map(lambda b: bands[b].setting if b in bands else "").ne(p.setting)
        if mismatch.any():
            i = p.index[mismatch.to_numpy()][0]
            raise InputError(ppath, at(p, i, "band"), f"band {p.band[i]!r} is not a {p.setting[i]} band")
        proposed = {b.name: b for b in scenario.bands("proposed")}
        named = p.proposed_band.ne("")
        bad = named & ~p.proposed_band.isin(proposed)
        if bad.any():
            i = p.index[bad.to_numpy()][0]
            raise InputError(ppath, at(p, i, "proposed_band"),
                             f"{p.proposed_band[i]!r} is not a band of {scenario.proposed_structure}; allowed: {', '.join(proposed)}")
        bad = named & ~council
        if bad.any():
            i = p.index[bad.to_numpy()][0]
            raise InputError(ppath, at(p, i, "proposed_band"), "only council-funded placements move to a proposed band")
        bad = named & p.proposed_band.map(lambda b: proposed[b].setting if b in proposed else "").ne(p.setting)
        if bad.any():
            i = p.index[bad.to_numpy()][0]
            raise InputError(ppath, at(p, i, "proposed_band"), f"band {p.proposed_band[i]!r} is not a {p.setting[i]} band")
        needs_fee = (council | p.funding.eq("chc")) & p.weekly_fee.isna()
        if needs_fee.any():
            i = p.index[needs_fee.to_numpy()][0]
            raise InputError(ppath, at(p, i, "weekly_fee"), "is empty; council and CHC placements need the weekly fee paid")
        topup_wrong = ~council & (p.third_party_topup > 0)
        if topup_wrong.any():
            i = p.index[topup_wrong.to_numpy()][0]
            raise InputError(ppath, at(p, i, "third_party_topup"), "a top-up is only allowed on a council-funded placement")
        own = p.first_party_topup.fillna(0)
        own_wrong = ~council & (own > 0)
        if own_wrong.any():
            i = p.index[own_wrong.to_numpy()][0]
            raise InputError(ppath, at(p, i, "first_party_topup"), "a top-up is only allowed on a council-funded placement")
        both = (own > 0) & (p.third_party_topup > 0)
        if both.any():
            i = p.index[both.to_numpy()][0]
            raise InputError(ppath, at(p, i, "first_party_topup"),
                             "has both a family's (third_party_topup) and the resident's own top-up; give the one payer of the top-up")
        fnc_wrong = p.fnc_eligible & p.setting.ne("nursing")
        if fnc_wrong.any():
            i = p.index[fnc_wrong.to_numpy()][0]
            raise InputError(ppath, at(p, i, "fnc_eligible"), "FNC is only paid for nursing placements")
    cats = set(scenario.cost_of_care.categories)
    for key in ("cost_survey", "survey_published"):
        sv = t.get(key)
        if sv is None:
            continue
        bad_cat = ~sv.category.isin(cats)
        if bad_cat.any():
            i = sv.index[bad_cat.to_numpy()][0]
            raise InputError(spath, at(sv, i, "category"),
                             f"{sv.category[i]!r} is not a cost_of_care category; allowed: {', '.join(sorted(cats)) or '(none defined)'}"
                             " (map the council's own category names under codes: in the scenario)")
        keys = ["home_id", "category", "cost_line"] if key == "cost_survey" else ["category", "cost_line"]
        dup = sv.duplicated(keys)
        if dup.any():
            i = sv.index[dup.to_numpy()][0]
            what = "a home, category and cost line" if key == "cost_survey" else "a category and cost line"
            raise InputError(spath, row(i, sv), f"repeats {what} already given")
    for name in ("population", "admissions"):
        if t.get(name) is None:
            continue
        d = t[name].duplicated(["year", "age_band"])
        if d.any():
            i = t[name].index[d.to_numpy()][0]
            raise InputError(scenario.data_path(name), row(i, t[name]), "repeats a year and age band already given")

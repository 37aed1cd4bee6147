"""Cost survey forms: turn a council's survey, in the form it has it, into the toolkit's long form.

The long form (``SCHEMAS["cost_survey"]`` in :mod:`feemodel.inputs.data`) has a row per home,
category and toolkit cost line: home_id, category, beds, occupancy_pct, cost_line, amount_prpw
(£ per resident per week). The functions here work on frames of *strings* read from a CSV or
an Excel sheet after the council's column names are applied; the frame's index is the spreadsheet
line number of each row (header = line 1). Their output is strings too, for data.py to validate,
with a ``source_column`` naming the council's column (or template line) each amount came from, so
that an error in an amount can name it. The index of the output repeats the input's line numbers.

Rules:

* **wide** (:func:`wide_to_long`): id columns home_id, category, beds, occupancy_pct and a column per
  toolkit line (any subset of :data:`TOOLKIT_LINES`). A blank cell means the home gave no figure for
  that line: no row (not £0). Any other column is an error listing the allowed names.
* **dhsc_2022** (:func:`dhsc_to_long`): the DHSC 2022 cost of care template's lines and sub-lines,
  either wide (a column per template line) or long (a ``dhsc_line`` column and an ``amount_prpw``
  column). Each template line maps to a toolkit line by :func:`load_line_map` (the shipped mapping
  ``params/mappings/dhsc_2022_cost_lines.yaml``, optionally overridden line by line). Labels match
  ignoring case and spaces (and by the mapping's short key); any other wording is an error, never a
  guess. The template's subtotals (``toolkit_line: total``) are recognised and left out. Sub-lines
  mapped to the same toolkit line are added per home by :func:`sum_sublines`, after data.py has
  validated each amount (so an error names the sub-line's own column and row).
* **summary**: a published summary (:data:`SUMMARY_COLUMNS`), checked by :func:`check_summary`.

Pure functions; no model imports (the inputs layer sits below the model).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..errors import InputError
from ..money import pounds
from ..paths import params_dir
from .files import read_regular_file
from .scenario import COST_LINES

# The eight toolkit cost lines, in the toolkit's order (the scenario schema's list)
TOOLKIT_LINES = COST_LINES
ID_COLUMNS = ("home_id", "category", "beds", "occupancy_pct")
LONG_COLUMNS = (*ID_COLUMNS, "cost_line", "amount_prpw")
TOTAL = "total"  # a template subtotal: recognised, left out

# The published-summary form: a row per category and line (or "total"); £ per resident per week.
# Schema wanted in data.py:  category text; cost_line choice (TOOLKIT_LINES + "total");
# homes int (1 to 10,000); lower_quartile, median, upper_quartile money.
SUMMARY_COLUMNS = ("category", "cost_line", "homes", "lower_quartile", "median", "upper_quartile")
SUMMARY_LINES = (*TOOLKIT_LINES, TOTAL)


def shipped_line_map_path() -> Path:
    """The shipped DHSC 2022 mapping: ``params/mappings/dhsc_2022_cost_lines.yaml``."""
    return params_dir() / "mappings" / "dhsc_2022_cost_lines.yaml"


def normalise_label(text) -> str:
    """A label as compared: all whitespace removed, case folded ("Chefs / Cooks" == "chefs/cooks")."""
    return "".join(str(text).split()).casefold()


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == ""


# ---- the DHSC line map

_ENTRY_FIELDS = {"label", "aliases", "toolkit_line", "reference"}


def _read_map_file(path: Path) -> dict:
    raw = read_regular_file(path, "a YAML file", missing="line map not found")
    try:
        data = yaml.safe_load(raw.decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(path, None, f"not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict) or not isinstance(data.get("lines"), dict) or not data["lines"]:
        raise InputError(path, "lines", "missing; a line map has 'lines:', a mapping of keys to "
                         "{label, aliases, toolkit_line, reference}")
    return data


def _parse_entry(path: Path, key, entry) -> dict:
    where = f"lines.{key}"
    if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", key):
        raise InputError(path, where, "a key is a short snake_case name (letters, digits, _)")
    if not isinstance(entry, dict):
        raise InputError(path, where, "must be a mapping with label, toolkit_line and reference")
    unknown = set(entry) - _ENTRY_FIELDS
    if unknown:
        raise InputError(path, f"{where}.{sorted(unknown)[0]}", f"unknown field; allowed: {', '.join(sorted(_ENTRY_FIELDS))}")
    label = entry.get("label")
    if not isinstance(label, str) or not label.strip():
        raise InputError(path, f"{where}.label", "missing; the template's wording of the line")
    line = entry.get("toolkit_line")
    if line not in (*TOOLKIT_LINES, TOTAL):
        raise InputError(path, f"{where}.toolkit_line", f"{line!r} is not a toolkit line; allowed: "
                         f"{', '.join(TOOLKIT_LINES)}, or total (a subtotal, left out)")
    aliases = entry.get("aliases", []) or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise InputError(path, f"{where}.aliases", "must be a list of wordings")
    reference = entry.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        raise InputError(path, f"{where}.reference", "missing; say where the line is in the template")
    return {"label": label.strip(), "aliases": [a.strip() for a in aliases], "toolkit_line": line,
            "reference": reference.strip(), "source": str(path)}


def load_line_map(path: str | Path | None = None, shipped: str | Path | None = None) -> dict[str, dict]:
    """The DHSC 2022 line map: {key: {label, aliases, toolkit_line, reference, source}}.

    Reads the shipped mapping (``shipped``, default :func:`shipped_line_map_path`) and, if ``path``
    is given, an override file of the same format: its entries replace the shipped ones key by key
    (a new key adds a line). ``toolkit_line`` is one of :data:`TOOLKIT_LINES` or ``total`` (a
    template subtotal, left out). Errors (:class:`InputError`, naming the file and ``lines.<key>``):
    a field missing or unknown, an unknown toolkit line, or two entries whose labels, aliases or keys
    read the same ignoring case and spaces.
    """
    shipped = Path(shipped) if shipped else shipped_line_map_path()
    entries = {k: _parse_entry(shipped, k, v) for k, v in _read_map_file(shipped)["lines"].items()}
    if path is not None:
        path = Path(path)
        entries.update({k: _parse_entry(path, k, v) for k, v in _read_map_file(path)["lines"].items()})
    seen: dict[str, str] = {}
    for key, e in entries.items():
        for word in {normalise_label(w) for w in (key, e["label"], *e["aliases"])}:
            if word in seen and seen[word] != key:
                raise InputError(e["source"], f"lines.{key}", f"reads the same as lines.{seen[word]} ignoring case and "
                                 "spaces; each wording may name one line only")
            seen[word] = key
    return entries


def _lookup(line_map: dict[str, dict]) -> dict[str, str]:
    """{normalised wording: key} over every key, label and alias."""
    out = {}
    for key, e in line_map.items():
        for word in (key, e["label"], *e["aliases"]):
            out[normalise_label(word)] = key
    return out


# ---- forms

def _strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells as stripped strings, NaN/None as ''."""
    return frame.apply(lambda s: s.map(lambda v: "" if _blank(v) else str(v).strip()))


def _need_ids(frame: pd.DataFrame, path, extra: tuple[str, ...] = ()) -> None:
    for name in (*ID_COLUMNS, *extra):
        if name not in frame.columns:
            raise InputError(path, f"column {name!r}", f"missing; the file needs columns {', '.join((*ID_COLUMNS, *extra))}")


def _check_unique_homes(frame: pd.DataFrame, path) -> None:
    dup = frame.duplicated(["home_id", "category"], keep="first")
    if dup.any():
        line = frame.index[dup.to_numpy()][0]
        first = frame.index[(frame.home_id == frame.home_id[line]) & (frame.category == frame.category[line])][0]
        raise InputError(path, f"row {line}", f"home {frame.home_id[line]!r}, category {frame.category[line]!r} "
                         f"appears again (first on row {first}); give each home and category one row")


def _melt(frame: pd.DataFrame, columns: dict[str, str], path) -> pd.DataFrame:
    """{input column: toolkit line} -> long rows (strings), blank cells dropped, index = line numbers."""
    records, index = [], []
    for line_no, row in frame.iterrows():
        for col, line in columns.items():
            value = row[col]
            if value == "":
                continue
            records.append({**{c: row[c] for c in ID_COLUMNS}, "cost_line": line, "amount_prpw": value,
                            "source_column": col})
            index.append(line_no)
    return pd.DataFrame(records, index=pd.Index(index, dtype="int64"),
                        columns=[*LONG_COLUMNS, "source_column"])


def wide_to_long(frame: pd.DataFrame, path: str | Path | None = None) -> pd.DataFrame:
    """A wide survey (a row per home and category, a column per toolkit line) in the long form.

    Input: columns home_id, category, beds, occupancy_pct and one column per toolkit line (any
    subset of :data:`TOOLKIT_LINES`, at least one), cells as strings. Output: columns home_id,
    category, beds, occupancy_pct, cost_line, amount_prpw, source_column (all strings), a row per
    non-blank line cell, in input order then column order; the index repeats the input's line
    numbers. A blank cell is no figure (no row, not £0). Errors (:class:`InputError` naming
    ``path``): a column that is neither an id column nor a toolkit line (listing the allowed names),
    a missing id column, no line column, a home and category on two rows.
    """
    frame = _strings(frame)
    allowed = (*ID_COLUMNS, *TOOLKIT_LINES)
    for col in frame.columns:
        if col not in allowed:
            raise InputError(path, f"column {col!r}", f"unknown column; a wide survey has {', '.join(ID_COLUMNS)} "
                             f"and a column per cost line: {', '.join(TOOLKIT_LINES)}")
    _need_ids(frame, path)
    lines = [c for c in frame.columns if c in TOOLKIT_LINES]
    if not lines:
        raise InputError(path, None, f"no cost line columns; a wide survey has a column per cost line: {', '.join(TOOLKIT_LINES)}")
    _check_unique_homes(frame, path)
    return _melt(frame, {c: c for c in lines}, path)


def dhsc_to_long(frame: pd.DataFrame, line_map: dict[str, dict], path: str | Path | None = None) -> pd.DataFrame:
    """A survey in the DHSC 2022 template's lines, in the long form with one row per sub-line given.

    Two layouts, told apart by a ``dhsc_line`` column:

    * wide: columns home_id, category, beds, occupancy_pct and a column per template line (its
      label, an alias or its key from ``line_map``);
    * long: columns home_id, category, beds, occupancy_pct, dhsc_line, amount_prpw.

    Labels match ignoring case and spaces; anything else is an :class:`InputError` listing the
    wordings allowed. Subtotals (``toolkit_line: total``) are left out. Blank amounts are no figure
    (no row). Output (strings): home_id, category, beds, occupancy_pct, cost_line (the toolkit line),
    amount_prpw, source_column (the column or dhsc_line value as written), dhsc_key; the index
    repeats the input's line numbers. Sub-lines are *not* added here: validate the amounts, then
    call :func:`sum_sublines`.
    """
    frame = _strings(frame)
    words = _lookup(line_map)
    allowed_words = "; ".join(e["label"] for e in line_map.values())

    def key_of(text, where):
        key = words.get(normalise_label(text))
        if key is None:
            raise InputError(path, where, f"{text!r} is not a line of the DHSC 2022 template (nor of the line map); "
                             f"lines: {allowed_words}")
        return key

    if "dhsc_line" in frame.columns:
        for col in frame.columns:
            if col not in (*ID_COLUMNS, "dhsc_line", "amount_prpw"):
                raise InputError(path, f"column {col!r}", "unknown column; a long DHSC survey has "
                                 f"{', '.join((*ID_COLUMNS, 'dhsc_line', 'amount_prpw'))}")
        _need_ids(frame, path, ("dhsc_line", "amount_prpw"))
        records, index = [], []
        seen: dict[tuple, int] = {}
        for line_no, row in frame.iterrows():
            if row.dhsc_line == "":
                raise InputError(path, f"row {line_no}, column 'dhsc_line'", "is empty; a value is required")
            key = key_of(row.dhsc_line, f"row {line_no}, column 'dhsc_line'")
            ident = (row.home_id, row.category, key)
            if ident in seen:
                raise InputError(path, f"row {line_no}", f"home {row.home_id!r}, category {row.category!r} gives "
                                 f"{line_map[key]['label']!r} again (first on row {seen[ident]})")
            seen[ident] = line_no
            if line_map[key]["toolkit_line"] == TOTAL or row.amount_prpw == "":
                continue
            records.append({**{c: row[c] for c in ID_COLUMNS}, "cost_line": line_map[key]["toolkit_line"],
                            "amount_prpw": row.amount_prpw, "source_column": row.dhsc_line, "dhsc_key": key})
            index.append(line_no)
        return pd.DataFrame(records, index=pd.Index(index, dtype="int64"),
                            columns=[*LONG_COLUMNS, "source_column", "dhsc_key"])

    _need_ids(frame, path)
    keys: dict[str, str] = {}
    used: dict[str, str] = {}
    for col in frame.columns:
        if col in ID_COLUMNS:
            continue
        key = key_of(col, f"column {col!r}")
        if key in used:
            raise InputError(path, f"column {col!r}", f"is the same template line as column {used[key]!r}")
        used[key] = col
        if line_map[key]["toolkit_line"] != TOTAL:
            keys[col] = key
    if not used:
        raise InputError(path, None, "no template line columns; give a column per DHSC 2022 template line, "
                         "or a dhsc_line column with amount_prpw")
    _check_unique_homes(frame, path)
    out = _melt(frame, {c: line_map[k]["toolkit_line"] for c, k in keys.items()}, path)
    out["dhsc_key"] = out.source_column.map(keys)
    return out


def sum_sublines(survey: pd.DataFrame, path: str | Path | None = None) -> pd.DataFrame:
    """Add up a validated DHSC survey's sub-lines per home, category and toolkit line.

    Input: the output of :func:`dhsc_to_long` after validation (amount_prpw, beds and occupancy_pct
    as numbers). Output: the long form (LONG_COLUMNS), one row per home, category and toolkit line,
    in first-appearance order, each amount the sum of its sub-lines rounded once to the penny
    (:func:`feemodel.money.pounds`); the index is the line number of the group's first row. A home
    whose rows disagree on beds or occupancy is an :class:`InputError` naming the row.
    """
    if survey.empty:
        return pd.DataFrame(columns=list(LONG_COLUMNS))
    for col in ("beds", "occupancy_pct"):
        first = survey.groupby(["home_id", "category"], sort=False)[col].transform("first")
        bad = ~((survey[col] == first) | (survey[col].isna() & first.isna()))
        if bad.any():
            line = survey.index[bad.to_numpy()][0]
            raise InputError(path, f"row {line}, column {col!r}", f"{survey[col][line]:g} differs from the home's other rows "
                             f"({first[line]:g}); a home has one {col} per category")
    work = survey.assign(_line=survey.index)
    g = work.groupby(["home_id", "category", "cost_line"], sort=False)
    out = g.agg(beds=("beds", "first"), occupancy_pct=("occupancy_pct", "first"), amount_prpw=("amount_prpw", "sum"),
                _line=("_line", "first")).reset_index()
    out["amount_prpw"] = pounds(out.amount_prpw)
    out.index = pd.Index(out.pop("_line").to_numpy(), dtype="int64")
    return out[list(LONG_COLUMNS)]


def check_summary(summary: pd.DataFrame, path: str | Path | None = None) -> None:
    """Cross-column rules for a validated published summary (:data:`SUMMARY_COLUMNS`).

    Each category and line once; lower quartile <= median <= upper quartile; every category has at
    least one toolkit line (a total alone has nothing to build from). Index: line numbers.
    """
    dup = summary.duplicated(["category", "cost_line"], keep="first")
    if dup.any():
        line = summary.index[dup.to_numpy()][0]
        raise InputError(path, f"row {line}", f"category {summary.category[line]!r}, line {summary.cost_line[line]!r} "
                         "appears again; give each category and line one row")
    med = summary["median"]
    order = (summary.lower_quartile > med) | (med > summary.upper_quartile)
    if order.any():
        line = summary.index[order.to_numpy()][0]
        raise InputError(path, f"row {line}", f"lower quartile {summary.lower_quartile[line]:,.2f}, median "
                         f"{med[line]:,.2f}, upper quartile {summary.upper_quartile[line]:,.2f} are not in "
                         "order; the lower quartile is at most the median, the median at most the upper quartile")
    for cat, g in summary.groupby("category", sort=False):
        if not g.cost_line.isin(TOOLKIT_LINES).any():
            raise InputError(path, f"row {g.index[0]}", f"category {cat!r} has a total but no cost lines; give its lines "
                             f"({', '.join(TOOLKIT_LINES)})")

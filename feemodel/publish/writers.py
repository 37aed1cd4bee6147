"""Write tables safely: CSV, one Excel workbook, and folders replaced all-or-nothing.

Writing is all-or-nothing: files go to a temporary folder beside the target, which replaces the
target only when everything was written; an existing output folder is never overwritten unless
``force`` is given. CSV files are byte-identical for the same inputs (fixed line endings, no
index); the workbook has fixed document dates.

Output folder rules (:func:`check_output_folder`): the folder may not be, contain or lie inside an
input (the scenario's folder, its data files, the parameters folder, the package, the section
notebooks), may not be the current folder or one that holds it, may not be a file, and its name
must be plain UTF-8 without control characters. Commits hold a lock on the parent folder and
re-check the target, so of two runs to the same new folder one is refused.

Formula injection (:data:`FORMULA_START`): in CSV files, a text cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return, and is not a plain number, is written with a leading
apostrophe (``'=Working age``); numbers, negative ones included, are written as numbers; a line
break inside text is written as a space. In
``tables.xlsx`` every text cell is stored as text, never as a formula.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..errors import InputError
from . import labels
from .tables import REGISTRY, Results, published_headline, published_tables


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def defuse(value):
    """A text value made safe for a spreadsheet: text a spreadsheet would read as a formula gets a
    leading apostrophe; anything else (numbers, text that is a plain number such as "-12.5") is
    returned as it is. A carriage return or line break inside text becomes a space (the CSV writer
    would not quote a lone carriage return, and a reader would split the row)."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(value):
        value = "'" + value
    if "\r" in value or "\n" in value:
        value = value.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    return value


def defuse_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell (and text heading) passed through :func:`defuse`."""
    text_cols = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype)]
    risky_heads = any(isinstance(c, str) and defuse(c) != c for c in frame.columns)
    if not text_cols and not risky_heads:
        return frame
    out = frame.copy()
    for c in text_cols:
        out[c] = out[c].map(defuse)
    if risky_heads:
        out.columns = [defuse(c) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    defuse_frame(frame).to_csv(path, index=False, lineterminator="\n")


# ---- tables.xlsx ----------------------------------------------------------------------------------

WITHHELD_FILL = "D9D9D9"            # light grey: a cell withheld by the suppression rule
_SMALL = re.compile(r"^<(\d+)$")    # '<5': a count from 1 to 4, withheld
_NUMERIC_KINDS = ("money", "percent", "count", "number")
_HEADER_LINES = 3                   # a heading wraps over at most about this many lines
_MIN_WIDTH, _MAX_WIDTH = 9, 60      # column widths, in characters
_FIXED_TIME = dt.datetime(2000, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# What each unit's words in a heading mean (the units key on the cover sheet). A unit not listed
# here is described from its kind.
UNIT_KEY: dict[str, str] = {
    "gbp_pw": "pounds a week (per placement, or a weekly total where the heading says so); shown to the penny",
    "gbp_prpw": "pounds per resident per week, as providers' cost returns state them; shown to the penny",
    "gbp_pobw": "pounds per occupied bed per week; shown to the penny",
    "gbp_pa": "pounds over a year (a part year from the effective date where the sheet says so); shown in whole "
              "pounds, the cell keeps the pence",
    "gbp": "pounds; shown to the penny",
    "pct": "a percentage, stored as the percentage itself: 5.5 means 5.5% (not the fraction 0.055), shown as "
           "5.5% by the cell format 0.0\"%\"",
    "pct_pa": "a yearly rate, stored as the percentage itself: 2.5 means 2.5% a year, shown as 2.50%",
    "pct_points": "a difference between two percentages, in percentage points",
    "hours_prpw": "hours per resident per week",
    "coefficient": "a model coefficient on the log scale",
}
_PLAIN_NUMBERS = ("No unit in brackets, a count: a whole number of placements, homes, beds or people "
                  "(a projected count is an expected value: the cell keeps its decimals and shows a whole number). "
                  "Other figures with no unit (factors, ratios, p-values) are plain numbers, shown with 2 to 4 decimals.")


def git_state() -> dict:
    """The git commit of the package's folder and whether it has uncommitted changes
    (``{"commit": None, "dirty": None}`` when it is not a git checkout or git is missing)."""
    import subprocess

    from ..paths import REPO_DIR

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(REPO_DIR), *args], capture_output=True, text=True, check=True,
                              timeout=30).stdout.strip()
    try:
        return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def cover_facts(r: Results, built: dt.date | None = None, tables: dict[str, pd.DataFrame] | None = None) -> dict:
    """What the workbook's cover sheet states about a run: the council, scenario (title, file name,
    financial year, effective date), the date built (today unless given), the feemodel version, the git
    commit and dirty flag, the suppression threshold (``publication.suppress_below``) and the headline
    figures as ``headline.json`` publishes them (:func:`feemodel.publish.tables.published_headline`
    with the published ``tables``, computed here when not given)."""
    from .. import __version__

    s = r.scenario
    path = getattr(s, "path", None)
    return {"council": s.council, "title": s.title, "scenario_file": Path(path).name if path else "",
            "financial_year": s.year_label, "effective_date": s.uplift.effective_date,
            "built": built or dt.date.today(), "feemodel_version": __version__, **git_state(),
            "suppress_below": s.publication.suppress_below,
            "headline": published_headline(r.headline, published_tables(r) if tables is None else tables, s.publication.suppress_below)}


def _put(ws, row: int, col: int, value):
    """Write one cell; text is always stored as text, never as a formula."""
    cell = ws.cell(row=row, column=col, value=value)
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _number(value: str):
    """A number held as text (as read from a CSV): int when whole, else float; None if not a number."""
    if not _PLAIN_NUMBER.match(value.strip()):
        return None
    f = float(value)
    return int(f) if f.is_integer() and "." not in value and "e" not in value.lower() else f


def _cell_value(value, column: str, table: str, unit: labels.Unit) -> tuple[object, str | None]:
    """(what the workbook holds, the published mark of a withheld cell or None) for one published cell.

    Numeric columns (money, percent, count, number) hold only numbers or nothing: '<5' and the ''
    of a withheld cell become empty cells (the mark, '<5' or '', is returned); a whole count is an
    int; a number held as text is written as a number. Text is shown in words (:func:`labels.words`)
    and is never withheld; a NaN or None is an empty cell (nothing withheld)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA or value is pd.NaT:
        return None, None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar -> Python
        value = value.item()
    kind = unit.kind
    if kind == "text":
        return (labels.words(value, column) if isinstance(value, str) else value), None
    if isinstance(value, str):
        if _SMALL.match(value.strip()):
            return None, value.strip()
        if not value.strip():
            return None, ""
        if kind in _NUMERIC_KINDS:
            number = _number(value)
            if number is None:
                raise ValueError(f"table {table!r}, column {column!r} ({unit.key}): {value!r} is not a number; "
                                 "a numeric column holds numbers only (or '' / '<N>' where withheld)")
            value = number
        else:
            return value, None
    if kind in _NUMERIC_KINDS:
        if isinstance(value, bool):
            raise ValueError(f"table {table!r}, column {column!r} ({unit.key}): {value!r} is not a number")
        if kind == "count" and isinstance(value, float) and value.is_integer():
            return int(value), None
    elif kind == "year" and isinstance(value, float) and value.is_integer():
        return int(value), None
    return value, None


def _why(mark: str, is_count: bool, population: object) -> str:
    """The comment on a withheld cell: ``mark`` is what the published table shows ('<5' or '')."""
    small = _SMALL.match(mark)
    if small:
        return f"Withheld: fewer than {small.group(1)} (suppression rule)"
    if is_count:
        return ("Withheld so that a withheld count cannot be worked out from the others by subtraction "
                "(suppression rule); it may be any size")
    small = _SMALL.match(population.strip()) if isinstance(population, str) else None
    if small:
        return f"Withheld: this row describes fewer than {small.group(1)} (suppression rule)"
    return "Withheld: this row's count is withheld, so its figures are too (suppression rule)"


def _wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes when wrapped at word boundaries in a column ``width`` characters wide."""
    lines, used = 1, 0
    for word in text.split():
        need = len(word) + (1 if used else 0)
        if used and used + need > width:
            lines, used = lines + 1, len(word)
        else:
            used += need
    return lines


def _column_width(head: str, shown: Iterable[str]) -> float:
    """A width that fits the widest value as displayed and wraps the heading over a few lines."""
    content = max((len(s) for s in shown), default=0)
    longest_word = max((len(w) for w in head.split()), default=0)
    want = max(content, -(-len(head) // _HEADER_LINES), longest_word) + 2
    return float(max(_MIN_WIDTH, min(_MAX_WIDTH, want)))


def _style_header(ws, heads: list[str], widths: list[float]) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    lines = 1
    for j, (h, w) in enumerate(zip(heads, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=j)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.border = Border(bottom=Side(style="thin"))
        ws.column_dimensions[get_column_letter(j)].width = w
        lines = max(lines, _wrapped_lines(h, w - 1))
    ws.row_dimensions[1].height = 15 * lines + 3


def _data_sheet(wb, name: str, frame: pd.DataFrame) -> int:
    """One table on its own sheet: headings from the label registry, values by unit (numbers with the
    unit's number format, withheld cells empty, grey and commented), frozen heading row, filters.
    A cell is withheld where it shows '<N>', or '' in a numeric column of a table the suppression
    rule applies to (one with count columns). Returns the number of withheld cells."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name[:31])
    cols = [str(c) for c in frame.columns]
    units = [labels.unit(c, name) for c in cols]
    heads = [labels.heading(c, name) for c in cols]
    counts = REGISTRY[name].counts if name in REGISTRY else ()
    population = cols.index(counts[0]) if counts and counts[0] in cols else None
    grey = PatternFill("solid", start_color=WITHHELD_FILL, end_color=WITHHELD_FILL)
    for j, h in enumerate(heads, start=1):
        _put(ws, 1, j, h)
    shown: list[list[str]] = [[] for _ in cols]
    withheld = 0
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=2):
        for j, (col, u, raw) in enumerate(zip(cols, units, row, strict=True), start=1):
            value, mark = _cell_value(raw, col, name, u)
            if mark == "" and not counts:
                mark = None  # an empty field in a table without counts: nothing was withheld
            cell = _put(ws, i, j, value)
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell.number_format = u.excel_format if u.excel_format != "@" else "0"
            elif value is None and u.kind in _NUMERIC_KINDS:
                cell.number_format = u.excel_format
            if mark is not None:
                withheld += 1
                cell.fill = grey
                pop = row[population] if population is not None else None
                c = Comment(_why(mark, col in counts, pop), "feemodel")
                c.width, c.height = 260, 70
                cell.comment = c
            if value is not None:
                shown[j - 1].append(labels.fmt(value, col, name) if u.kind != "text" else str(value))
    widths = [_column_width(h, s) for h, s in zip(heads, shown, strict=True)]
    _style_header(ws, heads, widths)
    lines = [1] * (ws.max_row + 1)
    for j, (u, w) in enumerate(zip(units, widths, strict=True), start=1):
        if u.kind == "text" and any(len(s) > w for s in shown[j - 1]):
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if isinstance(cell.value, str):
                    lines[cell.row] = max(lines[cell.row], _wrapped_lines(cell.value, w - 1))
    for i, n in enumerate(lines):
        if n > 1:
            ws.row_dimensions[i].height = 15 * n + 3
    ws.freeze_panes = "A2"
    last = get_column_letter(max(len(cols), 1))
    ws.auto_filter.ref = f"A1:{last}{max(ws.max_row, 1)}"
    ws.print_title_rows = "1:1"
    return withheld


def _notes_sheet(wb, tables: dict[str, pd.DataFrame]) -> None:
    """The sheet list: each sheet's table name and note (headings from the label registry)."""
    from openpyxl.styles import Alignment

    ws = wb.create_sheet("notes")
    heads = [labels.heading("sheet", "notes"), labels.heading("note", "notes")]
    for j, h in enumerate(heads, start=1):
        _put(ws, 1, j, h)
    rows = []
    for k in tables:
        t = REGISTRY.get(k)
        rows.append((k[:31], f"{t.label}. {t.note}" if t else ""))
    for i, (sheet, note) in enumerate(rows, start=2):
        _put(ws, i, 1, sheet)
        _put(ws, i, 2, note).alignment = Alignment(wrap_text=True, vertical="top")
    widths = [_column_width(heads[0], [r[0] for r in rows]), float(_MAX_WIDTH + 40)]
    _style_header(ws, heads, widths)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:B{max(ws.max_row, 1)}"


def _count_words(n, threshold: int) -> str:
    """A headline count under the suppression rule: 1 to threshold-1 as 'fewer than N' ("<N" in the
    published headline too); a count withheld so that others cannot be worked out ("") as 'withheld'."""
    if n is None:
        return "not computed"
    if isinstance(n, str):
        return f"fewer than {n[1:]}" if n.startswith("<") else "withheld (so that a small count cannot be worked out)"
    n = int(n)
    return f"fewer than {threshold}" if 0 < n < threshold else f"{n:,}"


def _headline_rows(facts: dict) -> list[tuple[str, str]]:
    """The cover's headline figures, in words, money in whole pounds (the £ a year rule of the registry)."""
    if "headline" not in facts:
        return [("Headline figures", "not given")]
    h = facts["headline"] or {}
    if not h:
        return [("Headline figures", "not computed (the scenario has no placement book)")]
    t = int(facts.get("suppress_below", 5))
    money = lambda v: labels.fmt(v, "council_cost_gbp", "montecarlo")  # noqa: E731  £ a year
    fy = h.get("financial_year", facts.get("financial_year", ""))
    eff = facts.get("effective_date")
    when = f" (from {_date_words(eff)})" if eff else ""
    rows = [(f"Cost to the council of the change, {fy}, part year{when}", money(h["council_net_change_part_year_gbp"])),
            (f"Cost to the council of the change, {fy}, full year", money(h["council_net_change_full_year_gbp"]))]
    rng = h.get("council_cost_range_gbp")
    if rng:
        rows.append(("Range of the part-year cost, 10th to 90th percentile (P10 to P90)",
                     f"{money(rng['P10'])} to {money(rng['P90'])} (median {money(rng['P50'])}; "
                     f"{int(rng['draws']):,} Monte Carlo draws, seed {rng['seed']})"))
    rows.append(("Council placements whose fee or top-up changes", _count_words(h.get("placements_affected"), t)))
    rows.append(("Placements kept at their own fee or protected", _count_words(h.get("placements_protected"), t)))
    homes = h.get("homes_below_cost")
    if homes:
        rows.append(("Homes below their cost of care now", _count_words(homes.get("now"), t)))
        rows.append(("Homes below their cost of care, proposed", _count_words(homes.get("proposed"), t)))
    return rows


def _date_words(d) -> str:
    if isinstance(d, str):
        d = dt.date.fromisoformat(d)
    return f"{d.day} {d:%B %Y}"


def _cover_sheet(ws, facts: dict, tables: dict[str, pd.DataFrame], withheld: dict[str, int]) -> None:
    """The first sheet: what was run, when and by what, the units key, the suppression rule and its
    marker, the headline figures and the list of sheets."""
    from openpyxl.styles import Alignment, Font, PatternFill

    ws.title = "Cover"
    given = facts.get("suppress_below")
    t = int(given or 5)
    commit = facts.get("commit")
    dirty = facts.get("dirty")
    commit_text = ("not known (not built from a git checkout)" if not commit else
                   commit + (" (with uncommitted changes)" if dirty else " (no uncommitted changes)"))
    built = facts.get("built")
    title = (f"{facts['council']}: {facts['title']}" if facts.get("council") else "Tables") + " \u2013 tables"
    about = [("Council", facts.get("council") or "not given"),
             ("Scenario", facts.get("title") or "not given"),
             ("Scenario file", facts.get("scenario_file") or "not given"),
             ("Financial year", facts.get("financial_year") or "not given"),
             ("Date built", _date_words(built) if built else "not given"),
             ("feemodel version", facts.get("feemodel_version") or "not given"),
             ("Git commit", commit_text)]
    used: dict[str, labels.Unit] = {}
    for name, frame in tables.items():
        for c in frame.columns:
            u = labels.unit(str(c), name)
            used.setdefault(u.key, u)
    units = [(f"({u.words})", UNIT_KEY.get(k, f"{u.words} ({u.kind})")) for k, u in labels.UNITS.items()
             if k in used and u.words]
    units.append(("No unit", _PLAIN_NUMBERS))
    units.append(("Words", "Codes in the tables (who pays, periods, outcomes) are shown in words; band and home names as the "
                           "scenario gives them. The CSV files keep the codes; each sheet is named after its CSV file."))
    n_withheld = sum(withheld.values())
    source = f"publication.suppress_below = {t} in the scenario" if given else "not given (the default is 5)"
    counts = (f"Counts from 1 to {t - 1} (\u201cfewer than {t}\u201d) are withheld" if t > 1 else
              "No count is small enough to be withheld")
    rule = [("Rule", f"{counts}, with every other figure on a row whose population is withheld; further counts are withheld "
                     f"where the withheld one could otherwise be worked out by subtraction (secondary suppression). Zero is "
                     f"shown. Threshold: {source}."),
            ("Marker", "A withheld cell is empty, shaded light grey (like this cell) and carries a comment saying why: "
                       f"\u201cfewer than {t}\u201d, or withheld so that others cannot be worked out (any size). The CSV files "
                       f"show \u201c<{t}\u201d and an empty field instead. Sums over a column leave withheld cells out."),
            ("Cells withheld", f"{n_withheld:,} in " + (", ".join(k for k, v in withheld.items() if v) or "no sheet"))]
    sheets = [("notes", "Every sheet with a note on what it shows")]
    sheets += [(k[:31], REGISTRY[k].label if k in REGISTRY else k) for k in tables]

    bold = Font(bold=True)
    row = 1
    _put(ws, row, 1, title).font = Font(bold=True, size=14)
    row += 2
    wrap = Alignment(wrap_text=True, vertical="top")
    for section, items in (("About this workbook", about), ("Headline figures", _headline_rows(facts)),
                           ("Units key: what the words in brackets in a heading mean", units),
                           ("Suppression of small numbers", rule), ("Sheets", sheets)):
        _put(ws, row, 1, section).font = Font(bold=True, size=12)
        row += 1
        for what, value in items:
            head = _put(ws, row, 1, what)
            head.font, head.alignment = bold, wrap
            cell = _put(ws, row, 2, value)
            cell.alignment = wrap
            if what == "Marker":
                cell.fill = PatternFill("solid", start_color=WITHHELD_FILL, end_color=WITHHELD_FILL)
            lines = max(_wrapped_lines(str(value), 95), _wrapped_lines(what, 45))
            if lines > 1:
                ws.row_dimensions[row].height = 15 * lines + 3
            row += 1
        row += 1
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 100


def _stable_zip(path: Path) -> None:
    """Rewrite the workbook's zip with fixed entry times and a fixed 'modified' date (openpyxl stamps
    the time of saving), so the same content gives the same bytes."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    fixed = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    entries = [(name, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + fixed + rb"\g<2>", data)
                if name == "docProps/core.xml" else data) for name, data in entries]
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            z.writestr(info, data)
    os.replace(tmp, path)


BUILD_ROWS = ("Date built", "feemodel version", "Git commit")  # cover rows that say when and by what it was built


def read_workbook(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet of a ``tables.xlsx`` as text, the cover without its :data:`BUILD_ROWS`, so two
    builds of the same tables compare equal on another day or commit (``feemodel verify``)."""
    sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    if "Cover" in sheets:
        c = sheets["Cover"]
        sheets["Cover"] = c[~c.iloc[:, 0].isin(BUILD_ROWS)].reset_index(drop=True)
    return sheets


def write_excel(tables: dict[str, pd.DataFrame], path: Path, cover: Results | dict | None = None) -> None:
    """``tables.xlsx``: a cover sheet, a notes sheet, then one sheet per published table.

    ``cover`` is the run's :class:`Results` (its :func:`cover_facts` are used) or those facts as a dict
    (council, scenario, date built, version, commit, suppression threshold, headline figures);
    without it the cover says those facts were not given.

    Each table's sheet: headings in words with units from the label registry (bold, wrapped, the
    row frozen, filters on); values by unit: money, percent, count and number columns hold only
    numbers with the unit's number format (money '"£"#,##0.00', or whole pounds for £ a year;
    percentages as the percentage itself, 5.5 meaning 5.5%, format '0.0"%"'; counts whole). A cell
    the suppression rule withheld ('<5' or '' in the published table) is empty, shaded light grey
    (:data:`WITHHELD_FILL`) and carries a comment saying why, so ``.sum()`` works on every numeric
    column. Codes are shown in words. Text is never a formula. Widths follow the content.
    Document dates and zip entry times are fixed, so the same tables and cover give the same bytes."""
    from openpyxl import Workbook

    facts = cover_facts(cover, tables=tables) if isinstance(cover, Results) else dict(cover or {})
    wb = Workbook()
    cover_ws = wb.active
    _notes_sheet(wb, tables)
    withheld = {name: _data_sheet(wb, name, frame) for name, frame in tables.items()}
    _cover_sheet(cover_ws, facts, tables, withheld)
    props = wb.properties
    props.creator = props.lastModifiedBy = "feemodel"
    props.title = f"{facts['council']}: {facts['title']}" if facts.get("council") else "feemodel tables"
    props.created = props.modified = _FIXED_TIME
    wb.save(path)
    _stable_zip(Path(path))


_PREPARED: dict[Path, tuple] = {}  # temporary folder -> (target, force, target existed)


def _display(path) -> str:
    text = os.fsdecode(path) if isinstance(path, bytes) else str(path)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= 200 else text[:200] + "..."


def protected_inputs(scenario=None) -> list[Path]:
    """What an output folder may never be, hold or lie inside: the scenario's file, folder and data
    files, the parameters folder, the package and its notebooks."""
    from ..paths import PACKAGE_DIR, REPO_DIR, params_dir

    found = [params_dir(), PACKAGE_DIR, REPO_DIR / "notebooks"]
    if scenario is not None and getattr(scenario, "path", None) is not None:
        found += [scenario.path, scenario.folder]
        for name in scenario.data.given():
            p = scenario.data_path(name)
            found += [p, p.parent]
    return found


def check_output_folder(out, protect: Iterable[Path] = ()) -> Path:
    """The output folder as an absolute path, or :class:`InputError` (exit 2) if it may not be used."""
    raw = os.fspath(out)
    text = os.fsdecode(raw)
    if not text.strip():
        raise InputError("--out", None, "is empty; give a folder name")
    if "\x00" in text or re.search("[\x00-\x1f\x7f]", text):
        raise InputError(_display(text), None, "the output folder name contains a NUL or control character; give a plain folder name")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(_display(text), None, "the output folder name is not valid UTF-8; give a folder name in plain text") from None
    target = Path(os.path.abspath(text))
    if target == Path(target.anchor) or not target.name:
        raise InputError(_display(text), None, "the output folder cannot be the root folder; give a new folder name")
    real = target.resolve()
    cwd = Path.cwd().resolve()
    if real == cwd or cwd.is_relative_to(real):
        raise InputError(_display(text), None, "is the current folder (or holds it); give a new folder for the output, e.g. output")
    inputs = [Path(p).resolve() for p in protect]
    for p in sorted(inputs, key=lambda p: (p != real, not p.is_relative_to(real))):
        inside = real.is_relative_to(p) and p.is_dir()
        if real == p or p.is_relative_to(real) or inside:
            what = "is" if real == p else ("holds" if p.is_relative_to(real) else "lies inside")
            raise InputError(_display(text), None, f"the output folder {what} an input ({_display(p)}); "
                             "write the output somewhere else, it would replace or mix with the inputs")
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise InputError(_display(text), None, "exists and is not a folder; give a folder name")
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(_display(text), None, f"{_display(parent)} is a file, not a folder")
            break
    return target


def _lock(folder: Path) -> int:
    """An exclusive lock on a folder (held while a target in it is checked and replaced)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _not_empty(out: Path) -> bool:
    return out.exists() and (not out.is_dir() or any(out.iterdir()))


def prepare_target(out: Path, force: bool, protect: Iterable[Path] = ()) -> Path:
    """Check the target may be written; return a fresh temporary folder beside it."""
    out = check_output_folder(out, protect)
    if _not_empty(out) and not force:
        raise InputError(_display(out), None, "output folder exists and is not empty; choose another folder or pass --force to replace it")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EROFS, errno.ENOTDIR, errno.ENAMETOOLONG, errno.EEXIST):
            raise InputError(_display(out), None, f"cannot create the output folder here ({exc.strerror})") from None
        raise
    _PREPARED[tmp] = (out, force, out.exists())
    return tmp


def release_target(tmp: Path) -> None:
    """Forget a temporary folder that the caller keeps elsewhere (e.g. a failed pack's notebooks)."""
    _PREPARED.pop(Path(tmp), None)


def discard_target(tmp: Path) -> None:
    """Remove a temporary folder that will not be committed."""
    _PREPARED.pop(Path(tmp), None)
    shutil.rmtree(tmp, ignore_errors=True)


def commit_target(tmp: Path, out: Path, force: bool | None = None) -> None:
    """Move a finished temporary folder into place (the old one is removed only now).

    Holds a lock on the parent folder while it re-checks the target: if another run filled the
    target since :func:`prepare_target` checked it, this run is refused (without ``--force``) and
    its temporary folder removed."""
    tmp = Path(tmp)
    out = Path(os.path.abspath(out))
    _, forced, existed = _PREPARED.pop(tmp, (out, bool(force), None))
    forced = forced if force is None else force
    fd = _lock(out.parent)
    try:
        if _not_empty(out) and not forced:
            shutil.rmtree(tmp, ignore_errors=True)
            raise InputError(_display(out), None, "another run wrote this output folder while this one was working; "
                             "nothing was replaced (pass --force to replace it)")
        if out.is_symlink() or (out.exists() and not out.is_dir()):
            shutil.rmtree(tmp, ignore_errors=True)
            raise InputError(_display(out), None, "exists and is not a folder; give a folder name")
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.rename(out, old / "content")
            os.rename(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out)
    finally:
        os.close(fd)


def write_results(r: Results, out: Path, force: bool = False) -> Path:
    """Write every table as published (small counts suppressed) as CSV and ``tables.xlsx``, with
    ``headline.json``; plus the analyst's working files (``funding.csv``, one row per placement;
    ``provider_income_by_home.csv``; ``sustainability_by_home.csv``), which never go in a pack."""
    tmp = prepare_target(out, force, protected_inputs(r.scenario))
    try:
        tables = published_tables(r)
        for name, frame in tables.items():
            write_csv(frame, tmp / f"{name}.csv")
        for name, frame in r.private.items():
            write_csv(frame, tmp / f"{name}.csv")
        write_excel(tables, tmp / "tables.xlsx", r)
        public = published_headline(r.headline, tables, r.scenario.publication.suppress_below)
        (tmp / "headline.json").write_text(json.dumps(public, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except BaseException:
        discard_target(tmp)
        raise
    commit_target(tmp, out, force)
    return Path(out)

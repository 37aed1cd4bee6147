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
from .tables import REGISTRY, Results, published_tables


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


def write_excel(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """One sheet per table (headings in words with units, number formats by unit, from the label
    registry) plus a notes sheet; fixed document dates so reruns differ only in zip times."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        rows = [{"Sheet": k, "Table": REGISTRY[k].label if k in REGISTRY else k, "Note": REGISTRY[k].note if k in REGISTRY else ""}
                for k in tables]
        pd.DataFrame(rows).to_excel(xl, sheet_name="notes", index=False)
        for row in xl.sheets["notes"].iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
        for name, frame in tables.items():
            sheet = name[:31]
            shown = frame.rename(columns={c: labels.heading(c, name) for c in frame.columns})
            shown.to_excel(xl, sheet_name=sheet, index=False)
            ws = xl.sheets[sheet]
            for j, col in enumerate(frame.columns, start=1):
                fmt = labels.unit(col, name).excel_format
                letter = get_column_letter(j)
                ws.column_dimensions[letter].width = max(10, min(40, len(labels.heading(col, name)) + 2))
                ws.cell(row=1, column=j).font = Font(bold=True)
                for i in range(2, len(frame) + 2):
                    cell = ws.cell(row=i, column=j)
                    if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                        cell.number_format = fmt
                    elif cell.data_type == "f":  # text that starts with "=": text, never a formula
                        cell.data_type = "s"
            for cell in ws[1]:
                if cell.data_type == "f":
                    cell.data_type = "s"
            ws.freeze_panes = "A2"
            if len(frame.columns):
                ws.auto_filter.ref = ws.dimensions
        props = xl.book.properties
        props.creator = "feemodel"
        props.created = props.modified = dt.datetime(2000, 1, 1)


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
        write_excel(tables, tmp / "tables.xlsx")
        (tmp / "headline.json").write_text(json.dumps(r.headline, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except BaseException:
        discard_target(tmp)
        raise
    commit_target(tmp, out, force)
    return Path(out)

"""Write tables safely: CSV, one Excel workbook, and folders replaced all-or-nothing.

Writing is all-or-nothing: files go to a temporary folder beside the target, which replaces the
target only when everything was written; an existing output folder is never overwritten unless
``force`` is given. CSV files are byte-identical for the same inputs (fixed line endings, no
index); the workbook has fixed document dates.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from ..errors import InputError
from . import labels
from .tables import REGISTRY, Results, published_tables


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


def write_excel(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """One sheet per table (headings in words with units, number formats by unit, from the label
    registry) plus a notes sheet; fixed document dates so reruns differ only in zip times."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        rows = [{"Sheet": k, "Table": REGISTRY[k].label if k in REGISTRY else k, "Note": REGISTRY[k].note if k in REGISTRY else ""}
                for k in tables]
        pd.DataFrame(rows).to_excel(xl, sheet_name="notes", index=False)
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
            ws.freeze_panes = "A2"
            if len(frame.columns):
                ws.auto_filter.ref = ws.dimensions
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


def write_results(r: Results, out: Path, force: bool = False) -> Path:
    """Write every table as published (small counts suppressed) as CSV and ``tables.xlsx``, with
    ``headline.json``; plus the analyst's working files (``funding.csv``, one row per placement;
    ``provider_income_by_home.csv``; ``sustainability_by_home.csv``), which never go in a pack."""
    tmp = prepare_target(out, force)
    tables = published_tables(r)
    try:
        for name, frame in tables.items():
            write_csv(frame, tmp / f"{name}.csv")
        for name, frame in r.private.items():
            write_csv(frame, tmp / f"{name}.csv")
        write_excel(tables, tmp / "tables.xlsx")
        (tmp / "headline.json").write_text(json.dumps(r.headline, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    commit_target(tmp, out)
    return Path(out)

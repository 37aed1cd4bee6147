"""Verify a pack: rerun it from its manifest and compare every published figure."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from .. import __version__
from ..errors import InputError
from .pack import build_pack, sha256
from .writers import read_workbook


def compare_tables(a: pd.DataFrame, b: pd.DataFrame, limit: int = 5) -> list[str]:
    if list(a.columns) != list(b.columns):
        return [f"columns differ: {list(a.columns)} vs {list(b.columns)}"]
    if len(a) != len(b):
        return [f"{len(a)} rows vs {len(b)} rows"]
    diffs = []
    av, bv = a.astype(str).to_numpy(), b.astype(str).to_numpy()
    for i, j in zip(*((av != bv).nonzero()), strict=True):
        diffs.append(f"row {i + 2}, column {a.columns[j]!r}: pack has {av[i, j]!r}, rerun gives {bv[i, j]!r}")
        if len(diffs) >= limit:
            break
    return diffs


def verify(pack_dir: str | Path) -> tuple[bool, list[str]]:
    """Re-execute the pack from its manifest and compare every table, figure by figure."""
    pack_dir = Path(pack_dir)
    mf = pack_dir / "manifest.json"
    if not mf.is_file():
        raise InputError(pack_dir, None, "no manifest.json: not a feemodel pack folder")
    try:
        m = json.loads(mf.read_text(encoding="utf-8"))
        for key in ("scenario", "data_files", "tables", "headline"):
            if not isinstance(m.get(key), dict):
                raise KeyError(key)
        if not isinstance(m["scenario"].get("path"), str) or not isinstance(m["scenario"].get("sha256"), str):
            raise KeyError("scenario.path")
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        where = f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else None
        raise InputError(mf, where, "is not valid JSON; it is not a manifest this tool wrote (rebuild the pack)") from None
    except (KeyError, AttributeError) as exc:
        raise InputError(mf, str(exc).strip("'"), "missing or malformed; not a manifest this tool wrote (rebuild the pack)") from None
    lines, ok = [], True
    scenario = Path(m["scenario"]["path"])
    if not scenario.is_file():
        raise InputError(mf, "scenario.path", f"{scenario} no longer exists; cannot rerun")
    if sha256(scenario) != m["scenario"]["sha256"]:
        ok = False
        lines.append(f"input changed: scenario {scenario}")
    for k, v in m["data_files"].items():
        if not Path(v["path"]).is_file() or sha256(Path(v["path"])) != v["sha256"]:
            ok = False
            lines.append(f"input changed: data file {k} ({v['path']})")
    if m.get("feemodel_version") != __version__:
        lines.append(f"note: pack built with feemodel {m.get('feemodel_version')}, rerun with {__version__}")
    rerun_root = Path(tempfile.mkdtemp(prefix="feemodel-verify-"))
    try:
        rerun = build_pack(scenario, rerun_root / "pack", progress=False)
        for name in sorted(set(m["tables"]) | {p.stem for p in (rerun / "tables").glob("*.csv")}):
            mine, theirs = pack_dir / "tables" / f"{name}.csv", rerun / "tables" / f"{name}.csv"
            if not mine.exists() or not theirs.exists():
                ok = False
                lines.append(f"{name}: missing from the {'pack' if not mine.exists() else 'rerun'}")
                continue
            diffs = compare_tables(pd.read_csv(mine, dtype=str, keep_default_na=False), pd.read_csv(theirs, dtype=str, keep_default_na=False))
            if sha256(mine) != m["tables"].get(name) and not diffs:
                diffs = ["file differs from the hash in manifest.json"]
            if diffs:
                ok = False
                lines.append(f"{name}: DIFFERENT")
                lines += [f"    {d}" for d in diffs]
            else:
                lines.append(f"{name}: identical")
        xlsx = pack_dir / "tables.xlsx"
        if xlsx.exists():
            sheets, again = read_workbook(xlsx), read_workbook(rerun / "tables.xlsx")  # the cover's build date and commit aside
            bad = [s for s in again if s not in sheets or not sheets[s].equals(again[s])]
            ok &= not bad
            lines.append("tables.xlsx: identical" if not bad else f"tables.xlsx: DIFFERENT sheets {bad}")
        new_head = json.loads((rerun / "manifest.json").read_text())["headline"]
        same = new_head == m["headline"]
        ok &= same
        lines.append("headline figures: identical" if same else "headline figures: DIFFERENT")
    finally:
        shutil.rmtree(rerun_root, ignore_errors=True)
    return ok, lines

"""Verify a pack: rerun it from its manifest, on this or another machine, and compare every published file.

``verify(pack_dir, scenario=None, data=None)``:

1. Finds the inputs. The manifest records no absolute path: the scenario by file name, sha256 and
   its place relative to the pack folder (``scenario.from_pack``); each data file by its path
   relative to the scenario's folder, as the scenario gives it. ``scenario`` (``--scenario PATH``)
   and ``data`` (``--data DIR``: the folder holding the data files, either at their recorded
   relative paths or by file name) point at them elsewhere. Anything missing is one error (exit 2)
   naming each missing file, where it was looked for and which option points at it.
2. Checks the inputs by hash: the scenario, each data file and each national parameter file (a
   change, a missing or a new file is reported by name). Package versions that differ from the
   pack's, or from the lock file, are listed as notes (they do not fail verification by
   themselves; the rerun's figures decide).
3. Rebuilds the pack into a temporary folder (:func:`feemodel.publish.pack.build_pack`) and
   compares every published file: each table (CSV, cell by cell), ``headline.json``, ``meta.json``,
   ``scenario.txt``, every cell of every sheet of ``tables.xlsx`` (openpyxl), the text of
   ``pack.html`` (BeautifulSoup) and of ``pack.pdf`` (pypdf, page by page), and the outputs of
   each executed notebook (nbformat). A file in the pack that the manifest lists with another
   hash is reported too.

Each difference is one line: file, place, the pack's value and the rerun's value.

What is normalised, because it must differ between two builds of the same inputs (and nothing else):

- the date built: the title page's "Date built" (HTML and PDF text) and the workbook cover's rows
  "Date built", "feemodel version" and "Git commit" (versions are compared separately, as notes);
- paths: ``meta.json``'s ``scenario_path`` is compared by file name (the pack and the rerun read
  the scenario from different folders);
- notebooks: only cell sources and outputs are compared; the parameters cell papermill injects
  (the absolute ``scenario`` and ``tables_dir`` of that build) and execution metadata (papermill's
  start and end times and durations, kernel details) are not;
- ``manifest.json`` itself is not compared as a file (it holds times and timings); its headline
  figures are.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import __version__
from ..errors import InputError
from ..paths import national_params_dir
from .pack import _versions, build_pack, lock_pins, lock_state, sha256

LIMIT = 10  # differences shown per file; the rest are counted
DATE_BUILT = "<date built>"
BUILD_ROWS = ("Date built", "feemodel version", "Git commit")  # the workbook cover's rows that say when and by what


@dataclass
class Report:
    """What verification found: ``ok`` is False on any difference or changed input; ``lines`` say
    what was compared and every difference; ``notes`` are warnings that do not fail it (versions)."""

    ok: bool = True
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def differ(self, heading: str, diffs: list[str]) -> None:
        if diffs:
            self.ok = False
            self.lines.append(f"{heading}: DIFFERENT")
            shown = diffs[:LIMIT]
            self.lines += [f"    {d}" for d in shown]
            if len(diffs) > LIMIT:
                self.lines.append(f"    ... and {len(diffs) - LIMIT} more differences")
        else:
            self.lines.append(f"{heading}: identical")

    def __iter__(self):  # ``ok, lines = verify(...)``: the notes come first among the lines
        return iter((self.ok, [f"note: {n}" for n in self.notes] + self.lines))


# ---- reading the manifest and finding the inputs


def read_manifest(pack_dir: Path) -> dict:
    mf = pack_dir / "manifest.json"
    if not mf.is_file():
        raise InputError(pack_dir, None, "no manifest.json: not a feemodel pack folder")
    try:
        m = json.loads(mf.read_text(encoding="utf-8"))
        for key in ("scenario", "data_files", "tables", "headline"):
            if not isinstance(m.get(key), dict):
                raise KeyError(key)
        if not isinstance(m["scenario"].get("file"), str) or not isinstance(m["scenario"].get("sha256"), str):
            raise KeyError("scenario.file")
        for k, v in m["data_files"].items():
            if not isinstance(v, dict) or not isinstance(v.get("path"), str) or os.path.isabs(v["path"]):
                raise KeyError(f"data_files.{k}.path")
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        where = f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else None
        raise InputError(mf, where, "is not valid JSON; it is not a manifest this tool wrote (rebuild the pack)") from None
    except (KeyError, AttributeError) as exc:
        raise InputError(mf, str(exc).strip("'"), "missing or malformed; not a manifest this tool wrote "
                         "(a pack built before paths were recorded relative to the scenario: rebuild it)") from None
    return m


def find_scenario(pack_dir: Path, m: dict, scenario: Path | None) -> Path:
    """The scenario file: ``scenario`` if given (a file, or a folder holding the recorded file name),
    else where the manifest says it was relative to the pack, else beside the pack or in it."""
    name = m["scenario"]["file"]
    if scenario is not None:
        scenario = Path(scenario)
        path = scenario / name if scenario.is_dir() else scenario
        if not path.is_file():
            raise InputError(scenario, "--scenario", f"no scenario file here (the pack was built from {name}); "
                             "give the scenario file's path")
        return path
    tried = []
    rel = m["scenario"].get("from_pack")
    candidates = ([pack_dir / rel] if isinstance(rel, str) and not os.path.isabs(rel) else []) + [pack_dir.parent / name, pack_dir / name]
    for c in candidates:
        c = Path(os.path.normpath(c))
        tried.append(str(c))
        if c.is_file():
            return c
    raise InputError(pack_dir / "manifest.json", "scenario", f"the scenario file {name} was not found (looked at {', '.join(tried)}); "
                     "copy it there or point at it with --scenario PATH")


def find_data(m: dict, scenario: Path, data: Path | None) -> dict[str, Path]:
    """Each data file the manifest records: with ``data``, at its recorded path under that folder or
    by its file name there; else at its recorded path relative to the scenario's folder. All the
    missing ones are named in one error."""
    found, missing = {}, []
    for kind, v in m["data_files"].items():
        rel = v["path"]
        if data is not None:
            options = [Path(data) / rel, Path(data) / Path(rel).name]
        else:
            options = [scenario.parent / rel]
        hit = next((Path(os.path.normpath(o)) for o in options if o.is_file()), None)
        if hit is None:
            missing.append(f"{kind} ({rel}; looked at {' and '.join(str(Path(os.path.normpath(o))) for o in options)})")
        else:
            found[kind] = hit
    if missing:
        how = ("put them in that folder (at the path the scenario gives, or by file name)" if data is not None
               else "copy them beside the scenario at the paths it gives, or point at their folder with --data DIR")
        raise InputError(scenario, "data_files", f"missing data file{'s' if len(missing) > 1 else ''}: {'; '.join(missing)}; {how}")
    return found


def find_option_files(m: dict, scenario: Path, data: Path | None) -> dict[str, Path]:
    """The options' scenario and data files the manifest records (``option_files``, relative to the
    scenario's folder): beside the scenario at that path, or with ``data`` under that folder (at the
    path, or by file name). All the missing ones are named in one error."""
    found, missing = {}, []
    for rel in m.get("option_files") or {}:
        options = [scenario.parent / rel] + ([Path(data) / rel, Path(data) / Path(rel).name] if data is not None else [])
        hit = next((Path(os.path.normpath(o)) for o in options if o.is_file()), None)
        if hit is None:
            missing.append(f"{rel} (looked at {' and '.join(str(Path(os.path.normpath(o))) for o in options)})")
        else:
            found[rel] = hit
    if missing:
        raise InputError(scenario, "options_considered", f"missing file{'s' if len(missing) > 1 else ''} of the options "
                         f"costed beside the scenario: {'; '.join(missing)}; copy them beside the scenario at those paths, "
                         "or into the --data folder")
    return found


def stage(scenario: Path, m: dict, files: dict[str, Path], root: Path, options: dict[str, Path] | None = None) -> Path:
    """A copy of the scenario (its bytes unchanged) in ``root`` with each data file copied (hard-linked
    where it can be) to the path the scenario gives for it, so the rerun reads the data from wherever
    the reviewer keeps it. (A scenario's data files lie inside its folder: the loader refuses links
    that point outside it, so they are not symlinked.)"""
    folder = root / "scenario"
    folder.mkdir(parents=True)
    staged = folder / scenario.name
    shutil.copyfile(scenario, staged)
    for kind, src in [*files.items(), *(options or {}).items()]:
        rel = m["data_files"][kind]["path"] if kind in m["data_files"] else kind
        dst = Path(os.path.normpath(folder / rel))
        if dst.exists():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copyfile(src, dst)
    return staged


# ---- inputs and versions


def check_inputs(m: dict, scenario: Path, files: dict[str, Path], rep: Report, options: dict[str, Path] | None = None) -> None:
    if sha256(scenario) != m["scenario"]["sha256"]:
        rep.ok = False
        rep.lines.append(f"input changed: scenario {scenario.name} ({scenario}) is not the file the pack was built from (sha256 differs)")
    for kind, path in files.items():
        if sha256(path) != m["data_files"][kind]["sha256"]:
            rep.ok = False
            rep.lines.append(f"input changed: data file {kind} ({path}) is not the file the pack was built from (sha256 differs)")
    for rel, path in (options or {}).items():
        if sha256(path) != m["option_files"][rel]:
            rep.ok = False
            rep.lines.append(f"input changed: option file {rel} ({path}) is not the file the pack was built from (sha256 differs)")
    recorded = m.get("national_parameters")
    if isinstance(recorded, dict):
        here = {p.relative_to(national_params_dir()).as_posix(): sha256(p) for p in sorted(national_params_dir().rglob("*.yaml"))}
        changed = [f"input changed: national parameter file {n} differs from the pack's" for n in sorted(set(recorded) & set(here))
                   if recorded[n] != here[n]]
        changed += [f"input changed: national parameter file {n} is missing here" for n in sorted(set(recorded) - set(here))]
        changed += [f"input changed: national parameter file {n} is new (not in the pack's manifest)" for n in sorted(set(here) - set(recorded))]
        if changed:
            rep.ok = False
            rep.lines += changed
        else:
            rep.lines.append(f"national parameters: {len(here)} files identical (by sha256; folder {national_params_dir()})")


def check_versions(m: dict, rep: Report) -> None:
    """Notes (not failures) on the environment: versions unlike the pack's, and unlike the lock file."""
    if m.get("feemodel_version") != __version__:
        rep.notes.append(f"feemodel version: pack built with {m.get('feemodel_version')}, rerun with {__version__}")
    theirs = m.get("versions") if isinstance(m.get("versions"), dict) else {}
    mine = _versions()
    differ = [f"{k} {theirs.get(k)} -> {mine.get(k)}" for k in sorted(set(theirs) | set(mine)) if theirs.get(k) != mine.get(k)]
    if differ:
        rep.notes.append("this rerun uses different package versions from the pack's (pack -> rerun): " + ", ".join(differ))
    lock = m.get("lock") if isinstance(m.get("lock"), dict) else {}
    here = lock_state()
    if lock.get("sha256") and here["sha256"] and lock["sha256"] != here["sha256"]:
        rep.notes.append("the lock file here (requirements.lock) is not the one the pack was built with (sha256 differs)")
    if lock_pins() and here["differs"]:
        items = [f"{k} {v['installed']} (locked {v['locked']})" for k, v in here["differs"].items()]
        rep.notes.append(f"{len(items)} installed package version{'s differ' if len(items) > 1 else ' differs'} from requirements.lock: "
                         + ", ".join(items[:20]) + (" ..." if len(items) > 20 else ""))
    if isinstance(lock.get("differs"), dict) and lock["differs"]:
        n = len(lock["differs"])
        rep.notes.append(f"the pack was built with {n} package version{'s that differ' if n > 1 else ' that differs'} from its lock file: "
                         + ", ".join(f"{k} {v.get('installed')} (locked {v.get('locked')})" for k, v in list(lock["differs"].items())[:20]))


# ---- comparing published files


def compare_tables(a: pd.DataFrame, b: pd.DataFrame, limit: int | None = None, where: str = "") -> list[str]:
    """Cell by cell, as text: ``row N`` is the CSV file's line number (the header is line 1)."""
    if list(a.columns) != list(b.columns):
        return [f"{where}header: pack has columns {list(a.columns)}, rerun gives {list(b.columns)}"]
    if len(a) != len(b):
        return [f"{where}rows: pack has {len(a)} rows, rerun gives {len(b)} rows"]
    diffs = []
    av, bv = a.astype(str).to_numpy(), b.astype(str).to_numpy()
    for i, j in zip(*((av != bv).nonzero()), strict=True):
        diffs.append(f"{where}row {i + 2}, column {a.columns[j]!r}: pack has {av[i, j]!r}, rerun gives {bv[i, j]!r}")
        if limit and len(diffs) >= limit:
            break
    return diffs


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _json_diffs(a, b, where: str) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                out.append(f"{where}{k}: pack has {a.get(k, '(absent)')!r}, rerun gives {b.get(k, '(absent)')!r}")
            else:
                out += _json_diffs(a[k], b[k], f"{where}{k}.")
        return out
    if a != b:
        return [f"{where.rstrip('.') or 'value'}: pack has {a!r}, rerun gives {b!r}"]
    return []


def _text_diffs(a: list[str], b: list[str], place) -> list[str]:
    """Differences between two lists of text lines, each as 'place: pack has ..., rerun gives ...'.
    Within a changed line only the differing words are shown (with a word of context), so an
    edited figure reads e.g. ``pack has '£9.12m', rerun gives '£11.12m'``."""
    out = []
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            for k in range(i2 - i1):
                out.append(f"{place(i1 + k)}: {_word_diff(a[i1 + k], b[j1 + k])}")
        else:
            pa, pb = " / ".join(a[i1:i2]), " / ".join(b[j1:j2])
            out.append(f"{place(i1)}: pack has {_cut(pa) if pa else '(nothing)'!r}, rerun gives {_cut(pb) if pb else '(nothing)'!r}")
    return out


def _cut(text: str, n: int = 200) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def _word_diff(a: str, b: str) -> str:
    wa, wb = a.split(), b.split()
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        if tag != "equal":
            parts.append(f"pack has {_cut(' '.join(wa[i1:i2])) or '(nothing)'!r}, rerun gives {_cut(' '.join(wb[j1:j2])) or '(nothing)'!r}")
    context = _cut(a, 120)
    return "; ".join(parts) + f" (in {context!r})" if parts else f"pack has {a!r}, rerun gives {b!r} (spacing differs)"


def _text_file_diffs(pack_dir: Path, rerun: Path, name: str, reader, where) -> list[str]:
    """The differences in the published text of ``name`` (pack.html or pack.pdf) between the pack and
    its rerun: ``reader(path)`` gives (place, line) pairs, ``where(place)`` words the place; each
    difference names the file, the place and the line, with the pack's text against the rerun's."""
    if not (pack_dir / name).exists():
        return [f"{name}: missing from the pack"]
    a, b = reader(pack_dir / name), reader(rerun / name)
    return _text_diffs([x[1] for x in a], [x[1] for x in b],
                       lambda n: f"{name}, {where(a[min(n, len(a) - 1)][0]) if a else 'empty,'} line {n + 1}")


def html_lines(path: Path) -> list[tuple[str, str]]:
    """The visible text of ``pack.html`` as (heading it falls under, line) pairs: one line per block
    (paragraph, list item, table cell row, heading), whitespace collapsed; the title page's date
    built replaced by :data:`DATE_BUILT`."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["style", "script", "head"]):
        tag.decompose()
    for dt_tag in soup.find_all("dt"):
        if dt_tag.get_text(strip=True) == "Date built" and (dd := dt_tag.find_next_sibling("dd")) is not None:
            dd.string = DATE_BUILT
    blocks = ("p", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "caption", "figcaption", "pre", "th", "td", "div",
              "section", "header", "nav", "main", "table", "dl", "ol", "ul", "figure", "br")
    for tag in soup.find_all(blocks):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after(" | ")
    out, heading = [], "title page"
    heads = {" ".join(h.get_text(" ").split()) for h in soup.find_all(["h1", "h2", "h3", "h4"])}
    for raw in soup.get_text().split("\n"):
        line = " ".join(raw.replace(" | ", " ").split()).strip(" |")
        if not line:
            continue
        if line in heads:
            heading = line
        out.append((heading, line))
    return out


def pdf_lines(path: Path) -> list[tuple[int, str]]:
    """The text of ``pack.pdf`` by page and line; see :func:`_pdf_lines` (cached by the file's sha256:
    the same bytes give the same text)."""
    return _pdf_lines(str(path), sha256(path))


@functools.lru_cache(maxsize=8)
def _pdf_lines(path: str, digest: str) -> list[tuple[int, str]]:
    """The text of ``pack.pdf`` as (page number, line) pairs (pypdf's text extraction, whitespace
    collapsed); the date built on the title page replaced by :data:`DATE_BUILT`."""
    from pypdf import PdfReader

    out = []
    for n, page in enumerate(PdfReader(path).pages, start=1):
        text = page.extract_text() or ""
        if n <= 2:
            text = re.sub(r"(Date built)\s+\d{1,2} [A-Z][a-z]+ \d{4}", rf"\1 {DATE_BUILT}", text)
        out += [(n, " ".join(line.split())) for line in text.splitlines() if line.strip()]
    return out


def xlsx_diffs(a: Path, b: Path) -> list[str]:
    """Every cell of every sheet (values as stored), the cover's :data:`BUILD_ROWS` aside."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    wa = openpyxl.load_workbook(a, read_only=True, data_only=True)
    wb = openpyxl.load_workbook(b, read_only=True, data_only=True)
    out = []
    try:
        if wa.sheetnames != wb.sheetnames:
            out.append(f"sheets: pack has {wa.sheetnames}, rerun gives {wb.sheetnames}")
        for name in [s for s in wa.sheetnames if s in wb.sheetnames]:
            ra = [list(r) for r in wa[name].iter_rows(values_only=True)]
            rb = [list(r) for r in wb[name].iter_rows(values_only=True)]
            if name == "Cover":
                ra, rb = ([r for r in rows if not (r and r[0] in BUILD_ROWS)] for rows in (ra, rb))
            for i in range(max(len(ra), len(rb))):
                x = ra[i] if i < len(ra) else []
                y = rb[i] if i < len(rb) else []
                for j in range(max(len(x), len(y))):
                    u = x[j] if j < len(x) else None
                    v = y[j] if j < len(y) else None
                    if u != v:
                        cell = f"{get_column_letter(j + 1)}{i + 1}"
                        note = " (cover rows that say when it was built left out)" if name == "Cover" else ""
                        out.append(f"sheet {name!r}, cell {cell}{note}: pack has {u!r}, rerun gives {v!r}")
    finally:
        wa.close()
        wb.close()
    return out


def notebook_diffs(a: Path, b: Path) -> list[str]:
    """Cell by cell: each cell's source (the parameters cell papermill injects aside) and each
    output's text, HTML, Markdown, image (by content) and errors; execution metadata aside."""
    import nbformat

    na, nb = nbformat.read(a, as_version=4), nbformat.read(b, as_version=4)

    def cells(n):
        return [c for c in n.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]

    ca, cb = cells(na), cells(nb)
    if len(ca) != len(cb):
        return [f"cells: pack has {len(ca)}, rerun gives {len(cb)}"]
    out = []
    for i, (x, y) in enumerate(zip(ca, cb, strict=True)):
        if x.source != y.source:
            out.append(f"cell {i} source: {_word_diff(' '.join(x.source.split()), ' '.join(y.source.split()))}")
        ox, oy = _outputs(x), _outputs(y)
        if len(ox) != len(oy):
            out.append(f"cell {i}: pack has {len(ox)} outputs, rerun gives {len(oy)}")
            continue
        for k, (u, v) in enumerate(zip(ox, oy, strict=True)):
            if u != v:
                kind = u[0] if u[0] == v[0] else f"{u[0]}/{v[0]}"
                if u[0] == v[0] and not kind.startswith("image"):
                    out += _text_diffs(u[1].splitlines(), v[1].splitlines(), lambda n, i=i, k=k, kind=kind: f"cell {i} output {k} ({kind}) line {n + 1}")
                else:
                    out.append(f"cell {i} output {k} ({kind}): pack has {_cut(u[1], 80)!r}, rerun gives {_cut(v[1], 80)!r}")
    return out


def _outputs(cell) -> list[tuple[str, str]]:
    import hashlib

    out = []
    for o in cell.get("outputs", []):
        kind = o.get("output_type")
        if kind == "stream":
            out.append((f"stream {o.get('name')}", "".join(o.get("text", ""))))
        elif kind == "error":
            out.append(("error", f"{o.get('ename')}: {o.get('evalue')}"))
        else:
            for mime, value in sorted(o.get("data", {}).items()):
                text = "".join(value) if isinstance(value, list) else (value if isinstance(value, str) else json.dumps(value, sort_keys=True))
                if mime.startswith("image/"):
                    text = "sha256 " + hashlib.sha256(text.encode()).hexdigest()[:16]
                out.append((mime, text))
    return out


def compare_packs(pack_dir: Path, rerun: Path, m: dict, rep: Report) -> None:
    """Every published file of ``pack_dir`` against the rerun in ``rerun``."""
    pt, rt = pack_dir / "tables", rerun / "tables"
    for name in sorted(set(m["tables"]) | {p.stem for p in pt.glob("*.csv")} | {p.stem for p in rt.glob("*.csv")}):
        mine, theirs = pt / f"{name}.csv", rt / f"{name}.csv"
        if not mine.exists() or not theirs.exists():
            rep.ok = False
            rep.lines.append(f"{name}: missing from the {'pack' if not mine.exists() else 'rerun'} (tables/{name}.csv)")
            continue
        diffs = compare_tables(_read_csv(mine), _read_csv(theirs), where=f"tables/{name}.csv, ")
        rep.differ(name, diffs)
    for name in ("headline.json", "meta.json"):
        a, b = pt / name, rt / name
        if a.exists() or b.exists():
            if not (a.exists() and b.exists()):
                rep.differ(f"tables/{name}", [f"tables/{name}: missing from the {'pack' if not a.exists() else 'rerun'}"])
                continue
            ja, jb = json.loads(a.read_text(encoding="utf-8")), json.loads(b.read_text(encoding="utf-8"))
            if name == "meta.json":  # read from different folders: compared by file name
                for j in (ja, jb):
                    if isinstance(j, dict) and isinstance(j.get("scenario_path"), str):
                        j["scenario_path"] = Path(j["scenario_path"]).name
            rep.differ(f"tables/{name}", _json_diffs(ja, jb, f"tables/{name}, "))
    a, b = pt / "scenario.txt", rt / "scenario.txt"
    if a.exists() or b.exists():
        la = a.read_text(encoding="utf-8").splitlines() if a.exists() else []
        lb = b.read_text(encoding="utf-8").splitlines() if b.exists() else []
        rep.differ("tables/scenario.txt", _text_diffs(la, lb, lambda n: f"tables/scenario.txt, line {n + 1}"))
    head = json.loads((rerun / "manifest.json").read_text(encoding="utf-8"))["headline"]
    rep.differ("headline figures (manifest.json)", _json_diffs(m["headline"], head, "manifest.json headline, "))
    if (pack_dir / "tables.xlsx").exists():
        rep.differ("tables.xlsx", [f"tables.xlsx, {d}" for d in xlsx_diffs(pack_dir / "tables.xlsx", rerun / "tables.xlsx")])
    else:
        rep.differ("tables.xlsx", ["tables.xlsx: missing from the pack"])
    rep.differ("pack.html (text)", _text_file_diffs(pack_dir, rerun, "pack.html", html_lines,
                                                    lambda at: f"under {_cut(at, 60)!r}, text"))
    rep.differ("pack.pdf (text)", _text_file_diffs(pack_dir, rerun, "pack.pdf", pdf_lines, lambda at: f"page {at},"))
    na = sorted(p.name for p in (pack_dir / "notebooks").glob("*.ipynb"))
    nb = sorted(p.name for p in (rerun / "notebooks").glob("*.ipynb"))
    diffs = [f"notebooks: pack has {na}, rerun gives {nb}"] if na != nb else []
    for name in [n for n in na if n in nb]:
        diffs += [f"notebooks/{name}, {d}" for d in notebook_diffs(pack_dir / "notebooks" / name, rerun / "notebooks" / name)]
    rep.differ("executed notebooks (outputs)", diffs)
    recorded = m.get("published") if isinstance(m.get("published"), dict) else {}
    tampered = [f"{rel}: the file differs from the sha256 manifest.json records for it" for rel, h in sorted(recorded.items())
                if (pack_dir / rel).is_file() and sha256(pack_dir / rel) != h]
    tampered += [f"{rel}: listed in manifest.json but missing from the pack" for rel in sorted(recorded) if not (pack_dir / rel).is_file()]
    if recorded:
        rep.differ("published files against their hashes in manifest.json", tampered)


def verify(pack_dir: str | Path, scenario: str | Path | None = None, data: str | Path | None = None,
           rerun: str | Path | None = None, keep_rerun: str | Path | None = None) -> Report:
    """Rerun the pack in ``pack_dir`` from its manifest and compare every published file (see the module's
    docstring). ``scenario``/``data``: where the scenario file and the data files are, when not where the
    manifest says (relative to the pack, and to the scenario). ``keep_rerun``: a new folder to keep the
    rerun pack in (default: a temporary folder, removed). ``rerun``: compare against a pack already
    rebuilt from the same inputs instead of building one (for tests; the inputs are still checked)."""
    pack_dir = Path(pack_dir)
    m = read_manifest(pack_dir)
    scen = find_scenario(pack_dir, m, Path(scenario) if scenario is not None else None)
    files = find_data(m, scen, Path(data) if data is not None else None)
    opts = find_option_files(m, scen, Path(data) if data is not None else None)
    rep = Report()
    rep.lines.append(f"scenario: {scen}")
    check_inputs(m, scen, files, rep, opts)
    check_versions(m, rep)
    work = Path(tempfile.mkdtemp(prefix="feemodel-verify-"))
    try:
        if rerun is None:
            moved = data is not None and (
                any(p != Path(os.path.normpath(scen.parent / m["data_files"][k]["path"])) for k, p in files.items())
                or any(p != Path(os.path.normpath(scen.parent / rel)) for rel, p in opts.items()))
            source = stage(scen, m, files, work / "inputs", opts) if moved else scen
            rerun = build_pack(source, Path(keep_rerun) if keep_rerun else work / "pack", force=False, progress=False)
        compare_packs(pack_dir, Path(rerun), m, rep)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rep



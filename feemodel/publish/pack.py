"""Build a consultation evidence pack: section notebooks run through papermill, one HTML and PDF.

Steps: compute every table once (bad input stops here, exit 2, nothing written); write the
published (small-number suppressed) tables to a temporary folder beside the target; run each
section notebook in ``notebooks/pack`` with papermill on a kernel that is this very Python; check
the figures the notebooks show against the model; assemble ``pack.html`` (code hidden, contents
list, no scripts), ``pack.pdf`` (WeasyPrint), ``tables.xlsx`` and ``manifest.json``; then move the
folder into place. A failing section leaves any previous pack untouched, names the section and cell,
and keeps the failed notebooks in ``<DIR>.failed`` for diagnosis.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import mistune
import nbformat

from .. import __version__
from ..errors import InputError
from ..paths import REPO_DIR, national_params_dir
from .tables import Results, compute, load_case, published_tables
from .writers import commit_target, discard_target, prepare_target, protected_inputs, release_target, write_csv, write_excel

SECTIONS_DIR = REPO_DIR / "notebooks" / "pack"
KERNEL_NAME = "feemodel-python"
PARAMETERS = {"scenario", "tables_dir"}
KERNEL_START_RETRIES = 2
CELL_TIMEOUT_S = 600
PACKAGES = ["feemodel", "pandas", "numpy", "statsmodels", "scipy", "pydantic", "papermill", "nbconvert", "nbformat",
            "ipykernel", "matplotlib", "weasyprint", "openpyxl", "jupytext"]


class PackError(Exception):
    """A section failed while running (exit code 1)."""


class SetupError(PackError):
    """The machine cannot build a pack (e.g. no fonts for the PDF); one line saying what to install (exit 1)."""


FONTS_HINT = ("no fonts found for the PDF (fontconfig lists none); install a font package and rerun, "
              "e.g. Debian/Ubuntu: apt-get install fonts-dejavu-core fontconfig")


def count_fonts() -> int:
    """How many fonts fontconfig (which WeasyPrint's Pango uses) can see; -1 if it cannot be asked.

    Pango crashes the process (SIGSEGV, no message) on a machine with no fonts at all, so the pack
    checks this before it starts."""
    import ctypes
    import ctypes.util

    try:
        fc = ctypes.CDLL(ctypes.util.find_library("fontconfig") or "libfontconfig.so.1")
    except OSError:
        return -1
    fc.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
    fc.FcConfigGetFonts.restype = ctypes.POINTER(ctypes.c_int)  # FcFontSet starts with int nfont
    fc.FcConfigGetFonts.argtypes = [ctypes.c_void_p, ctypes.c_int]
    fc.FcConfigDestroy.argtypes = [ctypes.c_void_p]
    config = fc.FcInitLoadConfigAndFonts()
    if not config:
        return 0
    try:
        fonts = fc.FcConfigGetFonts(config, 0)  # FcSetSystem
        return int(fonts[0]) if fonts else 0
    finally:
        fc.FcConfigDestroy(config)


def check_fonts() -> None:
    if count_fonts() == 0:
        raise SetupError(FONTS_HINT)


def _refuse(url: str) -> None:
    if not url.startswith("data:"):
        raise ValueError(f"pack PDF: refused to fetch {url[:80]!r} (only embedded data: URIs are allowed)")


def pdf_url_fetcher():
    """WeasyPrint's URL fetcher for a pack: the pack's own data: URIs only; no file, no network."""
    import weasyprint

    base = getattr(weasyprint, "URLFetcher", None)
    if base is None:  # WeasyPrint before 66: a function
        def fetch(url, *args, **kwargs):
            _refuse(url)
            return weasyprint.default_url_fetcher(url, *args, **kwargs)
        return fetch

    class DataOnly(base):
        def fetch(self, url, headers=None):
            _refuse(url)
            return super().fetch(url, headers)

    return DataOnly(allowed_protocols=["data"])


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def sections() -> list[Path]:
    found = sorted(SECTIONS_DIR.glob("*.ipynb"))
    if not found:
        raise PackError(f"no section notebooks in {SECTIONS_DIR}")
    return found


def _kernel_dir() -> Path:
    """A kernelspec that runs this very Python, whatever kernels are installed elsewhere."""
    root = Path(tempfile.mkdtemp(prefix="feemodel-kernel-"))
    spec = root / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", "--IPKernelApp.log_level=CRITICAL"],
        "display_name": "feemodel (this Python)", "language": "python"}))
    return root


def run_section(nb: Path, out_nb: Path, parameters: dict[str, str], kernel_root: Path) -> None:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        declared = set(pm.inspect_notebook(str(nb)))
    except ValueError as err:  # e.g. no kernelspec in the notebook's metadata
        raise PackError(f"section {nb.stem}: cannot read its parameters cell ({err})") from None
    if declared != PARAMETERS:
        raise PackError(f"section {nb.stem}: parameters cell declares {sorted(declared)}, the builder passes {sorted(PARAMETERS)}")
    os.environ["JUPYTER_PATH"] = str(kernel_root) + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    for attempt in range(KERNEL_START_RETRIES + 1):
        try:
            # no cwd=: papermill implements it with os.chdir on the whole process, which races when
            # sections run in threads; every path a section gets is absolute instead
            pm.execute_notebook(str(nb), str(out_nb), parameters=parameters, kernel_name=KERNEL_NAME,
                                progress_bar=False, log_output=False, execution_timeout=CELL_TIMEOUT_S)
            break
        except PapermillExecutionError as err:  # a cell failed: never retried
            raise PackError(f"section {nb.stem} failed in cell {err.cell_index} (execution {err.exec_count}): "
                            f"{err.ename}: {err.evalue}") from None
        except TimeoutError:  # nbclient's CellTimeoutError: a cell ran too long; never retried
            raise PackError(f"section {nb.stem} timed out in {_running_cell(out_nb)} after {CELL_TIMEOUT_S} s "
                            "(the section was not retried)") from None
        except Exception as err:  # kernel did not start or died: retry the start
            if attempt == KERNEL_START_RETRIES:
                raise PackError(f"section {nb.stem}: kernel failed ({type(err).__name__}: {err})") from None
            time.sleep(1 + attempt)
    executed = nbformat.read(out_nb, as_version=4)
    for i, cell in enumerate(executed.cells):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                raise PackError(f"section {nb.stem} failed in cell {i}: {o.get('ename')}: {o.get('evalue')}")


def _running_cell(out_nb: Path) -> str:
    """'cell N (first line)' for the cell a timed-out run was executing, from the saved notebook."""
    try:
        nb = nbformat.read(out_nb, as_version=4)
    except Exception:  # noqa: BLE001 - nothing saved: say so
        return "an unknown cell"
    last = None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and (cell.metadata.get("papermill") or {}).get("start_time"):
            last = i
    if last is None:
        return "an unknown cell"
    first = next((line for line in nb.cells[last].source.splitlines() if line.strip()), "")
    return f"cell {last} ({first[:60]!r})"


def _heading_ids(body: str, section: str, toc: list) -> str:
    def repl(m):
        level, text = m.group(1), m.group(2)
        anchor = f"{section}-{len(toc) + 1}"
        toc.append((int(level), re.sub("<[^>]+>", "", text), anchor))
        return f'<h{level} id="{anchor}">{text}</h{level}>'
    return re.sub(r"<h([12])>(.*?)</h\1>", repl, body)


class _SafeRenderer(mistune.HTMLRenderer):
    """Markdown to HTML with raw HTML escaped and images only from embedded data: URIs (a scenario
    title cannot pull a local file or a URL into the pack)."""

    def image(self, text: str, url: str, title: str | None = None) -> str:
        if not url.startswith("data:"):
            return html.escape(text)
        return super().image(text, url, title)


def assemble_html(executed: list[Path], title: str, subtitle: str) -> str:
    """One document: markdown and outputs only (code hidden), a contents list, print styles, no scripts."""
    md = mistune.create_markdown(escape=True, renderer=_SafeRenderer(escape=True), plugins=["table"])
    toc: list = []
    parts = []
    for nb_path in executed:
        nb = nbformat.read(nb_path, as_version=4)
        chunks = []
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                chunks.append(md(cell.source))
            elif cell.cell_type == "code":
                for o in cell.get("outputs", []):
                    data = o.get("data", {})
                    if "text/html" in data:
                        chunks.append("".join(data["text/html"]))
                    elif "text/markdown" in data:
                        chunks.append(md("".join(data["text/markdown"])))
                    elif "image/png" in data:
                        chunks.append(f'<img src="data:image/png;base64,{data["image/png"]}" alt="chart"/>')
                    elif o.get("output_type") == "stream" and o.get("name") == "stdout":
                        chunks.append(f"<pre>{html.escape(''.join(o.get('text', '')))}</pre>")
        parts.append(f'<section class="pack-section">{_heading_ids("".join(chunks), nb_path.stem, toc)}</section>')
    contents = "".join(f'<li class="l{lvl}"><a href="#{a}">{html.escape(t)}</a></li>' for lvl, t, a in toc)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; max-width: 60em; margin: 2em auto; color: #111; line-height: 1.4; }}
h1 {{ border-bottom: 2px solid #333; }} table.data {{ border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }}
table.data caption {{ text-align: left; font-weight: bold; margin-bottom: 0.3em; }}
table.data th, table.data td {{ border: 1px solid #999; padding: 0.2em 0.5em; text-align: right; }}
table.data th {{ background: #eee; }} table.data td:first-child, table.data th:first-child {{ text-align: left; }}
figure img {{ max-width: 100%; }} figcaption {{ font-size: 0.85em; color: #333; }}
nav li.l2 {{ margin-left: 1.5em; }} .subtitle {{ color: #444; }}
@media print {{ .pack-section {{ break-before: page; }} body {{ max-width: none; margin: 0; font-size: 10pt; }}
  table.data {{ font-size: 7.5pt; }} pre {{ font-size: 7pt; white-space: pre-wrap; }} }}
@page {{ size: A4; margin: 15mm; }}
</style></head><body>
<header><p class="subtitle">{html.escape(subtitle)}</p></header>
<nav><h2>Contents</h2><ol>{contents}</ol></nav>
{"".join(parts)}
</body></html>
"""


def _git() -> dict:
    try:
        commit = subprocess.run(["git", "-C", str(REPO_DIR), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "-C", str(REPO_DIR), "status", "--porcelain"], capture_output=True, text=True,
                                    check=True).stdout.strip())
        return {"commit": commit, "dirty": dirty}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}


def _versions() -> dict:
    out = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = None
    return out


def manifest(r: Results, started: dt.datetime, finished: dt.datetime, table_dir: Path, names: list[str]) -> dict:
    s = r.scenario
    return {
        "tool": "feemodel", "feemodel_version": __version__,
        "command": ["feemodel", "pack", str(s.path)],
        "started": started.isoformat(timespec="seconds"), "finished": finished.isoformat(timespec="seconds"),
        "seconds": round((finished - started).total_seconds(), 1),
        "scenario": {"path": str(s.path), "sha256": sha256(s.path), "council": s.council, "title": s.title,
                     "financial_year": s.year_label},
        "data_files": {k: {"path": str(s.data_path(k)), "sha256": sha256(s.data_path(k))} for k in s.data.given()},
        "national_parameters": {str(p.relative_to(national_params_dir())): sha256(p) for p in sorted(national_params_dir().rglob("*.yaml"))},
        "versions": _versions(), "git": _git(), "sections": names,
        "tables": {p.stem: sha256(p) for p in sorted(table_dir.glob("*.csv"))},
        "headline": r.headline,
        "suppression": f"counts under {s.publication.suppress_below} shown as '<{s.publication.suppress_below}>'",
    }


def _meta(r: Results) -> dict:
    s = r.scenario
    return {"council": s.council, "title": s.title, "financial_year": s.year_label, "effective_date": s.uplift.effective_date.isoformat(),
            "method": s.uplift.method, "current_structure": s.current_structure, "proposed_structure": s.proposed_structure,
            "return_convention": s.cost_of_care.return_convention, "survey_statistic": s.survey_statistic,
            "survey_exclusions": list(s.survey_exclusions), "scenario_path": str(s.path),
            "suppress_below": s.publication.suppress_below, "not_computed": dict(r.skipped)}


def check_shown(table_dir: Path, headline: dict) -> None:
    """Every figure a notebook recorded as shown must equal the model's figure."""
    for f in sorted(table_dir.glob("shown_*.json")):
        for key, value in json.loads(f.read_text()).items():
            if key in headline and headline[key] != value:
                raise PackError(f"{f.stem}: shows {key} = {value}, the model gives {headline[key]}")


def build_pack(scenario_path: str | Path, out: str | Path, force: bool = False, progress: bool = True,
               workers: int | None = None) -> Path:
    """Build the pack for one scenario into ``out``; returns the folder."""
    started = dt.datetime.now(dt.UTC)
    out = Path(out).absolute()  # kernels run in their own folder: every path they get is absolute
    case = load_case(scenario_path)     # bad input: nothing written
    scenario = case.scenario
    check_fonts()                       # no fonts: Pango would crash the process at the PDF step
    tmp = prepare_target(out, force, protected_inputs(scenario))
    kernel_root = None
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name):
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 2)
        clock = now

    try:
        r = compute(case)
        lap("compute_tables_s")
        tables = published_tables(r)
        table_dir = tmp / "tables"
        table_dir.mkdir()
        for name, frame in tables.items():
            write_csv(frame, table_dir / f"{name}.csv")
        (table_dir / "headline.json").write_text(json.dumps(r.headline, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        (table_dir / "meta.json").write_text(json.dumps(_meta(r), indent=2) + "\n", encoding="utf-8")
        nb_dir = tmp / "notebooks"
        nb_dir.mkdir()
        kernel_root = _kernel_dir()
        params_in = {"scenario": str(scenario.path), "tables_dir": str(table_dir)}
        todo = sections()
        bar = None
        if progress:
            from tqdm import tqdm
            bar = tqdm(total=len(todo), desc=f"pack {scenario.path.stem}", unit="section", file=sys.stderr)

        def one(nb):
            run_section(nb, nb_dir / nb.name, params_in, kernel_root)
            if bar:
                bar.update(1)

        try:
            with ThreadPoolExecutor(max_workers=workers or min(len(todo), os.cpu_count() or 2)) as pool:
                for f in [pool.submit(one, nb) for nb in todo]:
                    f.result()
        finally:
            if bar:
                bar.close()
        lap("run_notebooks_s")
        check_shown(table_dir, r.headline)
        executed = [nb_dir / nb.name for nb in todo]
        doc = assemble_html(executed, f"{scenario.council}: {scenario.title}",
                            f"{scenario.council} · {scenario.title} · {scenario.year_label} · consultation evidence pack")
        (tmp / "pack.html").write_text(doc, encoding="utf-8")
        import weasyprint
        lap("html_s")
        weasyprint.HTML(string=doc, base_url=str(tmp), url_fetcher=pdf_url_fetcher()).write_pdf(tmp / "pack.pdf")
        lap("pdf_s")
        write_excel(tables, tmp / "tables.xlsx", r)
        lap("excel_s")
        for f in table_dir.glob("shown_*.json"):
            f.unlink()
        finished = dt.datetime.now(dt.UTC)
        m = manifest(r, started, finished, table_dir, [n.stem for n in todo])
        m["timings"] = timings
        (tmp / "manifest.json").write_text(json.dumps(m, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    except BaseException:
        failed = out.with_name(out.name + ".failed")
        if (tmp / "notebooks").exists() and any((tmp / "notebooks").iterdir()):
            try:
                shutil.rmtree(failed, ignore_errors=True)
                release_target(tmp)
                tmp.rename(failed)
            except OSError:
                discard_target(tmp)
        else:
            discard_target(tmp)
        raise
    finally:
        if kernel_root:
            shutil.rmtree(kernel_root, ignore_errors=True)
    commit_target(tmp, out, force)
    shutil.rmtree(out.with_name(out.name + ".failed"), ignore_errors=True)
    return out


def _build_one(args):
    scenario, out, force = args
    try:
        build_pack(scenario, out, force, progress=False, workers=1)
        return (str(scenario), str(out), None, 0)
    except InputError as err:
        return (str(scenario), str(out), err.message, 2)
    except PackError as err:
        return (str(scenario), str(out), str(err), 1)


def build_many(scenarios: list[Path], out_root: Path, force: bool, processes: int | None = None) -> list[tuple]:
    """Several packs in parallel processes, each in ``out_root/<scenario file stem>``."""
    from concurrent.futures import ProcessPoolExecutor

    stems = [Path(s).stem for s in scenarios]
    if len(set(stems)) != len(stems):
        raise InputError(None, "--scenarios", "two scenario files share a name; each pack folder is named after its file")
    jobs = [(Path(s), Path(out_root) / Path(s).stem, force) for s in scenarios]
    with ProcessPoolExecutor(max_workers=processes or min(len(jobs), os.cpu_count() or 2)) as pool:
        return list(pool.map(_build_one, jobs))

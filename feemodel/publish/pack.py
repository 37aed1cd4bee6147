"""Build a consultation evidence pack: section notebooks run through papermill, one HTML and PDF.

Steps: compute every table once (bad input stops here, exit 2, nothing written); write the
published (small-number suppressed) tables to a temporary folder beside the target; run each
section notebook in ``notebooks/pack`` with papermill on a kernel that is this very Python; check
the figures the notebooks show against the model; assemble ``pack.html`` (a title page, code hidden, contents
list, no scripts), ``pack.pdf`` (WeasyPrint, tagged PDF/UA-1), ``tables.xlsx`` and ``manifest.json``; then move the
folder into place. A failing section leaves any previous pack untouched, names the section and cell,
and keeps the failed notebooks in ``<DIR>.failed`` for diagnosis.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import logging
import os
import platform
import re
import shutil
import sys
import tempfile
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import mistune
import nbformat

from .. import __version__
from ..errors import InputError
from ..paths import REPO_DIR, national_params_dir
from .pdf import PDF_VARIANT, Renderer, RenderError, pdf_url_fetcher, write_pdf  # noqa: F401 - re-exported
from .tables import Results, compute, load_case, published_exclusions, published_headline, published_scenario_text, published_tables
from .writers import (commit_target, discard_target, git_state, prepare_target, protected_inputs, release_target, write_csv,
                      write_excel)

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


def _use_kernel_root(kernel_root: Path) -> None:
    """Put ``kernel_root`` (from :func:`_kernel_dir`) first on JUPYTER_PATH, once."""
    first = os.environ.get("JUPYTER_PATH", "").split(os.pathsep)[0]
    if first != str(kernel_root):
        os.environ["JUPYTER_PATH"] = str(kernel_root) + os.pathsep + os.environ.get("JUPYTER_PATH", "")


def run_section(nb: Path, out_nb: Path, parameters: dict[str, str], kernel_root: Path, pool: KernelPool | None = None) -> None:
    """Run one section notebook with papermill into ``out_nb``: on a kernel of ``pool`` (reset to a
    fresh namespace first), or without a pool on a kernel started for it and shut down after. A cell
    that fails or times out stops the section (never retried); a kernel that fails to start or dies is
    started again, up to KERNEL_START_RETRIES times."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        declared = set(pm.inspect_notebook(str(nb)))
    except ValueError as err:  # e.g. no kernelspec in the notebook's metadata
        raise PackError(f"section {nb.stem}: cannot read its parameters cell ({err})") from None
    if declared != PARAMETERS:
        raise PackError(f"section {nb.stem}: parameters cell declares {sorted(declared)}, the builder passes {sorted(PARAMETERS)}")
    _use_kernel_root(kernel_root)
    for attempt in range(KERNEL_START_RETRIES + 1):
        lease = pool.lease() if pool else None
        try:
            extra = lease.ready(CELL_TIMEOUT_S) if lease else {}
            # no cwd=: papermill implements it with os.chdir on the whole process, which races when
            # sections run in threads; every path a section gets is absolute instead
            pm.execute_notebook(str(nb), str(out_nb), parameters=parameters, kernel_name=KERNEL_NAME,
                                progress_bar=False, log_output=False, execution_timeout=CELL_TIMEOUT_S, **extra)
            break
        except PapermillExecutionError as err:  # a cell failed: never retried
            raise PackError(f"section {nb.stem} failed in cell {err.cell_index} (execution {err.exec_count}): "
                            f"{err.ename}: {err.evalue}") from None
        except TimeoutError:  # nbclient's CellTimeoutError: a cell ran too long; never retried
            if lease:
                lease.broken = True  # still running the cell
            raise PackError(f"section {nb.stem} timed out in {_running_cell(out_nb)} after {CELL_TIMEOUT_S} s "
                            "(the section was not retried)") from None
        except Exception as err:  # kernel did not start or died: retry the start
            if lease:
                lease.broken = True
            if attempt == KERNEL_START_RETRIES:
                raise PackError(f"section {nb.stem}: kernel failed ({type(err).__name__}: {err})") from None
            time.sleep(1 + attempt)
        finally:
            if lease:
                lease.release()
    executed = nbformat.read(out_nb, as_version=4)
    for i, cell in enumerate(executed.cells):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                raise PackError(f"section {nb.stem} failed in cell {i}: {o.get('ename')}: {o.get('evalue')}")


# What a pooled kernel imports as it starts, while the builder computes the tables: everything the
# sections import, and matplotlib with its font list (the charts). Modules only, no names: the
# namespace a section sees is empty.
WARM_UP = ("import IPython.display, pandas, feemodel.publish.report, feemodel.publish.brief, feemodel.publish.evidence, "
           "feemodel.publish.labels, feemodel.model.equality; feemodel.publish.report.warm_kernel()")
RESET = "__import__('feemodel.publish.report').publish.report.reset_kernel(get_ipython())"
POOL_ENGINE = "feemodel-pool"


class _Slot:
    """One kernel of a :class:`KernelPool` and the connection to it, used by one thread for the whole
    build (the connection's sockets belong to that thread's event loop)."""

    def __init__(self, pool: KernelPool, km):
        self.pool, self.km, self.kc = pool, km, None
        self.used = self.broken = False

    def ready(self, timeout: float) -> dict:
        """papermill's arguments to run on this kernel, its namespace fresh: connected once (waiting
        for its start-up imports), and reset (:func:`feemodel.publish.report.reset_kernel`: empty
        namespace, execution count 1) when it has run a section before."""
        from jupyter_core.utils import run_sync

        if self.kc is None:
            run_sync(self._connect)(timeout)
        if self.used:
            run_sync(self._reset)(timeout)
        self.used = True
        return {"engine_name": POOL_ENGINE, "km": self.km, "kc": self.kc}

    async def _connect(self, timeout: float) -> None:
        kc = self.km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=timeout)
        except BaseException:
            kc.stop_channels()
            raise
        kc.allow_stdin = False
        self.kc = kc

    async def _reset(self, timeout: float) -> None:
        # on the shell channel only: the reply comes once the reset has run, and the section's cells
        # queue behind it on the same channel
        msg_id = self.kc.execute(RESET, silent=True, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + timeout
        while True:
            reply = await self.kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"kernel reset failed: {reply['content'].get('evalue')}")

    def release(self) -> None:
        if self.broken:
            self.pool.replace(self)


class KernelPool:
    """``size`` kernels for a pack's sections, started together as the build begins so that their
    start-up and imports (:data:`WARM_UP`) overlap the table computation. Each thread that runs
    sections has one kernel (:meth:`lease`) and runs its sections there one after another, the
    kernel reset between them, so a section sees what a new kernel shows it (an empty namespace,
    execution counts from 1, matplotlib's defaults) without paying a new kernel's start-up and a new
    connection. A kernel that died or timed out is replaced by a new one."""

    def __init__(self, size: int, kernel_root: Path):
        import queue

        _use_kernel_root(kernel_root)
        _register_pool_engine()
        self.free: queue.Queue = queue.Queue()
        self.slots: list[_Slot] = []
        self.by_thread: dict[int, _Slot] = {}
        for _ in range(size):
            slot = _Slot(self, self._start())
            self.slots.append(slot)
            self.free.put(slot)

    @staticmethod
    def _start():
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        km = AsyncKernelManager(kernel_name=KERNEL_NAME)
        run_sync(km.start_kernel)(extra_arguments=[f"--IPKernelApp.exec_lines={WARM_UP}"])
        return km

    def lease(self) -> _Slot:
        """The calling thread's kernel (the first call takes a free one)."""
        import threading

        me = threading.get_ident()
        if me not in self.by_thread:
            self.by_thread[me] = self.free.get()
        return self.by_thread[me]

    def replace(self, slot: _Slot) -> None:
        """A new kernel in place of the slot's (which died, or is still running a timed-out cell)."""
        self._stop(slot)
        slot.km, slot.kc, slot.used, slot.broken = self._start(), None, False, False

    @staticmethod
    def _stop(slot: _Slot) -> None:
        from jupyter_core.utils import run_sync

        if slot.kc is not None:
            slot.kc.stop_channels()
        try:
            run_sync(slot.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - already gone
            pass

    def close(self) -> None:
        for slot in self.slots:
            self._stop(slot)
        self.slots = []


def _register_pool_engine() -> None:
    """Register with papermill an engine that runs a notebook on a kernel that is already running,
    through a connection that is already open (papermill's own nbclient engine, given both)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    if POOL_ENGINE in papermill_engines._engines:
        return

    class PooledEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                     start_timeout=60, execution_timeout=None, km=None, kc=None, **kwargs):
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout, kernel_name=kernel_name,
                                 log=logging.getLogger("papermill"), log_output=log_output, stdout_file=stdout_file,
                                 stderr_file=stderr_file)
            client = PapermillNotebookClient(nb_man, km=km, **final)
            client.kc = kc  # connected already: nbclient neither reconnects nor closes it
            return client.execute()

    papermill_engines.register(POOL_ENGINE, PooledEngine)


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


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def long_date(d: dt.date) -> str:
    """'12 January 2026': a date as a UK reader writes it, the same on every machine (no locale)."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


@dataclass(frozen=True)
class TitlePage:
    """What the pack's title page shows. ``built`` is the build's date (UTC); ``consultation`` the
    first and last day of the consultation (inclusive), or None where the scenario does not state
    them; ``contact`` None where not stated. Each missing item is shown as "not stated": the page
    never supplies a date or an address of its own."""

    council: str
    title: str
    financial_year: str
    status: str
    built: dt.date
    consultation: tuple[dt.date, dt.date] | None = None
    contact: str | None = None

    @classmethod
    def from_scenario(cls, scenario, built: dt.date) -> TitlePage:
        pub = scenario.publication
        period = (pub.consultation.opens, pub.consultation.closes) if pub.consultation else None
        return cls(council=scenario.council, title=scenario.title, financial_year=scenario.year_label, status=pub.status,
                   built=built, consultation=period, contact=pub.contact)

    def html(self, subtitle: str) -> str:
        e = html.escape
        period = (f"{long_date(self.consultation[0])} to {long_date(self.consultation[1])}" if self.consultation
                  else "not stated")
        start = int(self.financial_year[:4])
        facts = [("Financial year", f"{self.financial_year} (1 April {start} to 31 March {start + 1})"),
                 ("Consultation period", period),
                 ("Contact", self.contact or "not stated"),
                 ("Date built", long_date(self.built))]
        rows = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts)
        return (f'<header class="title-page"><p class="council">{e(self.council)}</p>\n'
                f'<h1 id="document-title">{e(self.title)}</h1>\n<p class="subtitle">{e(subtitle)}</p>\n'
                f'<p class="status">Status: <strong class="status-value">{e(self.status.capitalize())}</strong></p>\n'
                f'<dl class="facts">{rows}</dl></header>')


_HEADING_TAG = re.compile(r"<(/?)h([1-6])(?=[\s>])", re.IGNORECASE)


def _shift_headings(body: str) -> str:
    """One level down (h1 -> h2 ... h5 -> h6): the document title is the pack's only h1, so a
    section's ``#`` heading becomes h2 and its ``##`` sub-headings h3."""
    return _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 1, 6)}", body)


def _heading_ids(body: str, section: str, toc: list) -> str:
    """Give each section (h2) and sub-section (h3) heading an id, and list it in ``toc``."""
    def repl(m):
        level, text = m.group(1), m.group(2)
        anchor = f"{section}-{len(toc) + 1}"
        toc.append((int(level), re.sub("<[^>]+>", "", text), anchor))
        return f'<h{level} id="{anchor}">{text}</h{level}>'
    return re.sub(r"<h([23])>(.*?)</h\1>", repl, body)


def _contents(toc: list) -> str:
    """The contents as a nested list: sections, each with its sub-sections."""
    out, open_sub = [], False
    for level, text, anchor in toc:
        link = f'<a href="#{anchor}">{html.escape(text)}</a>'
        if level == 2:
            if open_sub:
                out.append("</ol></li>")
                open_sub = False
            elif out:
                out.append("</li>")
            out.append(f"<li>{link}")
        else:
            if not out:  # a sub-heading before any section heading: list it at the top level
                out.append(f"<li>{link}")
                continue
            out.append(f"<li>{link}</li>" if open_sub else f"<ol><li>{link}</li>")
            open_sub = True
    if out:
        out.append("</ol></li>" if open_sub else "</li>")
    return f"<ol>{''.join(out)}</ol>"


class _SafeRenderer(mistune.HTMLRenderer):
    """Markdown to HTML with raw HTML escaped and images only from embedded data: URIs (a scenario
    title cannot pull a local file or a URL into the pack)."""

    def image(self, text: str, url: str, title: str | None = None) -> str:
        if not url.startswith("data:"):
            return html.escape(text)
        return super().image(text, url, title)


def _markdown():
    md = mistune.create_markdown(escape=True, renderer=_SafeRenderer(escape=True), plugins=["table"])
    # a Markdown table's header cells head their columns (its body has no header cells)
    return lambda text: re.sub(r"<th(?=[\s>])(?![^>]*\bscope=)", '<th scope="col"', md(text))


CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; color: #111;
       line-height: 1.4; background: #fff; }
a { color: #1d4f91; }
h1 { font-size: 2em; margin: 0.3em 0 0.5em; } h2 { border-bottom: 2px solid #333; }
.title-page { margin-bottom: 2em; } .title-page .council { font-size: 1.3em; font-weight: bold; margin: 0; }
.title-page .subtitle { color: #333; }
.title-page .status { display: inline-block; border: 3px solid #111; padding: 0.3em 0.8em; font-size: 1.4em; }
.facts { display: grid; grid-template-columns: max-content auto; gap: 0.3em 1.5em; }
.facts dt { font-weight: bold; } .facts dd { margin: 0; }
table.data { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }
table.data caption { text-align: left; font-weight: bold; margin-bottom: 0.3em; }
table.data th, table.data td { border: 1px solid #767676; padding: 0.2em 0.5em; text-align: right; }
table.data th { background: #eee; } table.data td:first-child, table.data th:first-child { text-align: left; }
figure img { max-width: 100%; } figcaption { font-size: 0.85em; color: #333; }
nav ol ol { list-style: lower-alpha; } nav a { display: inline-block; min-height: 24px; line-height: 24px; }
.title-page .council { string-set: council content(text); } .status-value { string-set: status content(text); }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  .title-page { padding-top: 12mm; } .title-page h1 { font-size: 24pt; }
  nav[aria-label="Contents"] { break-after: page; font-size: 9pt; } nav[aria-label="Contents"] a { min-height: 0; line-height: 1.3; }
  table.data tr { break-inside: avoid; }
  .facts { display: block; } .facts dt { margin-top: 0.6em; }
  .pack-section { break-before: page; }
  table.data { font-size: 7.5pt; } pre { font-size: 7pt; white-space: pre-wrap; }
  main > section:first-child { font-size: 9pt; line-height: 1.3; } main > section:first-child p { margin: 0.4em 0; }
  table.brief { font-size: 7pt; margin: 0.4em 0; } table.brief th, table.brief td { padding: 0.1em 0.35em; }
  table.inputs { font-size: 6.5pt; } table.inputs td.source { font-size: 6pt; } }
table.inputs td.source, table.inputs td:nth-child(2) { text-align: left; } table.inputs tr.result td { font-weight: bold; }
dl.glossary dt { font-weight: bold; margin-top: 0.4em; } dl.glossary dd { margin-left: 1.5em; }
@page { size: A4; margin: 15mm 15mm 18mm;
  @bottom-left { content: string(council) " · " string(status); font: 8pt "DejaVu Sans", Arial, sans-serif; color: #333; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt "DejaVu Sans", Arial, sans-serif; color: #333; } }
"""


def assemble_html(executed: list[Path], title: str, subtitle: str, front: TitlePage | None = None) -> str:
    """One document: a title page (``front``: the document title is the only h1; without it, ``title``
    alone), a contents list, then each section notebook's markdown and outputs (code hidden) with its
    headings one level down, print styles with "Page N of M" on every page, no scripts.

    Landmarks: the title page is the header, the contents a nav, the sections the main content,
    each a section labelled by its heading. An image output that did not come through
    ``report.figure_html`` (which gives alt text and a caption) has no description, so it is left
    out with a warning naming the section and cell."""
    md = _markdown()
    toc: list = []
    parts = []
    for nb_path in executed:
        nb = nbformat.read(nb_path, as_version=4)
        chunks = []
        for i, cell in enumerate(nb.cells):
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
                        warnings.warn(f"pack: section {nb_path.stem} cell {i} shows an image with no description; left out "
                                      "(draw charts with report.figure_html, which gives alt text and a caption)", stacklevel=2)
                    elif o.get("output_type") == "stream" and o.get("name") == "stdout":
                        chunks.append(f"<pre>{html.escape(''.join(o.get('text', '')))}</pre>")
        first = len(toc)
        body = _heading_ids(_shift_headings("".join(chunks)), nb_path.stem, toc)
        label = f' aria-labelledby="{toc[first][2]}"' if len(toc) > first and toc[first][0] == 2 else ""
        parts.append(f'<section class="pack-section"{label}>{body}</section>')
    if front is None:
        header = f'<header class="title-page"><h1 id="document-title">{html.escape(title)}</h1>\n<p class="subtitle">{html.escape(subtitle)}</p></header>'
        meta = ""
    else:
        header = front.html(subtitle)
        meta = (f'<meta name="author" content="{html.escape(front.council)}">'
                f'<meta name="description" content="{html.escape(subtitle)}">'
                f'<meta name="dcterms.created" content="{front.built.isoformat()}">')
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>{meta}
<style>{CSS}</style></head><body>
{header}
<nav aria-label="Contents"><h2 id="contents">Contents</h2>{_contents(toc)}</nav>
<main>
{"".join(parts)}
</main>
</body></html>
"""


LOCK_FILE = REPO_DIR / "requirements.lock"


def _versions() -> dict:
    """The running Python's version and the installed version of each of :data:`PACKAGES` (None where
    a package is not installed)."""
    out = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = None
    return out


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins(path: Path = LOCK_FILE) -> dict[str, str]:
    """``{package: version}`` pinned by a lock file of ``name==version`` lines (``uv pip compile`` or
    ``pip-compile`` output); {} when there is no lock file."""
    if not Path(path).is_file():
        return {}
    pins = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)", line)
        if m:
            pins[_canonical(m.group(1))] = m.group(2)
    return pins


def lock_state(path: Path = LOCK_FILE) -> dict:
    """The lock file as the manifest records it: its sha256 (None when there is none) and every pinned
    package whose installed version differs from its pin (``{package: {"locked": v, "installed": v or
    None}}``; empty when the environment was installed from the lock)."""
    pins = lock_pins(path)
    drift = {}
    for name, pinned in sorted(pins.items()):
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            have = None
        if have != pinned:
            drift[name] = {"locked": pinned, "installed": have}
    return {"file": Path(path).name, "sha256": sha256(path) if Path(path).is_file() else None, "differs": drift}


def published_files(folder: Path) -> dict[str, str]:
    """``{path inside the pack (POSIX): sha256}`` of every file the pack publishes (pack.html,
    pack.pdf, tables.xlsx, tables/*, notebooks/*.ipynb); manifest.json itself aside, and hidden files
    (a dot first) aside."""
    folder = Path(folder)
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if p.is_file() and rel.as_posix() != "manifest.json" and not any(part.startswith(".") for part in rel.parts):
            out[rel.as_posix()] = sha256(p)
    return out


def _relative(path: Path, start: Path) -> str:
    """``path`` relative to the folder ``start``, POSIX style (``..`` where needed)."""
    return Path(os.path.relpath(Path(path).absolute(), Path(start).absolute())).as_posix()


def option_files(s) -> dict[str, str]:
    """``{path relative to the scenario's folder (POSIX): sha256}`` of each scenario the scenario names in
    ``options_considered`` (costed beside it in the options table) and of each data file those name that
    is not one of the scenario's own; files that are missing are left out (the table then says so)."""
    from ..inputs.scenario import load_scenario

    own = {Path(os.path.normpath(s.data_path(k))) for k in s.data.given()}
    out: dict[str, str] = {}
    for opt in s.options_considered:
        p = Path(os.path.normpath(s.folder / opt.scenario))
        if not p.is_file():
            continue
        out[_relative(p, s.folder)] = sha256(p)
        try:
            other = load_scenario(p, check_files=False)
        except (InputError, OSError):  # an option that cannot be read is reported by the options table
            continue
        for k in other.data.given():
            d = Path(os.path.normpath(other.data_path(k)))
            if d not in own and d.is_file():
                out[_relative(d, s.folder)] = sha256(d)
    return dict(sorted(out.items()))


def manifest(r: Results, started: dt.datetime, finished: dt.datetime, table_dir: Path, names: list[str],
             published: dict | None = None) -> dict:
    """What ``manifest.json`` records, with no absolute path, so a pack copied to another machine can be
    rerun there (``feemodel verify``):

    - ``scenario``: its file name, its sha256 and ``from_pack``: where it was, relative to the pack
      folder (``table_dir``'s parent sits beside the final folder, so the path holds after the move);
    - ``data_files``: each data file's path as the scenario gives it (relative to the scenario's
      folder) and its sha256; ``option_files``: the same for the other scenarios the options table
      costs (``options_considered``) and their own data files (:func:`option_files`);
    - ``national_parameters``: each national parameter file (relative to the national parameters
      folder) and its sha256; ``national_parameters_dir``: that folder relative to the scenario's;
    - ``published``: the sha256 of every published file in the pack folder at the time of the call
      (call it after pack.pdf, tables.xlsx and the executed notebooks are written), ``tables`` the
      same for the CSV tables by name;
    - ``versions`` (Python and the main packages), ``lock`` (the lock file's sha256 and any installed
      version that differs from it), ``git``, the headline figures as published, the start and
      finish times (UTC)."""
    s = r.scenario
    folder = Path(table_dir).parent
    pack_parent = folder.absolute().parent
    return {
        "tool": "feemodel", "feemodel_version": __version__,
        "command": ["feemodel", "pack", s.path.name],
        "started": started.isoformat(timespec="seconds"), "finished": finished.isoformat(timespec="seconds"),
        "seconds": round((finished - started).total_seconds(), 1),
        "scenario": {"file": s.path.name, "from_pack": "../" + _relative(s.path, pack_parent), "sha256": sha256(s.path),
                     "council": s.council, "title": s.title, "financial_year": s.year_label},
        "data_files": {k: {"path": Path(s.data.spec(k).path).as_posix(), "sha256": sha256(s.data_path(k))} for k in s.data.given()},
        "option_files": option_files(s),
        "national_parameters_dir": _relative(national_params_dir(), s.folder),
        "national_parameters": {p.relative_to(national_params_dir()).as_posix(): sha256(p)
                                for p in sorted(national_params_dir().rglob("*.yaml"))},
        "versions": _versions(), "lock": lock_state(), "git": git_state(), "sections": names,
        "tables": {p.stem: sha256(p) for p in sorted(Path(table_dir).glob("*.csv"))},
        "published": published_files(folder),
        "headline": published_headline(r.headline, published or {}, s.publication.suppress_below),
        "suppression": f"counts under {s.publication.suppress_below} shown as '<{s.publication.suppress_below}'",
    }


def _meta(r: Results) -> dict:
    s = r.scenario
    return {"council": s.council, "title": s.title, "financial_year": s.year_label, "effective_date": s.uplift.effective_date.isoformat(),
            "method": s.uplift.method, "current_structure": s.current_structure, "proposed_structure": s.proposed_structure,
            "return_convention": s.cost_of_care.return_convention, "survey_statistic": s.survey_statistic,
            "survey_exclusions": published_exclusions(r.case), "scenario_path": s.path.name,  # no absolute path in a pack
            "suppress_below": s.publication.suppress_below, "not_computed": dict(r.skipped),
            "decision": s.decision, "survey_date": s.survey_date.isoformat() if s.survey_date else None,
            "survey_price_base": f"{s.survey_price_base.year}/{(s.survey_price_base.year + 1) % 100:02d}" if s.survey_price_base else None,
            "self_funder_pass_through_pct": s.uplift.self_funder_pass_through_pct}


def write_tables(r: Results, table_dir: Path) -> dict:
    """Write the folder the section notebooks read (``tables_dir``) and return the published tables:
    one CSV per published (suppressed) table, ``headline.json`` (the published headline),
    ``meta.json`` (what the sections say about the scenario) and ``scenario.txt`` (the scenario as the
    appendix shows it). ``table_dir`` must not exist yet. The pack and a section run by hand
    (:func:`feemodel.publish.report.load` without ``tables_dir``) both write it here, so both read
    the same bytes."""
    s = r.scenario
    tables = published_tables(r)
    table_dir.mkdir()
    for name, frame in tables.items():
        write_csv(frame, table_dir / f"{name}.csv")
    public = published_headline(r.headline, tables, s.publication.suppress_below)
    (table_dir / "headline.json").write_text(json.dumps(public, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (table_dir / "meta.json").write_text(json.dumps(_meta(r), indent=2) + "\n", encoding="utf-8")
    (table_dir / "scenario.txt").write_text(published_scenario_text(r.case), encoding="utf-8")
    return tables


def check_shown(table_dir: Path, headline: dict) -> None:
    """Every figure a notebook recorded as shown must equal the model's figure."""
    for f in sorted(table_dir.glob("shown_*.json")):
        for key, value in json.loads(f.read_text()).items():
            if key in headline and headline[key] != value:
                raise PackError(f"{f.stem}: shows {key} = {value}, the model gives {headline[key]}")


STAGES = ("tables", "html", "pdf", "manifest")  # the progress bar's steps besides one per section


def build_pack(scenario_path: str | Path, out: str | Path, force: bool = False, progress: bool = True,
               workers: int | None = None) -> Path:
    """Build the pack for one scenario into ``out``; returns the folder.

    What runs at once (the pack's critical path is kernels, then PDF): the section kernels
    (:class:`KernelPool`, ``workers`` of them, default one per core) and the PDF renderer
    (:class:`feemodel.publish.pdf.Renderer`) start first and load their imports while the tables are
    computed; the sections then run on the pool; the PDF renders in its own process while the Excel
    workbook and the manifest are written. ``progress``: a bar over the sections and stages on
    stderr, shown only when stderr is a terminal."""
    started = dt.datetime.now(dt.UTC)
    out = Path(out).absolute()  # kernels run in their own folder: every path they get is absolute
    case = load_case(scenario_path)     # bad input: nothing written
    scenario = case.scenario
    check_fonts()                       # no fonts: Pango would crash the process at the PDF step
    tmp = prepare_target(out, force, protected_inputs(scenario))
    kernel_root = pool = renderer = bar = None
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name):
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 2)
        clock = now

    def step(what: str, done: bool = True):
        if bar is not None:
            if done:
                bar.update(1)
            bar.set_postfix_str(what, refresh=True)

    try:
        todo = sections()
        if progress:
            from tqdm import tqdm
            # disable=None: off when stderr is not a terminal (a log file, CI, a pipe)
            bar = tqdm(total=len(todo) + len(STAGES), desc=f"pack {scenario.path.stem}", unit="step", file=sys.stderr,
                       disable=None)
        step("starting kernels, computing tables", done=False)
        n = max(1, workers or min(len(todo), os.cpu_count() or 2))
        kernel_root = _kernel_dir()
        pool = KernelPool(n, kernel_root)  # kernels start and import while the tables are computed
        renderer = Renderer()              # so does WeasyPrint, in a process of its own
        r = compute(case)
        table_dir = tmp / "tables"
        tables = write_tables(r, table_dir)
        lap("compute_tables_s")
        step("running sections")
        nb_dir = tmp / "notebooks"
        nb_dir.mkdir()
        params_in = {"scenario": str(scenario.path), "tables_dir": str(table_dir)}

        def one(nb):
            run_section(nb, nb_dir / nb.name, params_in, kernel_root, pool)
            step(f"section {nb.stem} done")

        with ThreadPoolExecutor(max_workers=n) as threads:
            for f in [threads.submit(one, nb) for nb in todo]:
                f.result()
        pool.close()  # the PDF renderer gets the cores
        pool = None
        lap("run_notebooks_s")
        check_shown(table_dir, r.headline)
        executed = [nb_dir / nb.name for nb in todo]
        front = TitlePage.from_scenario(scenario, started.date())
        doc = assemble_html(executed, f"{scenario.council}: {scenario.title}",
                            f"Care home fees {scenario.year_label}: consultation evidence pack", front)
        (tmp / "pack.html").write_text(doc, encoding="utf-8")
        lap("html_s")
        step("PDF, Excel")
        renderer.render(tmp / "pack.html", tmp)  # renders in its own process while the workbook and manifest are made
        write_excel(tables, tmp / "tables.xlsx", r)
        timings["excel_s"] = round(time.perf_counter() - clock, 2)
        for f in table_dir.glob("shown_*.json"):
            f.unlink()
        m = manifest(r, started, dt.datetime.now(dt.UTC), table_dir, [n.stem for n in todo], tables)
        try:
            renderer.wait()
        except RenderError as err:
            raise PackError(f"pack.pdf: {err}") from None
        timings["pdf_render_s"] = renderer.seconds
        m["published"] = published_files(tmp)  # again now pack.pdf is written (made beside the workbook and manifest)
        lap("pdf_excel_manifest_s")
        step("manifest")
        finished = dt.datetime.now(dt.UTC)  # the build ends when the PDF is written
        if "finished" in m:
            m["finished"] = finished.isoformat(timespec="seconds")
            m["seconds"] = round((finished - started).total_seconds(), 1)
        m["timings"] = timings
        (tmp / "manifest.json").write_text(json.dumps(m, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
        step("done")
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
        if bar is not None:
            bar.close()
        if pool is not None:
            pool.close()
        if renderer is not None:
            renderer.close()
        if kernel_root:
            shutil.rmtree(kernel_root, ignore_errors=True)
    commit_target(tmp, out, force)
    shutil.rmtree(out.with_name(out.name + ".failed"), ignore_errors=True)
    return out


BATCH_FIGURES = ("council_net_change_part_year_gbp", "council_net_change_full_year_gbp", "gross_change_part_year_gbp",
                 "placements_affected", "placements_protected")


def _build_one(args) -> dict:
    """One pack of a batch, never raising: a row of ``batch.csv`` (scenario, status ``built`` /
    ``bad input`` / ``failed``, the headline figures as published, seconds, pack folder, error)."""
    scenario, out, force = args
    t = time.perf_counter()
    row = {"scenario": str(scenario), "status": "built", **{k: None for k in BATCH_FIGURES}, "seconds": None,
           "pack": str(out), "error": "", "exit_code": 0}
    try:
        build_pack(scenario, out, force, progress=False, workers=1)
        head = json.loads((Path(out) / "manifest.json").read_text(encoding="utf-8"))["headline"]
        row.update({k: head.get(k) for k in BATCH_FIGURES})
    except InputError as err:
        row.update(status="bad input", error=err.message, exit_code=2, pack="")
    except PackError as err:
        row.update(status="failed", error=str(err), exit_code=1, pack="")
    except Exception as err:  # noqa: BLE001 - one scenario's failure must not stop the batch
        row.update(status="failed", error=f"{type(err).__name__}: {err}", exit_code=1, pack="")
    row["seconds"] = round(time.perf_counter() - t, 1)
    return row


def build_many(scenarios: list[Path], out_root: Path, force: bool, processes: int | None = None, progress: bool | None = None,
               scheduler: str | None = None) -> list[dict]:
    """Several packs, each in ``out_root/<scenario file stem>``, and ``out_root/batch.csv`` with one row
    per scenario (see :func:`_build_one`). A scenario that fails is reported in its row; the others
    still build.

    Mapped with Dask when it is installed (``feemodel[dask]``; ``scheduler``: None or ``"local"`` for
    local worker processes, an address such as ``tcp://host:8786`` for an existing cluster whose
    workers see the same files), else with a pool of ``processes`` local processes (``scheduler=
    "none"`` forces that). ``progress``: a bar over the batch on stderr (default: when stderr is a
    terminal)."""
    from tqdm import tqdm

    stems = [Path(s).stem for s in scenarios]
    if len(set(stems)) != len(stems):
        raise InputError(None, "--scenarios", "two scenario files share a name; each pack folder is named after its file")
    out_root = Path(out_root).absolute()
    jobs = [(Path(s).absolute(), out_root / Path(s).stem, force) for s in scenarios]
    n = processes or min(len(jobs), os.cpu_count() or 2)
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=len(jobs), desc="batch", unit="pack", file=sys.stderr, disable=not show)
    rows: dict[int, dict] = {}
    try:
        if scheduler != "none" and _have_dask():
            from distributed import Client, LocalCluster, as_completed

            cluster = None
            if scheduler and scheduler != "local":
                client = Client(scheduler, timeout="20s")
            else:
                cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50)
                client = Client(cluster)
            try:
                futures = {client.submit(_build_one, job, pure=False): i for i, job in enumerate(jobs)}
                for fut in as_completed(futures):
                    rows[futures[fut]] = fut.result()
                    bar.update(1)
            finally:
                client.close()
                if cluster is not None:
                    cluster.close()
        else:
            from concurrent.futures import ProcessPoolExecutor, as_completed

            with ProcessPoolExecutor(max_workers=n) as pool:
                futures = {pool.submit(_build_one, job): i for i, job in enumerate(jobs)}
                for fut in as_completed(futures):
                    rows[futures[fut]] = fut.result()
                    bar.update(1)
    finally:
        bar.close()
    ordered = [rows[i] for i in range(len(jobs))]
    write_batch_csv(ordered, out_root / "batch.csv")
    return ordered


def write_batch_csv(rows: list[dict], path: Path) -> None:
    """``batch.csv``: scenario, status, the headline figures (£; counts of placements), seconds, pack folder, error."""
    import pandas as pd

    path.parent.mkdir(parents=True, exist_ok=True)
    cols = ["scenario", "status", *BATCH_FIGURES, "seconds", "pack", "error"]
    write_csv(pd.DataFrame(rows, columns=cols + ["exit_code"])[cols], path)


def _have_dask() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True

"""``pack.pdf`` from a pack's HTML with WeasyPrint, in the builder's process or in one of its own.

Kept apart from :mod:`feemodel.publish.pack` (which imports the model) so that a renderer process
starts with nothing but WeasyPrint: the builder starts it as a build begins (its imports and fonts
load while the tables are computed), then it renders the PDF while the builder writes the Excel
workbook and the manifest (:class:`Renderer`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

PDF_VARIANT = "pdf/ua-1"


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


def write_pdf(doc: str, folder: Path) -> Path:
    """``folder/pack.pdf`` from the assembled HTML: a tagged PDF/UA-1 document (structure tree with
    headings, lists, tables with their header cells, figures with their alt text; the language and
    title from the HTML, the title shown in the viewer's title bar), fetching nothing but the pack's
    own data: URIs."""
    import weasyprint

    out = Path(folder) / "pack.pdf"
    weasyprint.HTML(string=doc, base_url=str(folder), url_fetcher=pdf_url_fetcher()).write_pdf(out, pdf_variant=PDF_VARIANT)
    return out


class RenderError(Exception):
    """The renderer process failed; the message says how (its error, or the signal that ended it)."""


class Renderer:
    """A renderer process (``python -m feemodel.publish.pdf``), started at once: it imports WeasyPrint
    and loads the fonts, then waits. :meth:`render` hands it the HTML file; :meth:`wait` returns the
    PDF's path once written, or raises :class:`RenderError`. :meth:`close` ends it if still running."""

    def __init__(self):
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])  # the folder holding this very feemodel
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.proc = subprocess.Popen([sys.executable, "-m", "feemodel.publish.pdf"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.out: Path | None = None
        self.seconds: float | None = None

    def render(self, html_file: Path, folder: Path) -> None:
        self.out = Path(folder) / "pack.pdf"
        try:
            self.proc.stdin.write(json.dumps({"html": str(html_file), "folder": str(folder)}) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # it has ended: wait() says why

    def wait(self) -> Path:
        stdout, stderr = self.proc.communicate()
        lines = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
        if self.proc.returncode == 0 and lines and lines[-1].get("ok"):
            self.seconds = lines[-1].get("seconds")
            if stderr.strip():
                sys.stderr.write(stderr)
            return self.out
        if lines and "error" in lines[-1]:
            raise RenderError(lines[-1]["error"])
        how = f"ended by signal {-self.proc.returncode}" if self.proc.returncode < 0 else f"exit code {self.proc.returncode}"
        tail = stderr.strip().splitlines()[-1:] or ["no message"]
        raise RenderError(f"the PDF renderer stopped ({how}): {tail[0]}")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


def _serve() -> int:
    """The renderer process: load WeasyPrint and the fonts, read one request, render, answer."""
    import weasyprint

    weasyprint.HTML(string='<p style="font-family: DejaVu Sans">x</p>').render()  # fonts loaded before the request
    line = sys.stdin.readline()
    if not line.strip():
        return 0  # the build stopped before its PDF
    req = json.loads(line)
    started = time.perf_counter()
    try:
        write_pdf(Path(req["html"]).read_text(encoding="utf-8"), Path(req["folder"]))
    except Exception as err:  # noqa: BLE001 - reported to the builder, which stops
        print(json.dumps({"error": f"{type(err).__name__}: {err}"}), flush=True)
        return 1
    print(json.dumps({"ok": True, "seconds": round(time.perf_counter() - started, 2)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_serve())

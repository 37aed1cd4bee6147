"""An accessible pack: a title page, one h1, headings in order, landmarks, a tagged PDF/UA PDF, and
axe-core (the copy shipped in the axe-playwright-python package, nothing fetched) finding no serious
or critical problem in pack.html in headless Chromium.

The browser test needs Debian's chromium (``.ci/run`` installs it): skipped where it is missing,
except on CI (``CI=true``), where a missing browser or axe script fails the test.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from feemodel.inputs.scenario import load_scenario
from feemodel.publish import pack as packmod
from feemodel.publish.pack import TitlePage, assemble_html
from tests.conftest import edit_yaml, missing_tool

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic"]
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices (heading order, landmarks)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def _missing(what: str) -> None:
    missing_tool(what)


class Outline(HTMLParser):
    """Headings (level, text), landmark elements and img alt texts of an HTML document, in order."""

    def __init__(self):
        super().__init__()
        self.headings: list[list] = []
        self.tags: list[tuple[str, dict]] = []
        self.alts: list[str | None] = []
        self._in: int | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "img":
            self.alts.append(a.get("alt"))
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.headings.append([int(tag[1]), ""])
            self._in = int(tag[1])

    def handle_endtag(self, tag):
        if self._in and tag == f"h{self._in}":
            self._in = None

    def handle_data(self, data):
        if self._in:
            self.headings[-1][1] += data


def outline(text: str) -> Outline:
    o = Outline()
    o.feed(text)
    return o


# ---- the published HTML


def test_one_h1_and_headings_never_skip_a_level(example_pack):
    o = outline((example_pack / "pack.html").read_text(encoding="utf-8"))
    levels = [lvl for lvl, _ in o.headings]
    assert levels.count(1) == 1 and levels[0] == 1
    # the example's title (params/scenarios/exampleshire/two_band_2026.yaml) is the h1
    assert o.headings[0][1] == "Two-band residential fee structure from April 2026"
    for (before, t0), (after, t1) in zip(o.headings, o.headings[1:], strict=False):
        assert after <= before + 1, f"h{before} {t0!r} is followed by h{after} {t1!r}"
    # the eight section notebooks each start with a '#' heading: eight h2 after the contents' h2
    # h2: the contents, then one per section notebook
    assert [t for lvl, t in o.headings if lvl == 2][0] == "Contents" and levels.count(2) == 1 + len(packmod.sections())


def test_landmarks_sections_and_image_alt_text(example_pack):
    text = (example_pack / "pack.html").read_text(encoding="utf-8")
    o = outline(text)
    names = [t for t, _ in o.tags]
    assert names.count("main") == 1 and names.count("header") == 1
    navs = [a for t, a in o.tags if t == "nav"]
    assert navs == [{"aria-label": "Contents"}]
    assert ("html", {"lang": "en"}) in o.tags
    # header, then nav, then main, in that order
    assert names.index("header") < names.index("nav") < names.index("main")
    ids = [a["id"] for _, a in o.tags if "id" in a]
    assert len(ids) == len(set(ids)), "duplicate ids"
    sections = [a for t, a in o.tags if t == "section"]
    assert len(sections) == len(packmod.sections()) and all(a.get("aria-labelledby") in ids for a in sections)
    # every chart carries its description (the four charts come through report.figure_html)
    # build-up, budget, past uplifts and tornado charts (homes below cost is a sentence when its counts are withheld)
    assert len(o.alts) == 4 and all(alt and alt.strip() and alt != "chart" for alt in o.alts)
    # every table header cell says what it heads
    ths = [a for t, a in o.tags if t == "th"]
    assert ths and all(a.get("scope") in ("col", "row") for a in ths)
    assert text.count("<table") == text.count("<caption>")


def test_title_page_shows_the_example_scenarios_publication_keys(example_pack):
    o = outline((example_pack / "pack.html").read_text(encoding="utf-8"))
    text = (example_pack / "pack.html").read_text(encoding="utf-8")
    header = text[text.index("<header"):text.index("</header>")]
    # the example's publication block: consultation draft, 2026-01-12 to 2026-02-23, and its contact
    assert "Exampleshire County Council" in header and "Consultation draft" in header
    assert "12 January 2026 to 23 February 2026" in header
    assert "adultsocialcare.commissioning@exampleshire.gov.uk (synthetic example)" in header
    assert "2026/27 (1 April 2026 to 31 March 2027)" in header
    built = dt.datetime.fromisoformat(json.loads((example_pack / "manifest.json").read_text())["started"]).date()
    assert f"<dt>Date built</dt><dd>{built.day} " in header and f" {built.year}</dd>" in header
    assert o.headings[0][0] == 1


def _assemble(example_pack, scenario_path: Path, built=dt.date(2026, 1, 5)) -> str:
    executed = sorted((example_pack / "notebooks").glob("*.ipynb"))
    front = TitlePage.from_scenario(load_scenario(scenario_path), built)
    return assemble_html(executed, "t", "s", front)


def test_title_page_follows_the_scenario(example_pack, example_copy):
    def change(d):
        d["publication"].update(status="final", consultation={"opens": "2026-02-02", "closes": "2026-03-16"},
                                contact="Fees team, County Hall, Exampletown EX1 1AA")
        d["council"] = "Otherton Borough Council"
    edit_yaml(example_copy, change)
    doc = _assemble(example_pack, example_copy)
    header = doc[doc.index("<header"):doc.index("</header>")]
    assert "Otherton Borough Council" in header
    assert '<strong class="status-value">Final</strong>' in header and "draft" not in header.lower()
    assert "2 February 2026 to 16 March 2026" in header
    assert "Fees team, County Hall, Exampletown EX1 1AA" in header
    assert "<dt>Date built</dt><dd>5 January 2026</dd>" in header
    # the same inputs and date give the same bytes
    assert _assemble(example_pack, example_copy) == doc


def test_title_page_says_what_is_not_stated(example_pack, example_copy):
    def change(d):
        d["publication"] = {"name_homes": False, "suppress_below": 5}
    edit_yaml(example_copy, change)
    doc = _assemble(example_pack, example_copy)
    header = doc[doc.index("<header"):doc.index("</header>")]
    # the default status; no period or contact is invented
    assert "Consultation draft" in header
    assert "<dt>Consultation period</dt><dd>not stated</dd>" in header and "<dt>Contact</dt><dd>not stated</dd>" in header


def test_a_consultation_closing_before_it_opens_is_refused(example_copy, tmp_path):
    edit_yaml(example_copy, lambda d: d["publication"].update(consultation={"opens": "2026-02-23", "closes": "2026-01-12"}))
    out = tmp_path / "pack"
    r = subprocess.run([sys.executable, "-m", "feemodel", "pack", str(example_copy), "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "publication.consultation" in r.stderr and "closes (2026-01-12) must be after opens (2026-02-23)" in r.stderr
    assert not out.exists()


@pytest.mark.parametrize("change, key", [
    (lambda p: p.update(status="draft"), "publication.status"),
    (lambda p: p.update(contact="x" * 301), "publication.contact"),
    (lambda p: p.update(consultation={"opens": "2026-01-12"}), "publication.consultation.closes"),
])
def test_other_bad_publication_keys_name_the_key(example_copy, change, key):
    from feemodel.errors import InputError

    edit_yaml(example_copy, lambda d: change(d["publication"]))
    with pytest.raises(InputError) as err:
        load_scenario(example_copy)
    assert f": {key}: " in err.value.message


def test_headings_shift_down_and_a_chart_without_a_description_is_left_out(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    stray = nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure size 640x480 with 1 Axes>"})
    nb.cells = [nbformat.v4.new_markdown_cell("# Costs\n\nText.\n\n## Lines\n\n### Detail\n\n| a | b |\n|---|---|\n| 1 | 2 |"),
                nbformat.v4.new_code_cell("plt.show()", outputs=[stray])]
    path = tmp_path / "03_costs.ipynb"
    nbformat.write(nb, path)
    with pytest.warns(UserWarning, match="section 03_costs cell 1 shows an image with no description"):
        doc = assemble_html([path], "Title", "Sub")
    # '#' -> h2 and '##' -> h3 (both numbered for the contents in order: 1, 2); '###' -> h4
    assert '<h2 id="03_costs-1">Costs</h2>' in doc and '<h3 id="03_costs-2">Lines</h3>' in doc and "<h4>Detail</h4>" in doc
    assert '<section class="pack-section" aria-labelledby="03_costs-1">' in doc
    assert ('<ol><li><a href="#03_costs-1">Costs</a><ol><li><a href="#03_costs-2">Lines</a></li></ol></li></ol>' in doc)
    assert "<img" not in doc and '<th scope="col">a</th>' in doc
    assert [lvl for lvl, _ in outline(doc).headings] == [1, 2, 2, 3, 4]


# ---- the tagged PDF


def _struct(pdf):
    """Every structure element of the PDF's structure tree, depth first."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen, out = set(), []

    def walk(o):
        if isinstance(o, IndirectObject):
            if o.idnum in seen:
                return
            seen.add(o.idnum)
            o = o.get_object()
        if isinstance(o, ArrayObject):
            for x in o:
                walk(x)
        elif isinstance(o, DictionaryObject):
            if "/S" in o:
                out.append(o)
            if "/K" in o:
                walk(o["/K"])

    walk(pdf.trailer["/Root"]["/StructTreeRoot"])
    return out


def test_pdf_is_tagged_with_language_title_and_figure_alt_text(example_pack):
    import pypdf

    pdf = pypdf.PdfReader(example_pack / "pack.pdf")
    root = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == "en" and root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    title = "Exampleshire County Council: Two-band residential fee structure from April 2026"
    assert pdf.metadata.title == title and pdf.xmp_metadata.dc_title == {"x-default": title}
    # PDF/UA-1 identification in the XMP metadata
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid" in xmp and b'part="1"' in xmp
    elements = _struct(pdf)
    kinds = [str(e["/S"]) for e in elements]
    assert kinds.count("/H1") == 1 and "/H2" in kinds and "/H3" in kinds
    assert "/Table" in kinds and "/TH" in kinds and "/Caption" in kinds
    # each chart of pack.html is a Figure carrying the HTML's alt text
    html_alts = sorted(a for a in outline((example_pack / "pack.html").read_text(encoding="utf-8")).alts)
    figures = [e for e in elements if e["/S"] == "/Figure"]
    assert sorted(str(f.get("/Alt", "")) for f in figures) == [a.replace("&lt;", "<") for a in html_alts]
    assert len(figures) == 4


def test_every_printed_page_has_its_number(example_pack):
    import pypdf

    pdf = pypdf.PdfReader(example_pack / "pack.pdf")
    n = len(pdf.pages)
    assert n > 2
    for i, page in enumerate(pdf.pages, start=1):
        text = page.extract_text()
        assert f"Page {i} of {n}" in text, f"page {i}"
        assert "Exampleshire County Council · Consultation draft" in text, f"page {i}"


# ---- axe-core in a real browser


def axe_violations(page_path: Path) -> list[dict]:
    """axe-core's violations of AXE_TAGS for one local HTML file, in headless Chromium."""
    from importlib import resources

    if not Path(CHROMIUM).exists():
        _missing("Debian chromium (apt-get install chromium)")
    try:
        axe_js = resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
        from playwright.sync_api import sync_playwright
    except (ModuleNotFoundError, FileNotFoundError):
        _missing("axe-core's script (pip install axe-playwright-python) or playwright")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.goto(page_path.absolute().as_uri())
            page.evaluate(axe_js)
            result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        finally:
            browser.close()
    return result["violations"]


def _serious(violations: list[dict]) -> list[str]:
    return [f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])} element(s), first: {v['nodes'][0]['html'][:200]})"
            for v in violations if v["impact"] in ("serious", "critical")]


def test_axe_finds_nothing_serious_in_the_pack(example_pack):
    problems = _serious(axe_violations(example_pack / "pack.html"))
    assert not problems, "axe-core:\n" + "\n".join(problems)


def test_axe_would_catch_a_broken_page(tmp_path):
    # the check itself works: a page with an image without alt text, low-contrast text (#aaa on #fff
    # is 2.3:1, under WCAG AA's 4.5:1) and no lang is flagged
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><title>x</title></head><body><main><h1>x</h1>'
                   '<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==">'
                   '<p style="color:#aaa;background:#fff">faint</p></main></body></html>', encoding="utf-8")
    found = {v["id"] for v in axe_violations(bad) if v["impact"] in ("serious", "critical")}
    assert {"image-alt", "color-contrast", "html-has-lang"} <= found

"""The pack speaks plain words (issue 14): no code or column name shows, every value is shown in the
format of its kind (counts whole, money in £, % as %), and no chart is drawn empty, from withheld
counts, or without alt text that gives its figures.

The pack-wide checks read the example pack built once per session (conftest ``example_pack``). The
appendix reproduces the scenario file verbatim (its codes are the council's own input, shown as
typed), so its ``<pre>`` listing is left out of the word scan."""

from __future__ import annotations

import base64
import html
import io
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from feemodel.publish import labels, report

# ------------------------------------------------------------------------------------ the built pack


class _Pack(HTMLParser):
    """Tables (caption, header row, body rows), figures' alt text and PNG sizes, and the visible text
    of pack.html outside <style>, <script> and the appendix's scenario listing (<pre> after 'The
    complete scenario, as read')."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self.alts: list[str] = []
        self.pngs: list[bytes] = []
        self.text: list[str] = []
        self._skip = 0
        self._table = None
        self._cell = None
        self._caption = False
        self._scenario_next = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("style", "script") or (tag == "pre" and self._scenario_next):
            self._skip += 1
        elif tag == "img":
            self.alts.append(a.get("alt", ""))
            src = a.get("src", "")
            if src.startswith("data:image/png;base64,"):
                self.pngs.append(base64.b64decode(src.split(",", 1)[1]))
        elif tag == "table":
            self._table = {"caption": "", "rows": []}
        elif tag == "caption":
            self._caption = True
        elif tag == "tr" and self._table is not None:
            self._table["rows"].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("style", "script") or (tag == "pre" and self._skip and self._scenario_next):
            self._skip -= 1
            if tag == "pre":
                self._scenario_next = False
        elif tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None
        elif tag == "caption":
            self._caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._table["rows"][-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._skip:
            return
        if "The complete scenario, as read" in data:
            self._scenario_next = True
        self.text.append(data)
        if self._caption:
            self._table["caption"] += data
        elif self._cell is not None:
            self._cell += data


@pytest.fixture(scope="module")
def pack(example_pack) -> _Pack:
    p = _Pack()
    p.feed((example_pack / "pack.html").read_text(encoding="utf-8"))
    assert p.tables and p.alts, "the example pack has tables and charts"
    return p


# codes and column names that must never reach a reader (outside the scenario listing)
FORBIDDEN = ["Nhs fnc", "prpw", "pi90", "median_of_totals", "sum_of_line_medians", "working_age", "C(", "[T.",
             "_gbp", "_pct", ".0 placements"]
FORBIDDEN_WORDS = ["chc", "nan", "NaN", "None"]  # as whole words, case as written ("CHC" is the abbreviation)


def test_the_pack_text_and_alt_text_show_no_codes(pack):
    text = " ".join(pack.text) + " " + " ".join(pack.alts)
    assert "The complete scenario, as read" in text          # the listing was found and left out
    assert "client_group: older" not in text                 # ... so the YAML is not in the scanned text
    for token in FORBIDDEN:
        assert token not in text, (token, text[max(0, text.find(token) - 80):text.find(token) + 80])
    for token in FORBIDDEN_WORDS:
        m = re.search(rf"\b{re.escape(token)}\b", text)
        assert m is None, (token, text[max(0, m.start() - 80):m.end() + 80])


def test_no_table_cell_is_a_code(pack):
    codes = {"older", "working_age", "residential", "nursing", "council", "self", "chc", "part_year", "full_year",
             "included", "excluded", "n/a", "stated rate"}
    for t in pack.tables:
        for row in t["rows"]:
            for cell in row:
                assert cell not in codes, (t["caption"], row)


def _kinds_by_heading() -> dict[str, str]:
    """Heading text -> unit kind, for headings that mean one kind wherever they appear."""
    seen: dict[str, set[str]] = {}
    for where, lab in [*labels.COLUMNS.items(), *labels.TABLE_COLUMNS.items()]:
        table, column = where if isinstance(where, tuple) else (None, where)
        seen.setdefault(labels.heading(column, table), set()).add(labels.UNITS[lab.unit].kind)
    return {h: next(iter(k)) for h, k in seen.items() if len(k) == 1}


COUNT = re.compile(r"^(\d{1,3}(,\d{3})*|<\d+)?$")         # '7', '2,973', '<5' (withheld) or '' (withheld)
MONEY = re.compile(r"^(-?£\d{1,3}(,\d{3})*(\.\d\d)?)?$")   # '£819.01', '-£97.89', '£11,118,502'
PERCENT = re.compile(r"^(-?\d{1,3}(,\d{3})*(\.\d+)?%)?$")  # '7.8%', '-0.5%'


def test_every_cell_is_in_its_columns_format(pack):
    kinds = _kinds_by_heading()
    checked = {"count": 0, "money": 0, "percent": 0}
    for t in pack.tables:
        head, *body = t["rows"]
        if head and head[0].startswith("Component"):                   # the rate card: components are rows
            for row in body:
                if row[0] not in ("How the rate is set", "Basis", "NHS-funded nursing care (FNC)"):
                    for cell in row[1:]:
                        assert MONEY.match(cell), (t["caption"], row[0], cell)
                        checked["money"] += 1
            continue
        for j, h in enumerate(head):
            kind = kinds.get(h)
            pattern = {"count": COUNT, "money": MONEY, "percent": PERCENT}.get(kind)
            if pattern is None:
                continue
            for row in body:
                assert pattern.match(row[j]), (t["caption"], h, row[j])
                checked[kind] += row[j] != ""
    assert checked["count"] > 50 and checked["money"] > 200 and checked["percent"] > 30, checked


def test_national_figures_are_shown_in_their_unit(pack):
    t = next(t for t in pack.tables if t["caption"].startswith("National figures in force"))
    rows: dict[str, list[str]] = {}
    for r in t["rows"][1:]:
        rows.setdefault(r[0], r)                               # the figure in force (projections follow)
    # Value and Unit columns: the parameter files' 14250.0 'GBP', 0.03 '/1', 12.71 'GBP per hour'
    assert rows["Lower capital limit"][1:4] == ["£14,250.00", "£", "1 April 2015"]
    assert rows["Auto-enrolment minimum employer pension contribution"][1:3] == ["3%", "%"]
    assert rows["National Living Wage"][1:3] == ["£12.71", "£ an hour"]


def test_every_chart_has_alt_text_with_its_figures_and_prints_legibly(pack):
    from PIL import Image

    assert len(pack.alts) == 4          # build-up, budget, past uplifts, tornado; homes below cost is in words (next test)
    for alt in pack.alts:
        assert len(alt) > 100 and "£" in alt and re.search(r"\d", alt), alt
    for png in pack.pngs:
        # at most 7.09 in (A4 less 15 mm margins) at 110 dpi: printed at full size or larger, so the
        # charts' 9 pt text prints at 9 pt or more
        width, _ = Image.open(io.BytesIO(png)).size
        assert width <= 780, width
    build_up = next(a for a in pack.alts if a.startswith("Stacked bar chart of each proposed band"))
    # every proposed band, including the stated-rate band (1,080.00 stated + 68.00 supplementary = 1,148.00)
    for band in ("Residential:", "Residential plus:", "Nursing:", "Nursing plus:", "Working age residential:"):
        assert band in build_up
    assert "Working age residential: £1,148.00 a week (Stated rate: stated rate £1,080.00, supplementary needs £68.00)" in build_up
    tornado = next(a for a in pack.alts if a.startswith("Tornado"))
    # the sensitivity table's occupancy row: -5 points gives £14,021,721.46, +3 points £9,542,951.11
    assert "Occupancy: -5 points (low) gives £14.02m, +3 points (high) gives £9.54m" in tornado
    assert "central estimate £11.12m" in tornado


def test_homes_below_cost_is_in_words_not_an_empty_chart(pack):
    # the example: residential 0 and 0; nursing '<5' and '<5' (withheld): nothing to draw
    text = " ".join(" ".join(pack.text).split())
    assert ("Homes whose income is below their cost of care: No residential home is below cost now or under the "
            "proposal; nursing: fewer than 5 homes now and fewer than 5 under the proposal (exact counts withheld).") in text
    assert not any("homes whose income is below" in a.lower() for a in pack.alts)


# ------------------------------------------------------------------------------- charts, by hand


def _sus(rows):
    return pd.DataFrame(rows, columns=["setting", "homes", "below_cost_now", "below_cost_proposed"])


def test_margin_chart_draws_only_published_counts_and_says_which_are_withheld():
    s = _sus([("residential", 60, "12", "7"), ("nursing", 40, "<5", "6"), ("all", 100, "", "13")])
    out = report.margin_chart(s)
    assert out.startswith("<figure>")
    alt = html.unescape(re.search(r'alt="([^"]*)"', out).group(1))
    # the '<5' is said as 'fewer than 5' and never drawn; the 'all' row is not a setting
    assert alt == ("Bar chart of homes whose income is below their cost of care. Residential: 12 now and 7 under the "
                   "proposal; nursing: fewer than 5 now and 6 under the proposal (exact counts withheld).")
    assert "Not drawn, because the count is withheld (small-number suppression): nursing now." in html.unescape(out)


def test_margin_chart_with_nothing_to_draw_is_a_sentence():
    s = _sus([("residential", 60, "0", "0"), ("nursing", 40, "<5", ""), ("all", 100, "<5", "")])
    out = html.unescape(report.margin_chart(s))
    assert "<img" not in out
    assert out == ('<p class="chart-in-words"><strong>Homes whose income is below their cost of care:</strong> '
                   "No residential home is below cost now or under the proposal; nursing: fewer than 5 now and "
                   "withheld under the proposal (exact counts withheld).</p>")


def test_build_up_segments_add_up_to_each_rate():
    # worked by hand: a built band (lines 400 + 100 + 300.01 = 800.01), a stated band (1,080.00 +
    # supplementary 68.00 = 1,148.00), an uplifted band (760.00 + 41.80 = 801.80) and a stated nursing
    # band whose rate includes FNC (900.00 + 267.68 = 1,167.68)
    nan = float("nan")
    card = pd.DataFrame({
        "band": ["Built", "Stated", "Uplifted", "With FNC"],
        "basis": ["built from standard_residential", "stated rate", "current rate + 5.5%", "stated rate"],
        "care_staff_gbp_pw": [400.0, nan, nan, nan], "other_staff_gbp_pw": [100.0, nan, nan, nan],
        "premises_gbp_pw": [300.01, nan, nan, nan],
        "cost_of_care_total_gbp_pw": [800.01, 1080.0, 760.0, 900.0],
        "uplift_gbp_pw": [0.0, 0.0, 41.8, 0.0], "quality_premium_gbp_pw": [0.0] * 4,
        "supplementary_needs_gbp_pw": [0.0, 68.0, 0.0, 0.0],
        "fnc": ["n/a", "n/a", "n/a", "included"], "fnc_rate_gbp_pw": [nan, nan, nan, 267.68],
        "weekly_rate_gbp": [800.01, 1148.0, 801.8, 1167.68],
    })
    segs = dict(report.build_up_segments(card))
    assert list(segs) == ["Care staff", "Other staff", "Premises", "Stated rate", "Current rate", "Uplift on the current rate",
                          "Supplementary needs", "NHS-funded nursing care (FNC) in the rate"]   # quality premium is 0: left out
    total = sum(segs.values())
    assert [round(v, 2) for v in total] == [800.01, 1148.0, 801.8, 1167.68]
    out = html.unescape(report.rates_chart(card))
    assert "With FNC: £1,167.68 a week (Stated rate: stated rate £900.00, NHS-funded nursing care (FNC) in the rate £267.68)" in out


def test_tornado_states_both_inputs_and_a_flat_assumption():
    t = pd.DataFrame({"assumption": ["occupancy_pct", "capital_yield_pct"], "label": ["x", "y"], "low": [-5.0, -1.0],
                      "high": [3.0, 1.0], "base_cost_gbp": [2_000_000.0] * 2, "cost_at_low_gbp": [2_600_000.0, 2_000_000.0],
                      "cost_at_high_gbp": [1_700_000.0, 2_000_000.0], "swing_gbp": [900_000.0, 0.0]})
    alt = html.unescape(re.search(r'alt="([^"]*)"', report.tornado_chart(t)).group(1))
    assert alt == ("Tornado chart of the council's first-year cost as each assumption moves over its range, one at a time, "
                   "largest effect first; central estimate £2.00m. Occupancy: -5 points (low) gives £2.60m, +3 points (high) "
                   "gives £1.70m; Capital yield: no effect (-1 point and +1 point both give £2.00m).")


def test_sensitivity_table_states_changes_in_their_unit():
    t = pd.DataFrame({"assumption": ["nlw_premium"], "label": ["Care pay premium over NLW (£/hour change)"], "low": [-0.5],
                      "high": [0.5], "base_cost_gbp": [1.0], "cost_at_low_gbp": [1.0], "cost_at_high_gbp": [1.0], "swing_gbp": [0.0]})
    out = html.unescape(report.table_html(t, "s", [c for c in t.columns if c != "assumption"], table="sensitivity"))
    assert "<td>-£0.50 an hour</td><td>+£0.50 an hour</td>" in out
    assert "nlw_premium" not in out

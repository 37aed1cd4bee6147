"""tables.xlsx as a finance officer opens it: a cover sheet, headings in words, numbers that add up.

The workbook is the one ``feemodel run`` writes for the example scenario (write_results, built once
for this module). Every expected value is read from the CSV files beside it (which keep '<5') or
worked out by hand; the workbook's own formatting code is never used to make an expected value.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import feemodel
from feemodel.publish import labels
from feemodel.publish.tables import PUBLISHED_COUNTS, REGISTRY, published_tables, run
from feemodel.publish.writers import WITHHELD_FILL, cover_facts, write_excel, write_results
from tests.conftest import EXAMPLE

NUMERIC = ("money", "percent", "count", "number")
FEWER_THAN_5 = "Withheld: fewer than 5 (suppression rule)"
SCENARIO_KEY = labels.heading("scenario_key", "rate_inputs")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(output folder, results) of `feemodel run` on the example scenario."""
    r = run(EXAMPLE)
    out = write_results(r, tmp_path_factory.mktemp("xlsx") / "out")
    return out, r


@pytest.fixture(scope="module")
def wb(built):
    return openpyxl.load_workbook(built[0] / "tables.xlsx")


def csv(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)


def data_sheets(out: Path) -> list[str]:
    return [n for n in REGISTRY if not REGISTRY[n].private and (out / f"{n}.csv").exists()]


def kind(name: str, column: str) -> str:
    return labels.unit(column, name).kind


def money_words(pounds: float) -> str:
    """Whole pounds, half up, thousands commas: 11118502.45 -> '£11,118,502' (worked by hand, not the writer's code)."""
    whole = int(Decimal(str(pounds)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{'-' if whole < 0 else ''}£{abs(whole):,}"


def test_sheets_are_cover_notes_then_every_published_table(built, wb):
    out, _ = built
    names = data_sheets(out)
    assert wb.sheetnames == ["Cover", "notes", *names]
    assert len(names) >= 20
    for private in ("funding", "provider_income_by_home", "sustainability_by_home"):
        assert private not in wb.sheetnames  # working files never go in the workbook


def test_headings_are_the_registry_headings_bold_frozen_and_filtered(built, wb):
    out, _ = built
    for name in data_sheets(out):
        ws = wb[name]
        cols = list(csv(out, name).columns)
        assert [c.value for c in ws[1]] == [labels.heading(c, name) for c in cols], name
        assert all(c.font.b for c in ws[1]), name
        assert ws.freeze_panes == "A2", name
        assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(cols))}{len(csv(out, name)) + 1}", name
        for c in ws[1]:
            assert ws.column_dimensions[c.column_letter].width >= 9, (name, c.column_letter)
    # two headings read by hand from the registry's words
    assert wb["current_rates"].cell(1, 5).value == "Weekly rate (£ a week)"
    assert wb["sustainability"].cell(1, 3).value == "Homes below cost now"


def test_numeric_cells_are_the_csv_numbers_with_the_units_format(built, wb):
    out, _ = built
    for name in data_sheets(out):
        ws = wb[name]
        table = csv(out, name)
        for j, col in enumerate(table.columns, start=1):
            k = kind(name, col)
            if k not in NUMERIC:
                continue
            fmt = labels.unit(col, name).excel_format
            for i, text in enumerate(table[col], start=2):
                cell = ws.cell(i, j)
                if text == "" or text.startswith("<"):
                    assert cell.value is None, (name, col, i)
                    continue
                assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool), (name, col, i, cell.value)
                assert cell.value == pytest.approx(float(text), abs=1e-9), (name, col, i)
                assert cell.number_format == fmt, (name, col, i)
                if k == "money":
                    assert cell.number_format.startswith('"£"#,##0'), (name, col)
                if k == "count" and float(text).is_integer():
                    assert type(cell.value) is int, (name, col, i, cell.value)
    # by hand: the Monte Carlo range is £ a year (whole pounds shown), a weekly rate to the penny,
    # a margin stored as the percentage itself (13.7 means 13.7%, as the units key says)
    assert wb["montecarlo"]["B2"].number_format == '"£"#,##0'
    assert wb["current_rates"]["E2"].number_format == '"£"#,##0.00'
    sus = csv(out, "sustainability")
    assert wb["sustainability"]["E2"].value == float(sus.median_margin_now_pct[0])
    assert wb["sustainability"]["E2"].number_format == '0.0"%"'


def test_montecarlo_holds_one_kind_of_value_per_column(built, wb):
    mc = csv(built[0], "montecarlo")
    assert list(mc.columns) == ["statistic", "council_cost_gbp"]
    values = [c.value for (c,) in wb["montecarlo"].iter_rows(min_row=2, min_col=2, max_col=2)]
    assert len(values) == 5 and all(isinstance(v, float) for v in values)  # as stated, P10, P50, P90, mean: all £


def _row_small(table: pd.DataFrame, name: str, i: int) -> bool:
    """Whether row i's population (its table's first count) is shown as '<N': its blank figures are
    withheld with it (a figure that does not apply to the row is blank too, and marked the same)."""
    counts = PUBLISHED_COUNTS.get(name)
    return bool(counts) and str(table[counts[0]].iloc[i]).startswith("<")


def test_withheld_cells_are_empty_grey_and_commented(built, wb):
    # a cell is withheld where the CSV shows '<5', or shows '' where the table before suppression
    # (r.tables) had a figure; a field that was empty before (provider_income's percentile rows have
    # no count of homes, a survey line may have no reliability note) is simply empty
    out, r = built
    small = blank = 0
    for name in data_sheets(out):
        ws = wb[name]
        table = csv(out, name)
        raw = r.tables[name]
        for j, col in enumerate(table.columns, start=1):
            for i, text in enumerate(table[col], start=2):
                cell = ws.cell(i, j)
                if text == "<5":
                    small += 1
                    assert cell.value is None and cell.comment is not None, (name, col, i)
                    assert cell.comment.text == FEWER_THAN_5
                    assert cell.fill.fgColor.rgb.endswith(WITHHELD_FILL)
                elif text == "" and ((pd.notna(raw[col].iloc[i - 2]) and raw[col].iloc[i - 2] != "") or _row_small(table, name, i - 2)):
                    blank += 1  # withheld by the secondary rule or with its row: empty, commented, grey
                    assert cell.value is None and cell.comment.text.startswith("Withheld"), (name, col, i)
                    assert cell.fill.fgColor.rgb.endswith(WITHHELD_FILL)
                else:
                    assert cell.comment is None, (name, col, i)
    assert small >= 4 and blank >= 1  # the example withholds counts in sustainability, topups and uplift_cost


def test_the_examples_small_nursing_count_is_withheld(built, wb):
    # sustainability: the nursing row's homes below cost now is '<5' in the CSV (2 homes in the example)
    sus = csv(built[0], "sustainability").set_index("setting")
    assert sus.loc["nursing", "below_cost_now"] == "<5"
    ws = wb["sustainability"]
    row = [c.value for (c,) in ws.iter_rows(min_row=2, min_col=1, max_col=1)].index("Nursing") + 2
    cell = ws.cell(row, 3)  # column C: below_cost_now
    assert ws.cell(1, 3).value == "Homes below cost now"
    assert cell.value is None and cell.comment.text == FEWER_THAN_5


def test_sum_works_on_every_numeric_column_of_every_sheet(built):
    out, _ = built
    sheets = pd.read_excel(out / "tables.xlsx", sheet_name=None)
    for name in data_sheets(out):
        frame, table = sheets[name], csv(out, name)
        for col in table.columns:
            if kind(name, col) not in NUMERIC:
                continue
            head = labels.heading(col, name)
            assert pd.api.types.is_numeric_dtype(frame[head]), (name, col, frame[head].dtype)
            expected = pd.to_numeric(table[col].replace("<5", ""), errors="coerce").sum()
            assert frame[head].sum() == pytest.approx(expected), (name, col)
    # by hand: sustainability's open in-county homes, 75 residential + 47 nursing + 122 all = 244
    sus = csv(out, "sustainability")
    assert sus.homes.tolist() == ["75", "47", "122"]
    assert sheets["sustainability"]["Open in-county homes"].sum() == 244


def test_no_cell_holds_a_small_count_text_a_code_column_name_or_a_formula(built, wb):
    out, _ = built
    names = set()
    for name in data_sheets(out):
        names.update(csv(out, name).columns)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate)
                if isinstance(c.value, str):
                    assert not re.fullmatch(r"\s*<\d+\s*", c.value), (ws.title, c.coordinate)
                    if ws[f"{c.column_letter}1"].value == SCENARIO_KEY:   # where a figure sits in the scenario file
                        continue
                    assert c.value not in names, (ws.title, c.coordinate, c.value)
                    assert not re.search(r"_(gbp|pw|pa|prpw|pobw)\b", c.value), (ws.title, c.coordinate, c.value)


def cover(wb) -> dict[str, str]:
    ws = wb["Cover"]
    return {a: b for a, b in ws.iter_rows(min_col=1, max_col=2, values_only=True) if a is not None}


def test_cover_names_the_run_and_its_headline(built, wb):
    out, r = built
    h = json.loads((out / "headline.json").read_text())
    c = cover(wb)
    assert wb.sheetnames[0] == "Cover"
    assert c["Council"] == "Exampleshire County Council"
    assert c["Scenario file"] == EXAMPLE.name
    assert c["Financial year"] == "2026/27"
    assert c["feemodel version"] == feemodel.__version__
    head = subprocess.run(["git", "-C", str(Path(feemodel.__file__).parent), "rev-parse", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert c["Git commit"].startswith(head + " (")
    today = dt.date.today()
    assert c["Date built"] == f"{today.day} {today:%B %Y}"
    # the part-year cost: headline.json's pounds and pence shown in whole pounds, e.g. 11,118,502.45 -> £11,118,502
    part = next(v for k, v in c.items() if k.startswith("Cost to the council of the change, 2026/27, part year"))
    assert part == money_words(h["council_net_change_part_year_gbp"])
    full = c["Cost to the council of the change, 2026/27, full year"]
    assert full == money_words(h["council_net_change_full_year_gbp"])
    rng = h["council_cost_range_gbp"]
    p10_p90 = c["Range of the part-year cost, 10th to 90th percentile (P10 to P90)"]
    assert p10_p90.startswith(f"{money_words(rng['P10'])} to {money_words(rng['P90'])} ")
    assert f"{rng['draws']:,} Monte Carlo draws, seed {rng['seed']}" in p10_p90
    # counts under the rule: thousands commas, and 1 to 4 as "fewer than 5" (the example has 2 and 1 homes below cost)
    assert c["Council placements whose fee or top-up changes"] == f"{h['placements_affected']:,}"
    assert r.headline["homes_below_cost"] == {"now": 2, "proposed": 1}     # the model's counts
    assert h["homes_below_cost"] == {"now": "<5", "proposed": "<5"}           # as headline.json publishes them
    assert c["Homes below their cost of care now"] == "fewer than 5"
    assert c["Homes below their cost of care, proposed"] == "fewer than 5"


def test_cover_keys_the_units_the_rule_and_the_marker(wb):
    c = cover(wb)
    assert "5.5 means 5.5%" in c["(%)"] and "not the fraction" in c["(%)"]
    assert "whole pounds" in c["(£ a year)"] and "(£ a week)" in c
    assert "publication.suppress_below = 5" in c["Rule"]
    assert "shaded light grey" in c["Marker"] and "comment" in c["Marker"]
    marker = next(row[1] for row in wb["Cover"].iter_rows(min_col=1, max_col=2) if row[0].value == "Marker")
    assert marker.fill.fgColor.rgb.endswith(WITHHELD_FILL)
    sheets = dict(wb["Cover"].iter_rows(min_col=1, max_col=2, values_only=True))
    assert sheets["rate_card"] == "Proposed rate card" and sheets["montecarlo"] == "Range of the first-year cost"


def test_same_tables_and_cover_give_the_same_bytes(built, tmp_path):
    _, r = built
    facts = cover_facts(r, built=dt.date(2026, 4, 1))
    tables = published_tables(r)
    write_excel(tables, tmp_path / "a.xlsx", facts)
    write_excel(tables, tmp_path / "b.xlsx", facts)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    props = openpyxl.load_workbook(tmp_path / "a.xlsx").properties
    assert props.creator == "feemodel" and props.modified == dt.datetime(2000, 1, 1)


def test_a_higher_threshold_is_used_in_comments_and_cover(tmp_path):
    # a hand-built sustainability table under a threshold of 10: '<10' withheld, a headline count of
    # 7 shown as "fewer than 10", 12 shown as it is, 0 shown (zero is not disclosive)
    t = pd.DataFrame({"setting": ["residential", "nursing", "all"], "homes": [30, 12, 42],
                      "below_cost_now": [0, "<10", "<10"], "below_cost_proposed": ["", 3, ""],
                      "median_margin_now_pct": [5.0, 2.5, 4.0], "median_margin_proposed_pct": [6.0, 3.5, 5.0],
                      "p10_margin_proposed_pct": [1.0, 0.5, 1.0], "p90_margin_proposed_pct": [9.0, 8.0, 9.0]}).astype(object)
    facts = {"council": "Testshire", "title": "T", "suppress_below": 10,
             "headline": {"financial_year": "2026/27", "council_net_change_part_year_gbp": 1234.5,
                          "council_net_change_full_year_gbp": -2000.49, "placements_affected": 12, "placements_protected": 7,
                          "homes_below_cost": {"now": 0, "proposed": 9}}}
    write_excel({"sustainability": t}, tmp_path / "t.xlsx", facts)
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    ws = wb["sustainability"]
    assert ws["C3"].value is None and ws["C3"].comment.text == "Withheld: fewer than 10 (suppression rule)"
    assert ws["C2"].value == 0 and ws["C2"].comment is None
    assert ws["D2"].value is None and "any size" in ws["D2"].comment.text  # '' in a count: the secondary rule
    assert ws["D3"].value == 3  # a number written as it is (the table, not the writer, applies the rule)
    c = cover(wb)
    assert c["Council"] == "Testshire" and c["Git commit"].startswith("not known")
    assert c["Placements kept at their own fee or protected"] == "fewer than 10"
    assert c["Council placements whose fee or top-up changes"] == "12"
    assert c["Homes below their cost of care now"] == "0"
    assert c["Homes below their cost of care, proposed"] == "fewer than 10"
    # 1,234.50 -> £1,235 (half up); -2,000.49 -> -£2,000
    assert c["Cost to the council of the change, 2026/27, part year"] == "£1,235"
    assert c["Cost to the council of the change, 2026/27, full year"] == "-£2,000"
    assert "publication.suppress_below = 10" in c["Rule"]


def test_text_in_a_numeric_column_is_refused_naming_table_and_column(tmp_path):
    t = pd.DataFrame({"setting": ["all"], "homes": ["about 40"]}).astype(object)
    with pytest.raises(ValueError, match=r"table 'market', column 'homes'.*'about 40' is not a number"):
        write_excel({"market": t}, tmp_path / "t.xlsx")


def test_numbers_held_as_text_are_written_as_numbers(tmp_path):
    # as read back from a CSV: '12' is a whole count, '1234.5' money, '-3.25' a percentage
    t = pd.DataFrame({"band": ["A"], "placements": ["12"], "weekly_rate_gbp": ["1234.5"], "change_pct": ["-3.25"]})
    write_excel({"band_mapping": t}, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["band_mapping"]
    assert [ws["B2"].value, ws["C2"].value, ws["D2"].value] == [12, 1234.5, -3.25]
    assert type(ws["B2"].value) is int
    assert [ws["B2"].number_format, ws["C2"].number_format, ws["D2"].number_format] == ["#,##0", '"£"#,##0.00', '0.0"%"']


def test_without_cover_facts_the_cover_says_they_were_not_given(tmp_path):
    t = pd.DataFrame({"setting": ["all"], "homes": [40], "beds": [1200], "occupied_beds": [1100]})
    write_excel({"market": t}, tmp_path / "t.xlsx")
    c = cover(openpyxl.load_workbook(tmp_path / "t.xlsx"))
    assert c["Council"] == "not given" and c["Headline figures"] == "not given"
    assert "Threshold: not given" in c["Rule"]
    assert c["market"] == "Care home market"


def test_verify_compares_workbooks_apart_from_when_and_by_what_they_were_built(tmp_path):
    # feemodel verify rebuilds a pack, perhaps on another day or commit: the cover's date built,
    # version and commit may differ; every other cell (the headline among them) must not
    from feemodel.publish.writers import read_workbook

    t = pd.DataFrame({"setting": ["all"], "homes": [40], "beds": [1200], "occupied_beds": [1100]})
    facts = {"council": "Testshire", "title": "T", "suppress_below": 5, "built": dt.date(2026, 4, 1),
             "feemodel_version": "0.1.0", "commit": "a" * 40, "dirty": False,
             "headline": {"financial_year": "2026/27", "council_net_change_part_year_gbp": 100.0,
                          "council_net_change_full_year_gbp": 200.0, "placements_affected": 10, "placements_protected": 0}}
    write_excel({"market": t}, tmp_path / "a.xlsx", facts)
    write_excel({"market": t}, tmp_path / "b.xlsx", {**facts, "built": dt.date(2027, 1, 2), "commit": "b" * 40, "dirty": True})
    changed = {**facts, "headline": {**facts["headline"], "council_net_change_part_year_gbp": 101.0}}
    write_excel({"market": t}, tmp_path / "c.xlsx", changed)
    a, b, c = (read_workbook(tmp_path / f"{x}.xlsx") for x in "abc")
    assert a.keys() == b.keys() and all(a[s].equals(b[s]) for s in a)
    assert not a["Cover"].equals(c["Cover"]) and a["market"].equals(c["market"])

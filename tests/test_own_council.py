"""Bring your own council (issue 13): run on what a council has, in the shapes it holds it.

Every expected figure is worked by hand in the comments, or is the same case given in another
shape (an .xlsx sheet with the council's own column names against the CSV; a placement summary
against the resident-level book it summarises), which must give identical tables.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import Workbook

from feemodel.errors import InputError
from feemodel.paths import example_dir
from feemodel.publish.tables import compute, load_case

EXAMPLE = example_dir()


def cli(*args):
    return subprocess.run([sys.executable, "-m", "feemodel", *map(str, args)], capture_output=True, text=True)


def write(folder: Path, name: str, data: dict) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


CARD_ONLY = {
    "council": "Anyshire Council",
    "title": "Rate card only",
    "financial_year": 2026,
    "band_structures": {"card": [{"name": "Residential", "setting": "residential", "weekly_rate": 800.0},
                                 {"name": "Nursing", "setting": "nursing", "weekly_rate": 900.0}]},
    "current_structure": "card",
    "proposed_structure": "card",
}


# ---- run on what a council has, and say what is missing

def test_a_rate_card_alone_checks_and_runs_and_says_what_is_not_computed(tmp_path):
    (tmp_path / "in").mkdir()
    path = write(tmp_path / "in", "card.yaml", CARD_ONLY)
    r = cli("check", path)
    assert r.returncode == 0, r.stderr
    assert "placements: not given" in r.stdout
    assert "not computed: uplift_cost: no placement book, so \u201cCost of the change\u201d is not computed" in r.stdout
    out = tmp_path / "out"
    r = cli("run", path, "--out", out)
    assert r.returncode == 0, r.stderr
    assert "No placement book: the cost of the change is not computed" in r.stdout
    card = pd.read_csv(out / "rate_card.csv")
    assert card.weekly_rate_gbp.tolist() == [800.0, 900.0]
    assert not (out / "uplift_cost.csv").exists()
    assert "not computed: demand_model: no population figures" in r.stderr


def test_a_header_without_rows_is_an_empty_input_not_an_error(tmp_path):
    folder = tmp_path / "in"
    (folder / "data").mkdir(parents=True)
    header = pd.read_csv(EXAMPLE / "data" / "placements.csv", nrows=0)
    header.to_csv(folder / "data" / "placements.csv", index=False)
    path = write(folder, "s.yaml", {**CARD_ONLY, "data": {"placements": "data/placements.csv"}, "demand": {"projection_years": 1}})
    r = compute(load_case(path))
    assert "uplift_cost" not in r.tables
    assert r.skipped["uplift_cost"].startswith("the placement book has no rows")
    assert r.headline == {}


def test_a_book_without_homes_is_costed_and_the_homes_tables_say_why_not(tmp_path):
    dst = tmp_path / "ex"
    shutil.copytree(EXAMPLE, dst)
    data = yaml.safe_load((dst / "two_band_2026.yaml").read_text())
    del data["data"]["homes"]
    path = write(dst, "no_homes.yaml", data)
    r = compute(load_case(path))
    # the first-year cost does not read the homes file: the same £11,118,502.45 as the example
    assert r.headline["council_net_change_part_year_gbp"] == pytest.approx(11_118_502.45, abs=0.005)
    assert r.skipped["sustainability"] == "no care homes file, so \u201cHomes below their cost of care\u201d is not computed"
    assert "market" not in r.tables


# ---- Excel, and the council's own column names and codes

COUNCIL_NAMES = {"Client Ref": "placement_id", "Home": "home_id", "Care Type": "setting", "Client Group": "client_group",
                 "Location": "area", "Funding Stream": "funding", "Service Band": "band", "Weekly Fee": "weekly_fee",
                 "Private Price": "provider_price", "Income": "weekly_income", "Capital": "capital",
                 "Assessed Charge": "assessed_contribution", "Third Party": "third_party_topup",
                 "FNC": "fnc_eligible", "Start": "start_date"}
FUNDING_CODES = {"LA Funded": "council", "Self Funder": "self", "CHC": "chc"}


def _placements_as_council_workbook(dst: Path, bad_fee_row: int | None = None) -> None:
    """The example's placement book as the council's finance system might export it: its own
    column names and funding codes, one sheet named Placements among others."""
    p = pd.read_csv(EXAMPLE / "data" / "placements.csv", keep_default_na=False, dtype=str)
    theirs = {v: k for k, v in COUNCIL_NAMES.items()}
    codes = {v: k for k, v in FUNDING_CODES.items()}
    p["funding"] = p.funding.map(codes)
    p = p.rename(columns=theirs)
    wb = Workbook()
    wb.active.title = "Notes"
    wb.active.append(["Exported from the finance system"])
    ws = wb.create_sheet("Placements")
    ws.append(list(p.columns))
    for i, row in enumerate(p.itertuples(index=False), start=2):
        cells = []
        for col, value in zip(p.columns, row, strict=True):
            if col in ("Weekly Fee", "Private Price", "Income", "Capital", "Assessed Charge", "Third Party") and value != "":
                cells.append(float(value))          # numbers as numbers, as Excel holds them
            elif col == "Start":
                cells.append(pd.Timestamp(value).to_pydatetime())   # dates as dates
            else:
                cells.append(value)
        if bad_fee_row == i:
            cells[list(p.columns).index("Weekly Fee")] = "seven hundred"
        ws.append(cells)
    wb.save(dst / "data" / "book.xlsx")


def test_an_xlsx_book_with_the_councils_names_gives_the_same_tables_as_the_csv(tmp_path):
    dst = tmp_path / "ex"
    shutil.copytree(EXAMPLE, dst)
    _placements_as_council_workbook(dst)
    data = yaml.safe_load((dst / "two_band_2026.yaml").read_text())
    data["data"]["placements"] = {"path": "data/book.xlsx", "sheet": "Placements", "columns": COUNCIL_NAMES,
                                  "codes": {"funding": FUNDING_CODES}}
    xlsx = compute(load_case(write(dst, "xlsx.yaml", data)))
    csv = compute(load_case(dst / "two_band_2026.yaml"))
    for name in ("uplift_cost", "funding_summary", "topups", "band_mapping"):
        pd.testing.assert_frame_equal(xlsx.tables[name], csv.tables[name])
    assert xlsx.headline == csv.headline


def test_errors_name_the_councils_column_and_sheet_row(tmp_path):
    dst = tmp_path / "ex"
    shutil.copytree(EXAMPLE, dst)
    _placements_as_council_workbook(dst, bad_fee_row=7)
    data = yaml.safe_load((dst / "two_band_2026.yaml").read_text())
    data["data"]["placements"] = {"path": "data/book.xlsx", "sheet": "Placements", "columns": COUNCIL_NAMES,
                                  "codes": {"funding": FUNDING_CODES}}
    with pytest.raises(InputError) as err:
        load_case(write(dst, "bad.yaml", data))
    assert "row 7, column 'Weekly Fee'" in str(err.value) and "'seven hundred' is not a number" in str(err.value)
    data["data"]["placements"]["sheet"] = "Sheet9"
    with pytest.raises(InputError, match="no such sheet; the workbook has: Notes, Placements"):
        load_case(write(dst, "bad.yaml", data))
    data["data"]["placements"]["sheet"] = "Placements"
    data["data"]["placements"]["columns"] = {**COUNCIL_NAMES, "Weekly Fee": "weekly_fees"}
    with pytest.raises(InputError, match=r"bad.yaml: data.placements.columns.Weekly Fee: 'weekly_fees' is not a column of this file "
                                         r"\(did you mean 'weekly_fee'\?\)"):
        load_case(write(dst, "bad.yaml", data))


def test_an_unmapped_code_is_refused_naming_the_councils_column(tmp_path):
    dst = tmp_path / "ex"
    shutil.copytree(EXAMPLE, dst)
    _placements_as_council_workbook(dst)
    data = yaml.safe_load((dst / "two_band_2026.yaml").read_text())
    data["data"]["placements"] = {"path": "data/book.xlsx", "sheet": "Placements", "columns": COUNCIL_NAMES}
    with pytest.raises(InputError, match=r"row 2, column 'Funding Stream': '(LA Funded|Self Funder|CHC)' is not allowed; "
                                         "use one of: council, self, chc"):
        load_case(write(dst, "bad.yaml", data))


# ---- a placement book without resident-level rows

SUMMARY = ("band,setting,client_group,area,funding,placements,average_weekly_fee,average_assessed_contribution,"
           "placements_with_topup,average_topup,fnc_eligible_placements,average_provider_price\n") + """\
Residential,residential,older,in,council,10,700.00,200.00,2,50.00,,
,residential,older,in,self,4,,,,,,1000.00
"""


def _summary_case(tmp_path: Path, book: str) -> Path:
    folder = tmp_path / book
    (folder / "data").mkdir(parents=True)
    data = {**CARD_ONLY,
            "band_structures": {"card": [{"name": "Residential", "setting": "residential", "weekly_rate": 700.0}]},
            "uplift": {"method": "uniform", "uniform_pct": 5, "effective_date": "2026-04-01",
                       "turnover": {"annual_exit_rate_pct": 0, "replace_leavers": False}},
            "demand": {"projection_years": 1}}
    if book == "summary":
        (folder / "data" / "summary.csv").write_text(SUMMARY)
        data["data"] = {"placement_summary": "data/summary.csv"}
    else:
        rows = [dict(placement_id=f"P{i}", home_id="H1", setting="residential", client_group="older", area="in",
                     funding="council", band="Residential", weekly_fee=700.0, provider_price=700.0, weekly_income=0.0,
                     capital=0.0, assessed_contribution=200.0, third_party_topup=50.0 if i < 2 else 0.0,
                     fnc_eligible=False, start_date="2024-01-01") for i in range(10)]
        rows += [dict(placement_id=f"S{i}", home_id="H1", setting="residential", client_group="older", area="in", funding="self",
                      band="", weekly_fee="", provider_price=1000.0, weekly_income=0.0, capital=0.0, assessed_contribution="",
                      third_party_topup=0.0, fnc_eligible=False, start_date="2024-01-01") for i in range(4)]
        pd.DataFrame(rows).to_csv(folder / "data" / "placements.csv", index=False)
        data["data"] = {"placements": "data/placements.csv"}
    return write(folder, "s.yaml", data)


def test_a_placement_summary_costs_the_change_by_hand(tmp_path):
    r = compute(load_case(_summary_case(tmp_path, "summary")))
    cost = r.tables["uplift_cost"]
    full = cost[cost.period == "full_year"].iloc[0]
    # 10 placements at £700.00 + 5% = £735.00: the council pays £35.00 a week more for each, £350.00 a
    # week; 2026/27 has 365 days (no 29 February before April 2027), so 350 x 365 / 7 = £18,250.00
    assert full.council_net_change_gbp == 18_250.00
    # the families' top-ups: the home's price stays £750 (no pass-through), so each £50.00 top-up falls
    # to £750 - £735 = £15.00: 2 x -£35.00 = -£70.00 a week, -£3,650.00 a year
    assert full.topup_change_gbp == -3_650.00
    assert full.resident_contribution_change_gbp == 0.0      # contributions stated, not re-assessed
    fs = r.tables["funding_summary"].set_index(["grouping", "group"])
    # now: council 10 x (£700 - £200) = £5,000 a week; residents 10 x £200 + 4 self-funders x £1,000 = £6,000
    assert fs.loc[("funding", "council"), "council_gbp_pw"] == 5_000.00
    assert fs.loc[("funding", "council"), "third_party_gbp_pw"] == 100.00
    assert fs.loc[("funding", "self"), "resident_gbp_pw"] == 4_000.00
    assert "provider_income" not in r.tables
    assert r.skipped["provider_income"].startswith("the placement book is a summary by band, without residents")


def test_a_placement_summary_gives_the_tables_of_the_book_it_summarises(tmp_path):
    by_summary = compute(load_case(_summary_case(tmp_path, "summary")))
    by_rows = compute(load_case(_summary_case(tmp_path, "rows")))
    for name in ("uplift_cost", "funding_summary", "topups", "reconciliation"):
        pd.testing.assert_frame_equal(by_summary.tables[name], by_rows.tables[name])


@pytest.mark.parametrize("row, column, message", [
    ("Residential,residential,older,in,council,10,,200.00,,,,", "average_weekly_fee", "is empty; a council row needs"),
    ("Residential,residential,older,in,council,3,700,200,4,50,,", "placements_with_topup", "4 is more than the row's 3 placements"),
    ("Residential,residential,older,in,council,3,700,200,,,1,", "fnc_eligible_placements", "FNC is only paid for nursing placements"),
    (",residential,older,in,self,3,,,1,50,,900", "placements_with_topup", "only allowed on council-funded placements"),
])
def test_a_placement_summary_refuses_what_it_cannot_hold(tmp_path, row, column, message):
    path = _summary_case(tmp_path, "summary")
    (path.parent / "data" / "summary.csv").write_text(SUMMARY.splitlines()[0] + "\n" + row + "\n")
    with pytest.raises(InputError) as err:
        load_case(path)
    assert f"row 2, column {column!r}" in str(err.value) and message in str(err.value)


# ---- provider cost surveys in the shapes councils hold them

def _example_survey_wide() -> pd.DataFrame:
    long = pd.read_csv(EXAMPLE / "data" / "cost_survey.csv")
    wide = long.pivot(index=["home_id", "category", "beds", "occupancy_pct"], columns="cost_line", values="amount_prpw")
    return wide.reset_index()


def test_a_wide_survey_in_xlsx_gives_the_same_summary_as_the_long_csv(tmp_path):
    dst = tmp_path / "ex"
    shutil.copytree(EXAMPLE, dst)
    wide = _example_survey_wide().rename(columns={"home_id": "Home", "care_staff": "Care staff"})
    wb = Workbook()
    ws = wb.active
    ws.title = "Survey"
    ws.append(list(wide.columns))
    for row in wide.itertuples(index=False):
        ws.append([None if isinstance(v, float) and pd.isna(v) else v for v in row])
    wb.save(dst / "data" / "survey.xlsx")
    data = yaml.safe_load((dst / "two_band_2026.yaml").read_text())
    data["data"]["cost_survey"] = {"path": "data/survey.xlsx", "form": "wide",
                                   "columns": {"Home": "home_id", "Care staff": "care_staff"}}
    wide_case = compute(load_case(write(dst, "wide.yaml", data)))
    long_case = compute(load_case(dst / "two_band_2026.yaml"))
    pd.testing.assert_frame_equal(wide_case.tables["survey_summary"], long_case.tables["survey_summary"])
    pd.testing.assert_frame_equal(wide_case.tables["rate_card"], long_case.tables["rate_card"])


def test_a_published_summary_reports_the_sum_of_line_medians_uprated(tmp_path):
    folder = tmp_path / "bh"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "annex_a.csv").write_text(
        "Category,Line,Homes,LQ,Median,UQ\n"
        "Residential,care_staff,29,280.10,312.88,350.00\n"
        "Residential,premises,29,30.00,42.18,60.00\n"
        "Residential,supplies_services,29,110.00,138.55,160.00\n")
    data = {**CARD_ONLY,
            "data": {"cost_survey": {"path": "data/annex_a.csv", "form": "summary",
                                     "columns": {"Category": "category", "Line": "cost_line", "Homes": "homes",
                                                 "LQ": "lower_quartile", "Median": "median", "UQ": "upper_quartile"},
                                     "codes": {"category": {"Residential": "res"}}}},
            "survey_price_base": {"year": 2024, "index_pct": {2025: 4.0, 2026: 2.5}},
            "cost_of_care": {"categories": {"res": {"label": "Residential", "setting": "residential",
                                                    "care_hours_prpw": 20, "care_pay": {"hourly_rate": 13.0}}}}}
    r = compute(load_case(write(folder, "bh.yaml", data)))
    s = r.tables["survey_summary"]
    total = s[s.cost_line == "total"].set_index("convention")
    assert list(total.index) == ["sum_of_line_medians"]            # no median of home totals from a summary
    # uprated 2024/25 -> 2026/27 by 1.04 x 1.025 = 1.066; each line rounded once:
    # 312.88 x 1.066 = 333.53008 -> 333.53; 42.18 x 1.066 = 44.96388 -> 44.96; 138.55 x 1.066 = 147.6943 -> 147.69
    assert total.loc["sum_of_line_medians", "median"] == pytest.approx(333.53 + 44.96 + 147.69, abs=1e-9)
    steps = r.tables["price_base"]
    assert steps.cumulative_factor.tolist() == [1.04, 1.066]
    assert "cost_drivers" not in r.tables and "survey_outliers" not in r.tables


def test_a_summary_survey_refuses_the_median_of_totals(tmp_path):
    folder = tmp_path / "bh"
    folder.mkdir()
    data = {**CARD_ONLY, "survey_statistic": "median_of_totals",
            "data": {"cost_survey": {"path": "x.csv", "form": "summary"}}}
    with pytest.raises(InputError, match="only sum_of_line_medians can be compared"):
        load_case(write(folder, "s.yaml", data))

"""Scenario and data-file validation: one clear line naming file and key/row, exit code 2, via the CLI."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import edit_yaml


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "feemodel", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def assert_bad(result, *fragments):
    assert result.returncode == 2, result.stderr
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in line, line
    for f in fragments:
        assert f in line, line


SCENARIO_CASES = [
    ("unknown key", lambda d: d.update(councill="x"), ["councill", "unknown key"]),
    ("wrong type", lambda d: d.update(financial_year="next year"), ["financial_year"]),
    ("negative money", lambda d: d["cost_of_care"]["categories"]["standard_residential"]["other_staff_prpw"].update(catering=-5),
     ["cost_of_care.categories.standard_residential.other_staff_prpw.catering", "greater than or equal to 0"]),
    ("percentage over 100", lambda d: d["cost_of_care"]["categories"]["standard_residential"].update(occupancy_pct=120),
     ["occupancy_pct", "less than or equal to 100"]),
    ("missing data file", lambda d: d["data"].update(homes="data/nope.csv"), ["data.homes", "not found"]),
    ("outside its folder", lambda d: d["data"].update(homes="../../etc/passwd"), ["data.homes", "outside"]),
    ("unknown band in mapping", lambda d: d["band_mapping"].update({"Residential": "Luxury"}), ["band_mapping", "Luxury"]),
    ("effective date outside year", lambda d: d["uplift"].update(effective_date="2027-06-01"), ["effective_date", "2026/27"]),
    ("missing key", lambda d: d.pop("council"), ["council", "missing"]),
]


@pytest.mark.parametrize("name,change,fragments", SCENARIO_CASES, ids=[c[0] for c in SCENARIO_CASES])
def test_scenario_errors(example_copy, name, change, fragments):
    edit_yaml(example_copy, change)
    assert_bad(cli("check", example_copy), example_copy.name, *fragments)


def test_yaml_syntax_error_names_line(example_copy):
    example_copy.write_text(example_copy.read_text().replace("title: Two-band", "title: [Two-band", 1))
    assert_bad(cli("check", example_copy), "YAML syntax error", "line")


def replace_in(path: Path, old: str, new: str):
    path.write_text(path.read_text().replace(old, new, 1))


def test_duplicate_placement_id(example_copy):
    p = example_copy.parent / "data" / "placements.csv"
    replace_in(p, "P000002,", "P000001,")
    assert_bad(cli("check", example_copy), "placements.csv", "row 3", "duplicate id 'P000001'")


def test_misspelt_column_suggests_the_right_one(example_copy):
    p = example_copy.parent / "data" / "placements.csv"
    replace_in(p, "weekly_income", "weekly_incme")
    assert_bad(cli("check", example_copy), "placements.csv", "weekly_incme", "did you mean 'weekly_income'")


def test_non_numeric_money_names_row(example_copy):
    p = example_copy.parent / "data" / "placements.csv"
    lines = p.read_text().splitlines()
    cols = lines[0].split(",")
    row = lines[5].split(",")
    row[cols.index("weekly_income")] = "two hundred"
    lines[5] = ",".join(row)
    p.write_text("\n".join(lines) + "\n")
    assert_bad(cli("check", example_copy), "row 6", "weekly_income", "not a number")


def test_bom_and_windows_line_endings_are_accepted(example_copy):
    p = example_copy.parent / "data" / "homes.csv"
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes().replace(b"\n", b"\r\n"))
    r = cli("check", example_copy)
    assert r.returncode == 0, r.stderr


def test_non_utf8_is_refused(example_copy):
    p = example_copy.parent / "data" / "homes.csv"
    p.write_bytes(p.read_bytes().replace(b"Oak House", "Oak H\u00f6use".encode("latin-1"), 1))
    assert_bad(cli("check", example_copy), "homes.csv", "not UTF-8")


def test_unknown_band_in_book(example_copy):
    p = example_copy.parent / "data" / "placements.csv"
    replace_in(p, ",Residential,", ",Residentail,")
    assert_bad(cli("check", example_copy), "placements.csv", "'Residentail' is not a band of legacy")


def test_check_ok_prints_summary():
    r = cli("check")
    assert r.returncode == 0
    assert "placements: 7,287" in r.stdout


def test_contribution_command():
    r = cli("contribution", "--income", "200", "--capital", "18450", "--date", "2024-06-01", "--json")
    import json
    out = json.loads(r.stdout)
    assert out["weekly_contribution"] == 186.85 and out["tariff_income"] == 17.0
    assert_bad(cli("contribution", "--income", "-5", "--capital", "0"), "--income")
    assert cli("contribution", "--income", "x", "--capital", "0").returncode == 2  # click usage error


def test_run_writes_tables_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "out"
    r = cli("run", "--out", out)
    assert r.returncode == 0, r.stderr
    for name in ("rate_card", "band_mapping", "survey_summary", "cost_drivers", "funding", "uplift_cost", "topups"):
        assert (out / f"{name}.csv").is_file(), name
    assert (out / "tables.xlsx").is_file()
    # published tables suppress counts under 5; the per-placement working file is kept apart
    import pandas as pd
    from feemodel.publish.tables import PUBLISHED_COUNTS
    for name, cols in PUBLISHED_COUNTS.items():
        t = pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)
        for c in cols:
            n = pd.to_numeric(t[c], errors="coerce")
            assert not ((n > 0) & (n < 5)).any(), (name, c)
    assert (pd.read_csv(out / "topups.csv", dtype=str).placements == "<5").any()
    assert len(pd.read_csv(out / "funding.csv")) == 7287
    before = (out / "rate_card.csv").read_bytes()
    assert_bad(cli("run", "--out", out), "exists", "--force")
    assert (out / "rate_card.csv").read_bytes() == before


def test_example_command_writes_a_working_copy(tmp_path):
    r = cli("example", tmp_path / "mine")
    assert r.returncode == 0
    assert cli("check", tmp_path / "mine" / "two_band_2026.yaml").returncode == 0

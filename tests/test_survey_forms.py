"""Cost survey forms: wide and DHSC 2022 template surveys to the long form; the DHSC line map."""

import pandas as pd
import pytest

from feemodel.errors import InputError
from feemodel.inputs import survey_forms as sf
from feemodel.model.rates import COST_LINES

IDS = {"home_id": "A", "category": "standard_residential", "beds": "40", "occupancy_pct": "90"}


def strings(rows, start=2):
    """A frame of strings indexed by spreadsheet line number (header = line 1)."""
    f = pd.DataFrame(rows)
    f.index = pd.RangeIndex(start, start + len(f))
    return f


def validated(long):
    """What data.py does after the form: numbers as floats."""
    return long.astype({"beds": float, "occupancy_pct": float, "amount_prpw": float})


def test_one_list_of_toolkit_lines():
    assert list(sf.TOOLKIT_LINES) == list(COST_LINES)


def test_wide_to_long_blank_is_no_figure_and_rows_keep_their_line_numbers():
    f = strings([{**IDS, "care_staff": "300.00", "premises": "40.50"},
                 {**IDS, "home_id": "B", "care_staff": "310", "premises": " "}])
    out = sf.wide_to_long(f, "survey.csv")
    # home A: 2 lines (line 2); home B: care only (line 3): 3 rows
    assert list(out.index) == [2, 2, 3]
    assert list(out.cost_line) == ["care_staff", "premises", "care_staff"]
    assert list(out.amount_prpw) == ["300.00", "40.50", "310"]
    assert list(out.source_column) == ["care_staff", "premises", "care_staff"]
    assert list(out.columns) == ["home_id", "category", "beds", "occupancy_pct", "cost_line", "amount_prpw", "source_column"]


def test_wide_to_long_refuses_unknown_columns_and_repeated_homes():
    with pytest.raises(InputError) as err:
        sf.wide_to_long(strings([{**IDS, "Care staff": "300"}]), "survey.csv")
    msg = str(err.value)
    assert msg.startswith("survey.csv: column 'Care staff': unknown column") and "care_staff" in msg and "return_on_capital" in msg
    with pytest.raises(InputError, match=r"row 3: home 'A', category 'standard_residential' appears again \(first on row 2\)"):
        sf.wide_to_long(strings([{**IDS, "care_staff": "1"}, {**IDS, "care_staff": "2"}]), "survey.csv")
    with pytest.raises(InputError, match="no cost line columns"):
        sf.wide_to_long(strings([IDS]), "survey.csv")


# Brighton & Hove's published 2022 medians, used here as one home's figures (£ prpw)
DHSC_WIDE = {**IDS, "CARE STAFF": "312.88", "Chefs/Cooks": "48.69",
             "Domestic staff (cleaning, laundry & kitchen)": "45.76", "Total care home staffing": "407.33",
             "Repairs and maintenance": "28.06", "Fixtures & fittings": "0.00"}


def test_dhsc_wide_sublines_add_up_per_toolkit_line():
    m = sf.load_line_map()
    long = sf.dhsc_to_long(strings([DHSC_WIDE]), m, "dhsc.csv")
    # the subtotal is left out; every other column gives a row
    assert "Total care home staffing" not in set(long.source_column) and len(long) == 5
    out = sf.sum_sublines(validated(long)).set_index("cost_line")
    # other staff: chefs 48.69 + domestic 45.76 = 94.45; premises: repairs 28.06 + fixtures 0.00 = 28.06
    assert out.loc["other_staff", "amount_prpw"] == 94.45
    assert out.loc["premises", "amount_prpw"] == 28.06
    assert out.loc["care_staff", "amount_prpw"] == 312.88
    assert list(out.index) == ["care_staff", "other_staff", "premises"]


def test_dhsc_long_form_gives_the_same_lines():
    rows = [{**IDS, "dhsc_line": label, "amount_prpw": v} for label, v in
            [("care staff", "312.88"), ("Chefs / Cooks", "48.69"), ("domestic_staff", "45.76"),
             ("Total Care Home Staffing", "407.33"), ("Repairs & maintenance", "28.06"), ("Fixtures and fittings", "")]]
    long = sf.dhsc_to_long(strings(rows), sf.load_line_map(), "dhsc.csv")
    # lines 2..7; the subtotal (line 5) and the blank (line 7) give no row
    assert list(long.index) == [2, 3, 4, 6]
    out = sf.sum_sublines(validated(long)).set_index("cost_line")
    assert out.loc["other_staff", "amount_prpw"] == 94.45 and out.loc["premises", "amount_prpw"] == 28.06
    assert out.index.tolist() == ["care_staff", "other_staff", "premises"]


def test_dhsc_unknown_line_is_an_error_never_a_guess():
    with pytest.raises(InputError) as err:
        sf.dhsc_to_long(strings([{**IDS, "Agency staff": "10"}]), sf.load_line_map(), "dhsc.csv")
    assert str(err.value).startswith("dhsc.csv: column 'Agency staff': 'Agency staff' is not a line of the DHSC 2022 template")
    with pytest.raises(InputError, match="row 2, column 'dhsc_line'"):
        sf.dhsc_to_long(strings([{**IDS, "dhsc_line": "Care staf", "amount_prpw": "1"}]), sf.load_line_map(), "dhsc.csv")
    with pytest.raises(InputError, match="is the same template line as column 'Care staff'"):
        sf.dhsc_to_long(strings([{**IDS, "Care staff": "1", "care_staff": "2"}]), sf.load_line_map(), "dhsc.csv")


def test_sum_sublines_refuses_a_home_with_two_bed_counts():
    long = sf.dhsc_to_long(strings([{**IDS, "dhsc_line": "Care staff", "amount_prpw": "1"},
                                    {**IDS, "beds": "41", "dhsc_line": "PPE", "amount_prpw": "2"}]), sf.load_line_map())
    with pytest.raises(InputError, match=r"row 3, column 'beds': 41 differs from the home's other rows \(40\)"):
        sf.sum_sublines(validated(long), "dhsc.csv")


def test_shipped_map_covers_the_published_template_lines():
    m = sf.load_line_map()
    words = sf._lookup(m)
    # labels as Brighton & Hove published them (Annex B, 2022)
    published = ["Nursing staff", "Care staff", "Therapy staff (Occupational and Physio)", "Activity coordinators",
                 "Service management (Registered manager/deputy)", "Reception and admin staff at the home", "Chefs / Cooks",
                 "Domestic staff (cleaning, laundry and kitchen)", "Maintenance and gardening",
                 "Other care home staffing (please specify)", "Total Care Home Premises", "Fixtures and fittings",
                 "Repairs and maintenance", "Furniture, furnishings and equipment",
                 "Other care home premises costs (please specify)", "Total care home supplies and services", "Food supplies",
                 "Domestic and cleaning supplies", "Medical supplies (excluding PPE)", "PPE", "Office supplies (home specific)",
                 "Insurance (all risks)", "Registration fees", "Telephone and internet", "Council Tax / rates",
                 "Electricity, gas and water", "Trade and clinical waste", "Transport and activities",
                 "Other care home supplies and services costs (please specify)", "Total Head Office",
                 "Central / Regional management", "Total care home staffing"]
    assert all(sf.normalise_label(p) in words for p in published)
    assert {e["toolkit_line"] for e in m.values()} == {*COST_LINES, "total"}
    assert m["care_staff"]["toolkit_line"] == "care_staff" and m["chefs_cooks"]["toolkit_line"] == "other_staff"
    assert m["return_on_land_capital"]["toolkit_line"] == "return_on_capital"


def test_override_replaces_line_by_line_and_adds(tmp_path):
    p = tmp_path / "our_lines.yaml"
    p.write_text("lines:\n"
                 "  therapy_staff:\n    label: Therapy staff (Occupational and Physio)\n    toolkit_line: care_staff\n"
                 "    reference: our survey, staffing\n"
                 "  agency_staff:\n    label: Agency care staff\n    toolkit_line: care_staff\n    reference: our survey, staffing\n")
    m = sf.load_line_map(p)
    assert m["therapy_staff"]["toolkit_line"] == "care_staff" and m["therapy_staff"]["source"] == str(p)
    assert m["agency_staff"]["label"] == "Agency care staff"
    assert m["chefs_cooks"]["toolkit_line"] == "other_staff"  # untouched
    # the alias of the shipped entry went with it
    assert "Therapy staff (Occupational & Physio)" not in m["therapy_staff"]["aliases"]


def test_bad_override_names_the_file_and_key(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("lines:\n  ppe:\n    label: PPE\n    toolkit_line: consumables\n    reference: x\n")
    with pytest.raises(InputError) as err:
        sf.load_line_map(p)
    assert str(err.value).startswith(f"{p}: lines.ppe.toolkit_line: 'consumables' is not a toolkit line; allowed: care_staff")
    p.write_text("lines:\n  extra:\n    label: care   STAFF\n    toolkit_line: care_staff\n    reference: x\n")
    with pytest.raises(InputError, match="lines.extra: reads the same as lines.care_staff"):
        sf.load_line_map(p)
    p.write_text("not: a map\n")
    with pytest.raises(InputError, match="lines: missing"):
        sf.load_line_map(p)


def summary(rows):
    f = pd.DataFrame(rows, columns=list(sf.SUMMARY_COLUMNS))
    f.index = pd.RangeIndex(2, 2 + len(f))
    return f


def test_summary_checks():
    good = summary([("bh", "care_staff", 4, 282.13, 312.88, 439.47), ("bh", "total", 4, 430.0, 500.0, 850.0)])
    sf.check_summary(good, "s.csv")
    with pytest.raises(InputError, match="s.csv: row 2: lower quartile 312.88, median 282.13"):
        sf.check_summary(summary([("bh", "care_staff", 4, 312.88, 282.13, 439.47)]), "s.csv")
    with pytest.raises(InputError, match="row 3: category 'bh', line 'care_staff' appears again"):
        sf.check_summary(summary([("bh", "care_staff", 4, 1.0, 2.0, 3.0), ("bh", "care_staff", 4, 1.0, 2.0, 3.0)]), "s.csv")
    with pytest.raises(InputError, match="has a total but no cost lines"):
        sf.check_summary(summary([("bh", "total", 4, 1.0, 2.0, 3.0)]), "s.csv")

"""The label registry: every published column has words and a unit; values are shown by their unit,
never by a guess from a column name; the registry of tables is the one list every output reads."""

import math

import pytest

from feemodel.paths import example_dir
from feemodel.publish import labels
from feemodel.publish.tables import REGISTRY, TABLES, run


@pytest.fixture(scope="module")
def results():
    return {name: run(example_dir() / f"{name}.yaml") for name in ("two_band_2026", "uniform_uplift_2026", "fair_cost_of_care_2026")}


def test_every_column_of_every_table_has_a_label(results):
    for r in results.values():
        frames = {**r.tables, **r.private}
        assert not labels.missing_labels({n: list(f.columns) for n, f in frames.items()})


def test_the_registry_lists_each_table_once_with_a_label_and_note(results):
    assert len(REGISTRY) == len(TABLES)
    for t in TABLES:
        assert t.label and t.note
    r = results["two_band_2026"]
    # the example has every input; only the consultation's response log is not shown (a draft shows it in the final pack)
    assert r.skipped == {"response_log": "the pack is a consultation draft: the responses and the council's answers are "
                                         "shown in the final pack (publication.status: final)"}
    assert list(r.tables) + list(r.private) == ([t.name for t in TABLES if not t.private and t.name != "response_log"]
                                                + [t.name for t in TABLES if t.private])


def test_an_unknown_column_is_an_error_not_a_guess():
    with pytest.raises(KeyError, match="new_thing_gbp_pw"):
        labels.heading("new_thing_gbp_pw", "rate_card")


@pytest.mark.parametrize("value,column,table,shown", [
    (1.005, "weekly_rate_gbp", "rate_card", "£1.01"),             # half a penny rounds up (the money rule)
    (-2.5, "change_gbp_pw", "band_mapping", "-£2.50"),
    (11708649.07, "council_net_change_gbp", "uplift_cost", "£11,708,649"),  # £ a year: whole pounds
    (5.25, "change_pct", "band_mapping", "5.3%"),
    (14.2, "median_margin_now_pct", "sustainability", "14.2%"),   # a % is a %, not £14.20
    (19.0, "placements", "band_mapping", "19"),                   # a count is whole: not 19.0
    (2933.3, "placements", "demand", "2,933"),
    ("<5", "placements", "topups", "<5"),                         # a suppressed count passes through
    (math.nan, "placements", "topups", ""),
    (2026, "financial_year", "demand", "2026"),
    ("2026/27", "financial_year", "uplift_cost", "2026/27"),
])
def test_values_are_shown_by_their_unit(value, column, table, shown):
    assert labels.fmt(value, column, table) == shown


def test_codes_are_words():
    assert labels.words("chc") == "NHS continuing healthcare (CHC)"
    assert labels.words("council", "payer") == "The council"
    assert labels.words("nhs_fnc", "payer") == "NHS-funded nursing care (FNC)"
    assert labels.words("Residential") == "Residential"             # a band name is not a code
    for code in ("chc", "older", "working_age", "C(age_band)[T.65-74]", "median_of_totals"):
        assert labels.words(code) != code, code


def test_headings_carry_units_and_no_jargon(results):
    r = results["two_band_2026"]
    for name, frame in r.tables.items():
        for c in frame.columns:
            h = labels.heading(c, name)
            for jargon in ("prpw", "pi90", "_gbp", "_pct", "chc", "Nhs"):
                assert jargon not in h, (name, c, h)
    assert labels.heading("weekly_rate_gbp", "rate_card") == "Weekly rate (£ a week)"


def test_a_count_of_things_that_is_not_whole_is_an_error_not_a_rounding():
    # 19 placements is a count; 2933.3 placements moving band cannot happen: the table that made it is wrong
    with pytest.raises(ValueError, match="'band_mapping', column 'placements': 2933.3 is a count"):
        labels.fmt(2933.3, "placements", "band_mapping")
    assert labels.fmt(19.0, "placements", "band_mapping") == "19"      # a whole count read back as a float
    assert labels.fmt("2973", "homes", "market") == "2,973"


@pytest.mark.parametrize("value,column,table,shown", [
    (2933.5, "placements", "demand", "2,934"),           # a projection's expected count: half up to whole
    (1251.49, "admissions", "demand", "1,251"),
    (3399.8, "placements", "budget", "3,400"),
    (2861.9, "placements_pi90_low", "demand", "2,862"),
])
def test_a_projection_is_an_expected_count_rounded_to_whole(value, column, table, shown):
    assert labels.unit(column, table).key == "expected_count"
    assert labels.fmt(value, column, table) == shown


@pytest.mark.parametrize("value,unit_text,shown,unit_words", [
    (14250.0, "GBP", "£14,250.00", "£"),
    (31.8, "GBP per week", "£31.80", "£ a week"),
    (6240.0, "GBP per year", "£6,240", "£ a year"),          # £ a year: whole pounds
    (12.71, "GBP per hour", "£12.71", "£ an hour"),
    (0.03, "/1", "3%", "%"),                                  # a fraction: 0.03 x 100 = 3%
    (0.138, "/1", "13.8%", "%"),
    (5.6, "weeks per year", "5.6", "weeks a year"),
])
def test_a_national_figure_is_shown_in_the_unit_its_row_names(value, unit_text, shown, unit_words):
    assert labels.fmt_parameter(value, unit_text) == shown
    assert labels.words(unit_text, "unit") == unit_words


def test_an_unknown_parameter_unit_is_an_error():
    with pytest.raises(KeyError, match="'GBP per fortnight'"):
        labels.fmt_parameter(1.0, "GBP per fortnight")


@pytest.mark.parametrize("assumption,value,shown", [
    ("occupancy_pct", -5.0, "-5 points"),
    ("occupancy_pct", 1, "+1 point"),
    ("care_hours_pct", 5, "+5%"),
    ("nlw_premium", -0.5, "-£0.50 an hour"),
    ("demand_growth_pct", 1.5, "+1.5% a year"),
    ("provider_pass_through_pct", 60, "60%"),             # the value itself, not a change: no sign
])
def test_a_sensitivity_change_is_written_in_its_unit(assumption, value, shown):
    assert labels.change_text(assumption, value) == shown


def test_dates_are_words_and_iso_text_is_read():
    assert labels.fmt("2015-04-01", "effective_from", "national_parameters") == "1 April 2015"
    assert labels.fmt("2026-04-06", "in_force_on", "national_parameters") == "6 April 2026"


def test_every_code_a_cell_can_hold_has_words():
    for code in ("residential", "nursing", "older", "working_age", "council", "self", "chc", "median_of_totals",
                 "sum_of_line_medians", "part_year", "full_year", "C(age_band)[T.85+]", "C(category)[T.standard_nursing]",
                 "stated rate", "included", "excluded", "n/a"):
        w = labels.words(code)
        assert w != code and "_" not in w and "[T." not in w, (code, w)
    for code in ("nhs_fnc", "nhs_chc", "third_party", "first_party", "self_funder"):
        assert "_" not in labels.words(code, "payer")

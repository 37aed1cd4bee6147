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
    # the example has every input; only the price-base table is not computed (it states no price base)
    assert r.skipped == {"price_base": "no price base is stated: every £ figure is taken as at the scenario's year's prices"}
    assert list(r.tables) + list(r.private) == ([t.name for t in TABLES if not t.private and t.name != "price_base"]
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

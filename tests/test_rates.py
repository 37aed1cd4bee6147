"""Cost of care build-up, rate card, band mapping and the uplift index."""

import datetime as dt

import numpy as np
import pytest

from feemodel.model import rates
from feemodel.model.indexation import uplift_index
from feemodel.inputs.scenario import Category, load_scenario
from tests.conftest import EXAMPLE

D = dt.date


def fair_price_2008() -> Category:
    """Inputs chosen to give the 2008/09 fair-price toolkit lines (residential, frail older people):
    care assistants 20 h x £6.00 x 1.2 = 144; catering/cleaning/laundry 46, management/admin 40,
    agency 2, training 2 (staff 234); repairs 29.70 per bed / 0.9 occupancy = 33; other non-staff 79;
    capital at 12%: land 16,770 and building 58,110 per bed x 12% / (52 x 0.9) = 43 + 149 = 192."""
    return Category.model_validate({
        "label": "2008/09 residential", "setting": "residential", "occupancy_pct": 90,
        "care_hours_prpw": 20, "care_pay": {"hourly_rate": 6.00},
        "on_costs": {"holiday": 20, "employer_ni": 0, "pension": 0, "sickness_training_pct": 0},
        "other_staff_prpw": {"catering_cleaning_laundry": 46, "management_admin": 40, "agency": 2, "training": 2},
        "premises_per_bed": {"repairs_maintenance": 29.70},
        "supplies_prpw": {"other_non_staff": 79},
        "returns": {"land_value_per_bed": 16770, "building_value_per_bed": 58110, "target_yield_pct": 12},
    })


def test_2008_fair_price_worked_example(params):
    lines = rates.category_cost_pence(fair_price_2008(), "single_return_on_capital", params, D(2008, 4, 1))
    assert lines["care_staff"] + lines["other_staff"] == 234_00
    assert lines["premises"] == 33_00
    assert lines["supplies_services"] == 79_00
    assert lines["return_on_capital"] == 192_00
    assert lines["return_on_operations"] == 0
    assert lines["total"] == 538_00  # the toolkit's ceiling price


def test_2008_capital_split_into_land_and_building(params):
    cat = fair_price_2008()
    land_only = cat.model_copy(update={"returns": cat.returns.model_copy(update={"building_value_per_bed": 0})})
    assert rates.category_cost_pence(land_only, "single_return_on_capital", params, D(2008, 4, 1))["return_on_capital"] == 43_00


def test_fair_cost_of_care_convention(params):
    # operating: care 10h x £10 = 100, other staff 50, premises 40/bed / 0.8 = 50, supplies 30, head office 20 = 250
    # return on operations 10% x 250 = 25; return on capital 52,000 x 6% / (52 x 0.8) = 75; total 350
    cat = Category.model_validate({
        "label": "t", "setting": "residential", "occupancy_pct": 80, "care_hours_prpw": 10,
        "care_pay": {"hourly_rate": 10}, "on_costs": {"holiday": 0, "employer_ni": 0, "pension": 0},
        "other_staff_prpw": {"a": 50}, "premises_per_bed": {"p": 40}, "supplies_prpw": {"s": 30}, "head_office_prpw": 20,
        "returns": {"return_on_operations_pct": 10, "freehold_value_per_bed": 52000, "capital_yield_pct": 6},
    })
    lines = rates.category_cost_pence(cat, "fair_cost_of_care", params, D(2024, 4, 1))
    assert (lines["return_on_operations"], lines["return_on_capital"], lines["total"]) == (25_00, 75_00, 350_00)
    # the same inputs under convention (a) carry no return on operations and no capital value
    assert rates.category_cost_pence(cat, "single_return_on_capital", params, D(2024, 4, 1))["total"] == 250_00


def test_occupancy_spreads_fixed_costs(params):
    cat = fair_price_2008()
    full = rates.category_cost(cat, "single_return_on_capital", params, D(2008, 4, 1), occupancy_pct=100)
    half = rates.category_cost(cat, "single_return_on_capital", params, D(2008, 4, 1), occupancy_pct=50)
    assert half["return_on_capital"] == pytest.approx(2 * full["return_on_capital"])
    assert half["premises"] == pytest.approx(2 * full["premises"])
    assert half["care_staff"] == full["care_staff"]  # care hours are per resident
    # the vectorised per-home cost agrees with the line build-up
    vec = rates.cost_at_occupancy(cat, "single_return_on_capital", params, D(2008, 4, 1), [50, 100])
    assert vec[0] == pytest.approx(sum(half.values())) and vec[1] == pytest.approx(sum(full.values()))


def test_occupancy_zero_is_refused(params):
    with pytest.raises(ValueError):
        rates.category_cost(fair_price_2008(), "single_return_on_capital", params, D(2008, 4, 1), occupancy_pct=0)


def test_nlw_premium_follows_the_year(params):
    cat = Category.model_validate({"label": "t", "setting": "residential", "occupancy_pct": 90, "care_hours_prpw": 10,
                                   "care_pay": {"nlw_premium": 0.50},
                                   "on_costs": {"holiday": 0, "employer_ni": 0, "pension": 0}})
    # 10 h x (11.44 + 0.50) = 119.40 in 2024/25; 10 h x (12.21 + 0.50) = 127.10 in 2025/26
    assert rates.category_cost_pence(cat, "single_return_on_capital", params, D(2024, 4, 1))["care_staff"] == 119_40
    assert rates.category_cost_pence(cat, "single_return_on_capital", params, D(2025, 4, 6))["care_staff"] == 127_10


def test_statutory_on_costs_2025(params):
    # £12.21/h x 37.5 h x 52 = £23,809.50 a year.
    # employer NI 15% x (23,809.50 - 5,000) / 23,809.50 = 0.118500...;
    # pension 3% x (23,809.50 - 6,240) / 23,809.50 = 0.022137...; holiday 5.6 / 46.4 = 0.120690
    cat = Category.model_validate({"label": "t", "setting": "residential", "occupancy_pct": 90, "care_hours_prpw": 1,
                                   "care_pay": {"nlw_premium": 0}})
    oc = rates.on_cost_rate(cat, 12.21, params, D(2025, 4, 6))
    assert oc["employer_ni"] == pytest.approx(2821.425 / 23809.5)
    assert oc["pension"] == pytest.approx(527.085 / 23809.5)
    assert oc["holiday"] == pytest.approx(5.6 / 46.4)
    assert oc["total"] == pytest.approx((1 + 5.6 / 46.4) * (1 + (2821.425 + 527.085) / 23809.5) - 1)


def test_rate_card_adds_up_and_flags_fnc(params):
    s = load_scenario(EXAMPLE)
    card = rates.rate_card(s, params)
    built = card[card.basis.str.startswith("built")]
    parts = [c + "_gbp_pw" for c in rates.COST_LINES]
    for _, row in built.iterrows():
        assert round(sum(row[p] for p in parts), 2) == row["cost_of_care_total_gbp_pw"]
        assert row["weekly_rate_gbp"] == round(row["cost_of_care_total_gbp_pw"] + row["quality_premium_gbp_pw"]
                                               + row["supplementary_needs_gbp_pw"], 2)
    nursing = card[card.setting == "nursing"]
    assert set(nursing.fnc) == {"excluded"} and set(nursing.fnc_rate_gbp_pw) == {267.68}
    wa = card.set_index("band").loc["Working age residential"]
    assert wa.weekly_rate_gbp == 1080.00 + 4 * 17.00  # stated rate plus 4 supplementary hours at £17.00


def test_fnc_included_band_adds_fnc(params):
    s = load_scenario(EXAMPLE)
    structure = [b.model_copy(update={"fnc": "included"}) if b.setting == "nursing" else b for b in s.bands("proposed")]
    s2 = s.model_copy(update={"band_structures": {**s.band_structures, s.proposed_structure: structure}})
    excl = rates.rate_card(s, params).set_index("band").weekly_rate_gbp
    incl = rates.rate_card(s2, params).set_index("band").weekly_rate_gbp
    assert round(incl["Nursing"] - excl["Nursing"], 2) == 267.68
    assert incl["Residential"] == excl["Residential"]
    # band_rates strips FNC back out so placements are costed excluding FNC either way
    assert rates.band_rates(s2, params, "proposed") == rates.band_rates(s, params, "proposed")


def test_band_mapping_counts_every_council_placement(params):
    from feemodel.inputs.data import load_book
    s = load_scenario(EXAMPLE)
    book = load_book(s)
    proposed = rates.band_rates(s, params, "proposed")
    costed = {old: proposed[new] for old, new in s.band_mapping.items()}  # one-year phasing: the first year is the target
    m = rates.band_mapping(s, book.placements, rates.band_rates(s, params, "current"), proposed, costed)
    council = book.placements[book.placements.funding == "council"]
    assert m.placements.sum() == len(council)
    for _, row in m.iterrows():
        assert row.placements == (council.band == row.current_band).sum()
        assert row.change_gbp_pw == round(row.proposed_rate_gbp_pw - row.current_rate_gbp_pw, 2)


def test_index_57_43(params):
    s = load_scenario(EXAMPLE)
    ix = uplift_index(s, params, 2)
    # 2027/28: NLW 12.71 -> 13.15 (scenario) = +3.4618%; CPI 2.4%: 0.57 x 3.4618 + 0.43 x 2.4 = 3.0052%
    staff = (13.15 / 12.71 - 1) * 100
    assert ix.index_pct.iloc[1] == pytest.approx(0.57 * staff + 0.43 * 2.4, abs=1e-4)
    assert ix.cumulative_factor.iloc[1] == pytest.approx(1 + (0.57 * staff + 0.43 * 2.4) / 100, abs=1e-8)


def test_index_with_earnings_and_step_change(params):
    s = load_scenario(EXAMPLE)
    ix_cfg = s.indexation.model_copy(update={"staff_index": "earnings", "earnings_growth_pct": {2027: 4.0, 2028: 3.0},
                                             "step_changes_pct": {2027: 0.5}})
    ix = uplift_index(s.model_copy(update={"indexation": ix_cfg}), params, 3)
    # 2026 (the scenario's own year): no earnings growth given, so its index is not computed (shown blank)
    # 2027: 0.57 x 4 + 0.43 x 2.4 + 0.5 = 3.812; 2028: 0.57 x 3 + 0.43 x 2.0 = 2.57
    assert np.isnan(ix.index_pct.iloc[0]) and ix.cumulative_factor.iloc[0] == 1.0
    assert list(ix.index_pct.iloc[1:]) == pytest.approx([3.812, 2.57])
    assert ix.cumulative_factor.iloc[2] == pytest.approx(1.03812 * 1.0257)


def test_index_missing_year_is_an_error(params):
    from feemodel.errors import InputError
    s = load_scenario(EXAMPLE)
    with pytest.raises(InputError, match="indexation.future_nlw.2031"):
        uplift_index(s, params, 6)

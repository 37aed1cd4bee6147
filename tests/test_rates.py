"""Cost of care build-up, rate card, band mapping and the uplift index."""

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from feemodel.errors import InputError
from feemodel.model import rates
from feemodel.model.indexation import uplift_index
from feemodel.inputs.scenario import Category, Scenario, load_scenario
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
    s = load_scenario(EXAMPLE)
    with pytest.raises(InputError, match="indexation.future_nlw.2031"):
        uplift_index(s, params, 6)


# ---------------------------------------------------------------------------------------------
# Kill tests for rates.py's mutants (issue 19): a small hand-built scenario worked line by line.
# National figures on 6 April 2026 (params/national): NLW £12.71; employer NI 15% above £5,000 a
# year; pension 3% above the qualifying earnings lower limit £6,240; 5.6 weeks' statutory
# holiday; FNC £267.68 a week.
# ---------------------------------------------------------------------------------------------

WHEN = D(2026, 4, 6)
HOLIDAY = 5.6 / (52 - 5.6)  # 5.6 weeks' backfill: 5.6 / 46.4 = 0.1206897


def nursing_category(**change) -> dict:
    """A nursing category worked by hand below (price factor 1.05 where the scenario's price base
    is 2025 at +5% to 2026)."""
    cat = {
        "label": "Test nursing", "setting": "nursing", "occupancy_pct": 80,
        "care_hours_prpw": 20, "care_pay": {"nlw_premium": 0.29},               # 12.71 + 0.29 = £13.00/h
        "nurse_hours_prpw": 5, "nurse_pay": {"hourly_rate": 20.00},            # x 1.05 = £21.00/h
        "on_costs": {"sickness_training_pct": 2, "paid_hours_per_week": 40},   # holiday, NI, pension statutory
        "other_staff_prpw": {"admin": 40.00, "activities": {"hours_prpw": 2, "pay": {"hourly_rate": 10.00}}},
        "premises_per_bed": {"repairs": 14.00, "furniture": 10.00},
        "supplies_prpw": {"food": 30.00, "other": 10.00},
        "head_office_prpw": 20.00,
        "line_basis": {"supplies": "per_resident"},
        "returns": {"return_on_operations_pct": 10, "freehold_value_per_bed": 52000, "capital_yield_pct": 6,
                    "land_value_per_bed": 20000, "building_value_per_bed": 32000, "target_yield_pct": 12},
    }
    cat.update(change)
    return cat


def hand_scenario(categories: dict | None = None, bands: dict | None = None, **top) -> Scenario:
    """A scenario built in memory (no data files) for 2026/27, rates date 6 April 2026, its stated
    £ figures at 2025/26 prices uprated by 5% (factor 1.05)."""
    data = {
        "council": "Testshire", "title": "Hand-worked rates", "financial_year": 2026,
        "cost_of_care": {"return_convention": "fair_cost_of_care",
                         "price_base": {"year": 2025, "index": "stated", "index_pct": {2026: 5.0}},
                         "categories": categories or {"nur": nursing_category()}},
        "band_structures": bands or {"old": [{"name": "N", "setting": "nursing", "weekly_rate": 900.00}],
                                     "new": [{"name": "N", "setting": "nursing", "category": "nur"}]},
        "current_structure": "old", "proposed_structure": "new",
        "uplift": {"effective_date": "2026-04-06"},
    }
    data["band_mapping"] = {b["name"]: b["name"] for b in data["band_structures"]["old"]}  # same names unless given
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return Scenario.model_validate(data).model_copy(update={"path": Path("/councils/testshire/fees.yaml")})


def test_on_costs_by_hand_statutory_and_fixed(params):
    cat = Category.model_validate(nursing_category())
    # care pay £13.00 x 40 paid hours x 52 = £27,040 a year:
    # NI 15% x (27,040 - 5,000) / 27,040 = 3,306 / 27,040; pension 3% x (27,040 - 6,240) / 27,040 = 624 / 27,040
    oc = rates.on_cost_rate(cat, 13.00, params, WHEN)
    assert oc["employer_ni"] == pytest.approx(3306 / 27040, abs=1e-12)
    assert oc["pension"] == pytest.approx(624 / 27040, abs=1e-12)
    assert oc["holiday"] == pytest.approx(0.1206897, abs=1e-7)
    assert oc["sickness_training"] == 0.02
    # (1 + 0.1206897 + 0.02) x (1 + 0.1222633 + 0.0230769) - 1 = 1.1406897 x 1.1453402 - 1 = 0.3064778
    assert oc["total"] == pytest.approx(0.3064778, abs=1e-7)
    # a 5-hour week: £13 x 5 x 52 = £3,380 a year, under both thresholds: no NI, no pension
    part = cat.model_copy(update={"on_costs": cat.on_costs.model_copy(update={"paid_hours_per_week": 5})})
    oc = rates.on_cost_rate(part, 13.00, params, WHEN)
    assert (oc["employer_ni"], oc["pension"]) == (0.0, 0.0)
    assert oc["total"] == pytest.approx(1.02 + HOLIDAY - 1, abs=1e-12)
    # no pay at all: nothing above the thresholds either (no division by zero)
    assert rates.on_cost_rate(cat, 0.0, params, WHEN)["employer_ni"] == 0.0
    # fixed %: holiday 12%, NI 10%, pension 4%, sickness/training 2%: (1.14 x 1.14) - 1 = 0.2996
    fixed = cat.model_copy(update={"on_costs": cat.on_costs.model_copy(update={
        "holiday": 12, "employer_ni": 10, "pension": 4})})
    oc = rates.on_cost_rate(fixed, 13.00, params, WHEN)
    assert (oc["holiday"], oc["employer_ni"], oc["pension"]) == pytest.approx((0.12, 0.10, 0.04), abs=1e-12)
    assert oc["total"] == pytest.approx(0.2996, abs=1e-12)


def test_hourly_pay_and_staff_line_by_hand(params):
    cat = Category.model_validate(nursing_category())
    # NLW £12.71 on 6 April 2026 + £0.29 = £13.00 (never uprated); a fixed £20.00 at 2025 prices x 1.05 = £21.00
    assert rates.hourly_pay(cat.care_pay, params, WHEN, 1.05) == pytest.approx(13.00, abs=1e-12)
    assert rates.hourly_pay(cat.nurse_pay, params, WHEN, 1.05) == pytest.approx(21.00, abs=1e-12)
    assert rates.hourly_pay(cat.nurse_pay, params, WHEN) == 20.00
    # activities: 2 h x £10.00 x 1.05 = £10.50/h; a year 10.50 x 40 x 52 = £21,840;
    # NI 15% x 16,840 = 2,526, pension 3% x 15,600 = 468: on-costs (1.1406897) x (1 + 2,994 / 21,840) - 1 = 0.2970644
    # 2 x 10.50 x 1.2970644 = £27.238
    line = cat.other_staff_prpw["activities"]
    assert rates.staff_line_cost(line, cat, params, WHEN, 1.05) == pytest.approx(27.2384, abs=1e-4)
    # a stated £40.00 at 2025 prices: £42.00
    assert rates.staff_line_cost(40.0, cat, params, WHEN, 1.05) == pytest.approx(42.00, abs=1e-12)
    assert rates.staff_line_cost(40.0, cat, params, WHEN) == 40.00


def test_build_up_line_by_line_at_two_occupancies(params):
    s = hand_scenario()
    settings = rates.cost_settings(s, params)
    assert settings == {"return_basis": "operating_costs", "price_factor": pytest.approx(1.05, abs=1e-12)}
    cat = s.cost_of_care.categories["nur"]
    # care: 20 h x £13.00 x 1.3064778 = 339.684 -> 339.68
    # nursing: £21.00 x 40 x 52 = £43,680; NI 15% x 38,680 = 5,802, pension 3% x 37,440 = 1,123.20:
    #   5 h x £21.00 x 1.1406897 x (1 + 6,925.20 / 43,680) = 105 x 1.3215391 = 138.762 -> 138.76
    # other staff at 80% (assumed): admin 40 x 1.05 = 42.00 + activities 27.238 = 69.238 -> 69.24
    # premises (14 + 10) x 1.05 = 25.20 per bed / 0.8 = 31.50; supplies (30 + 10) x 1.05 = 42.00;
    # head office 20 x 1.05 = 21.00
    # operating 339.684 + 138.762 + 69.238 + 31.50 + 42.00 + 21.00 = 642.184
    # return on operations 10% -> 64.218 -> 64.22; capital 52,000 x 6% / (52 x 0.8) = 3,120 / 41.6 = 75.00
    at80 = {"care_staff": 339_68, "nursing_staff": 138_76, "other_staff": 69_24, "premises": 31_50,
            "supplies_services": 42_00, "head_office": 21_00, "return_on_operations": 64_22, "return_on_capital": 75_00}
    lines = rates.category_cost_pence(cat, "fair_cost_of_care", params, WHEN, **settings)
    assert lines == {**at80, "total": sum(at80.values())}
    assert lines["total"] == 781_40
    # at 100%: per-home other staff and head office x 0.8 / 1.0 (69.238 -> 55.391 -> 55.39; 21.00 -> 16.80),
    # supplies per resident stay 42.00, premises 25.20 / 1.0; operating 339.684 + 138.762 + 55.391 + 25.20
    # + 42.00 + 16.80 = 617.837 -> return 61.78; capital 3,120 / 52 = 60.00
    at100 = {"care_staff": 339_68, "nursing_staff": 138_76, "other_staff": 55_39, "premises": 25_20,
             "supplies_services": 42_00, "head_office": 16_80, "return_on_operations": 61_78, "return_on_capital": 60_00}
    assert rates.category_cost_pence(cat, "fair_cost_of_care", params, WHEN, 100, **settings) == {**at100, "total": 739_61}
    # the return as % of total cost: operating x 10 / 90: 642.184 / 9 = 71.354 -> 71.35; 617.837 / 9 = 68.649 -> 68.65
    tc = {**settings, "return_basis": "total_cost"}
    assert rates.category_cost_pence(cat, "fair_cost_of_care", params, WHEN, **tc)["return_on_operations"] == 71_35
    assert rates.category_cost_pence(cat, "fair_cost_of_care", params, WHEN, 100, **tc)["return_on_operations"] == 68_65
    # convention (a): no return on operations; (20,000 + 32,000) x 12% / (52 x 0.8) = 6,240 / 41.6 = 150.00 (120.00 at 100%)
    single = rates.category_cost_pence(cat, "single_return_on_capital", params, WHEN, **settings)
    assert (single["return_on_operations"], single["return_on_capital"], single["total"]) == (0, 150_00, 642_18 + 150_00)
    assert rates.category_cost_pence(cat, "single_return_on_capital", params, WHEN, 100, **settings)["return_on_capital"] == 120_00
    # vectorised per-home cost at 80% and 100% (unrounded): 642.184 + 64.218 + 75 = 781.403; 617.837 + 61.784 + 60 = 739.620
    vec = rates.cost_at_occupancy(cat, "fair_cost_of_care", params, WHEN, np.array([80.0, 100.0]), **settings)
    assert vec == pytest.approx([781.403, 739.620], abs=1e-3)
    vec = rates.cost_at_occupancy(cat, "fair_cost_of_care", params, WHEN, [80, 100], **tc)
    assert vec == pytest.approx([642.184 + 71.354 + 75, 617.837 + 68.649 + 60], abs=2e-3)


def test_sensitivity_adjustments_by_hand(params):
    cat = hand_scenario().cost_of_care.categories["nur"]
    # +£1/hour on care pay (£14.00: a year £29,120; NI 15% x 24,120 = 3,618; pension 3% x 22,880 = 686.40)
    # and +10% care hours (22 h): 22 x 14 x 1.1406897 x (1 + 4,304.40 / 29,120) = 308 x 1.3093018 = 403.265
    # occupancy 80 - 5 = 75%: premises 24 / 0.75 = 32.00; capital 52,000 x (6 + 1)% / (52 x 0.75) = 3,640 / 39 = 93.333
    # return on operations 10 + 2 = 12%
    lines = rates.category_cost(cat, "fair_cost_of_care", params, WHEN, adjust={
        "nlw_premium": 1.0, "care_hours_pct": 10.0, "occupancy_pct": -5.0, "return_on_operations_pct": 2.0,
        "capital_yield_pct": 1.0})
    assert lines["care_staff"] == pytest.approx(403.265, abs=1e-3)
    assert lines["premises"] == pytest.approx(32.00, abs=1e-12)
    assert lines["return_on_capital"] == pytest.approx(93.333, abs=1e-3)
    operating = sum(lines[k] for k in rates.OPERATING_LINES)
    assert lines["return_on_operations"] == pytest.approx(operating * 0.12, abs=1e-9)
    # no price factor here: other staff 40 + activities 2 h x £10.00 (a year £20,800; NI 15% x 15,800 = 2,370,
    # pension 3% x 14,560 = 436.80: 1.1406897 x (1 + 2,806.80 / 20,800) = 1.2946169) = 25.892: 65.892 at 80%,
    # spread x 0.8 / 0.75 = 70.285
    assert lines["other_staff"] == pytest.approx(70.285, abs=1e-3)
    # convention (a): (20,000 + 32,000) x (12 + 1)% / (52 x 0.75) = 6,760 / 39 = 173.333; no return on operations
    lines = rates.category_cost(cat, "single_return_on_capital", params, WHEN, adjust={
        "occupancy_pct": -5.0, "capital_yield_pct": 1.0, "return_on_operations_pct": 2.0})
    assert (lines["return_on_operations"], lines["return_on_capital"]) == (0.0, pytest.approx(173.333, abs=1e-3))


def test_stated_lines_are_uprated_and_do_not_move(params):
    # care staff stated at £300 (2025 prices) -> 315.00; return on capital stated £50 -> 52.50, whatever the occupancy
    flat = {"label": "Stated", "setting": "residential", "occupancy_pct": 90,
            "lines_prpw": {"care_staff": 300.00, "premises": 20.00, "return_on_capital": 50.00, "return_on_operations": 10.00},
            "other_staff_prpw": {"admin": 45.00}, "head_office_prpw": 9.00,
            "returns": {"return_on_operations_pct": 10, "freehold_value_per_bed": 90000, "capital_yield_pct": 6}}
    s = hand_scenario({"flat": flat}, {"old": [{"name": "R", "setting": "residential", "weekly_rate": 700.00}],
                                       "new": [{"name": "R", "setting": "residential", "category": "flat"}]})
    cat, settings = s.cost_of_care.categories["flat"], rates.cost_settings(s, params)
    # at 90%: care 315.00, premises 21.00 (stated, not divided), other staff 45 x 1.05 = 47.25, head office 9.45,
    # returns stated: 10.50 and 52.50. At 60%: other staff 47.25 x 0.9 / 0.6 = 70.875 -> 70.88, head office 14.175 -> 14.18
    at90 = rates.category_cost_pence(cat, "fair_cost_of_care", params, WHEN, **settings)
    assert at90 == {"care_staff": 315_00, "nursing_staff": 0, "other_staff": 47_25, "premises": 21_00, "supplies_services": 0,
                    "head_office": 9_45, "return_on_operations": 10_50, "return_on_capital": 52_50, "total": 455_70}
    at60 = rates.category_cost_pence(cat, "fair_cost_of_care", params, WHEN, 60, **settings)
    assert (at60["care_staff"], at60["premises"], at60["other_staff"], at60["head_office"], at60["return_on_capital"]) == \
        (315_00, 21_00, 70_88, 14_18, 52_50)
    # a stated return on operations is used whatever the basis or convention
    assert rates.category_cost_pence(cat, "single_return_on_capital", params, WHEN, return_basis="total_cost",
                                     price_factor=1.05)["return_on_operations"] == 10_50


def no_occupancy_category() -> dict:
    return {"label": "No occupancy", "setting": "residential", "care_hours_prpw": 10, "care_pay": {"nlw_premium": 0.29},
            "on_costs": {"holiday": 0, "employer_ni": 0, "pension": 0},
            "other_staff_prpw": {"admin": 40.00}, "supplies_prpw": {"food": 20.00}, "head_office_prpw": 10.00,
            "returns": {"return_on_operations_pct": 10}}


def test_a_category_without_occupancy_costs_the_same_at_every_occupancy(params):
    cat = Category.model_validate(no_occupancy_category())
    # care 10 h x £13.00 = 130; other staff 40, supplies 20, head office 10 (per resident, x 1.05 with the price base:
    # 42, 21, 10.50); operating 200 (203.50); return on operations 10% = 20 (20.35) under (b), none under (a)
    assert rates.category_cost_pence(cat, "fair_cost_of_care", params, WHEN, occupancy_pct=50)["total"] == 220_00
    assert rates.category_cost_pence(cat, "single_return_on_capital", params, WHEN)["total"] == 200_00
    vec = rates.cost_at_occupancy(cat, "single_return_on_capital", params, WHEN, np.array([50.0, 90.0]))
    assert list(vec) == pytest.approx([200.00, 200.00], abs=1e-9)
    vec = rates.cost_at_occupancy(cat, "fair_cost_of_care", params, WHEN, np.array([50.0, 90.0]),
                                  return_basis="total_cost", price_factor=1.05)
    # 130 + 42 + 21 + 10.50 = 203.50; as % of total cost 203.50 x 10 / 90 = 22.611
    assert list(vec) == pytest.approx([203.50 + 203.50 / 9] * 2, abs=1e-9)
    # an occupancy change does not apply to it (a change of 0 points is no change)
    assert rates.category_cost(cat, "fair_cost_of_care", params, WHEN, adjust={"occupancy_pct": np.zeros(2)})["care_staff"] == 130.0
    with pytest.raises(ValueError, match="^category 'No occupancy' states no occupancy_pct, so an occupancy change does not apply to it$"):
        rates.category_cost(cat, "fair_cost_of_care", params, WHEN, adjust={"occupancy_pct": np.array([0.0, -5.0])})


def test_occupancy_outside_0_to_100_is_refused_with_the_range(params):
    cat = Category.model_validate(nursing_category())
    with pytest.raises(ValueError, match=r"^occupancy must be above 0% and at most 100%, got 50% to 101%$"):
        rates.cost_at_occupancy(cat, "fair_cost_of_care", params, WHEN, np.array([50.0, 101.0]))
    with pytest.raises(ValueError, match=r"got 100\.5% to 100\.5%"):
        rates.category_cost(cat, "fair_cost_of_care", params, WHEN, occupancy_pct=100.5)
    with pytest.raises(ValueError, match="^a return on operations of 100% of total cost leaves nothing for the costs; "
                                         "it must be below 100%$"):
        rates.category_cost(cat, "fair_cost_of_care", params, WHEN, adjust={"return_on_operations_pct": 90.0},
                            return_basis="total_cost")


def test_fixed_care_pay_and_stated_nursing_line_are_uprated(params):
    # care pay fixed at £12.00 (2025 prices) x 1.05 = £12.60, 10 h, no on-costs: 126.00;
    # nursing staff stated at £200 -> 210.00 (not built: no nurse hours)
    cat = Category.model_validate({"label": "t", "setting": "nursing", "occupancy_pct": 90, "care_hours_prpw": 10,
                                   "care_pay": {"hourly_rate": 12.00}, "lines_prpw": {"nursing_staff": 200.00},
                                   "on_costs": {"holiday": 0, "employer_ni": 0, "pension": 0}})
    lines = rates.category_cost_pence(cat, "single_return_on_capital", params, WHEN, price_factor=1.05)
    assert (lines["care_staff"], lines["nursing_staff"], lines["total"]) == (126_00, 210_00, 336_00)
    # nurse pay on the NLW: 12.71 + 8.29 = £21.00, as the fixed £20.00 x 1.05 in the hand-worked category: 138.76
    cat = Category.model_validate(nursing_category(nurse_pay={"nlw_premium": 8.29}))
    assert rates.category_cost_pence(cat, "fair_cost_of_care", params, WHEN)["nursing_staff"] == 138_76


def test_line_basis_per_resident_and_per_home_by_hand(params):
    # the hand-worked category with other staff and head office per resident and supplies per home, at 100%:
    # other staff stays 69.24 and head office 21.00; supplies 42.00 x 0.8 / 1.0 = 33.60
    cat = Category.model_validate(nursing_category(line_basis={"other_staff": "per_resident", "head_office": "per_resident",
                                                               "supplies": "per_home"}))
    lines = rates.category_cost_pence(cat, "fair_cost_of_care", params, WHEN, 100, price_factor=1.05)
    assert (lines["other_staff"], lines["head_office"], lines["supplies_services"]) == (69_24, 21_00, 33_60)


def card_scenario(**top) -> Scenario:
    """Three proposed bands on the hand-worked nursing category (781.40 a week, see
    test_build_up_line_by_line_at_two_occupancies), a stated nursing rate including FNC and a
    stated residential rate; the current bands are stated rates."""
    bands = {
        "old": [{"name": "Res", "setting": "residential", "weekly_rate": 700.00},
                {"name": "Nur", "setting": "nursing", "weekly_rate": 1100.00, "fnc": "included"}],
        "new": [{"name": "Nursing built", "setting": "nursing", "client_group": "older", "category": "nur",
                 "quality_premium": 10.00, "supplementary_hours": 2, "supplementary_hourly_rate": 15.50, "fnc": "included"},
                {"name": "Nur stated", "setting": "nursing", "weekly_rate": 1100.00, "fnc": "included"},
                {"name": "Res", "setting": "residential", "client_group": "working_age", "weekly_rate": 750.60},
                {"name": "Nursing alt", "setting": "nursing", "category": "nur"}],
    }
    notes = {"band_structures.new.Nursing built": "Built from\n  the survey's   hours.",
             "cost_of_care.categories.nur": "The  category's note.",
             "band_structures.old.Res": "The current residential rate."}
    top = {"band_mapping": {"Res": "Res", "Nur": {"Nursing built": 60, "Nur stated": 40}}, "notes": notes, **top}
    return hand_scenario(bands=bands, **top)


SURVEY = pd.DataFrame([
    # category, cost line, statistic, lower quartile, median, upper quartile (£ prpw)
    ("nur", "total", "median_of_totals", 700.0, 800.0, 900.0),
    ("nur", "total", "sum_of_line_medians", 1.0, 2.0, 3.0),
    ("nur", "care_staff", "median_of_totals", 11.0, 12.0, 13.0),
    ("other", "total", "median_of_totals", 4.0, 5.0, 6.0),
], columns=["category", "cost_line", "convention", "lower_quartile", "median", "upper_quartile"])

LINES_GBP = [c + "_gbp_pw" for c in rates.COST_LINES]
NUR_80 = [339.68, 138.76, 69.24, 31.50, 42.00, 21.00, 64.22, 75.00]  # the build-up at 80%, total 781.40
NAN = np.nan


def test_rate_card_every_column_by_hand(params):
    s = card_scenario()
    card = rates.rate_card(s, params, survey_summary=SURVEY)
    # Nursing built: 781.40 + quality premium 10.00 + 2 h x £15.50 = 31.00 + FNC 267.68 (included) = 1,090.08
    # Nur stated: £1,100 as stated, FNC included: the council's share 1,100 - 267.68 = 832.32
    # Res: a stated residential rate (no FNC): 750.60
    # notes: the band's own (on one line), else its category's; a note on a current band is not the proposed band's
    expected = pd.DataFrame([
        ["Nursing built", "nursing", "older", "built from nur", 80.0, 1.05, *NUR_80, 781.40, 0.0, 10.00, 31.00,
         "included", 267.68, 1090.08, "median_of_totals", 700.0, 800.0, 900.0, "Built from the survey's hours."],
        ["Nur stated", "nursing", "all", "stated rate", NAN, NAN, *[NAN] * 8, 832.32, 0.0, 0.0, 0.0,
         "included", 267.68, 1100.00, NAN, NAN, NAN, NAN, ""],
        ["Res", "residential", "working_age", "stated rate", NAN, NAN, *[NAN] * 8, 750.60, 0.0, 0.0, 0.0,
         "n/a", NAN, 750.60, NAN, NAN, NAN, NAN, ""],
        ["Nursing alt", "nursing", "all", "built from nur", 80.0, 1.05, *NUR_80, 781.40, 0.0, 0.0, 0.0,
         "excluded", 267.68, 781.40, "median_of_totals", 700.0, 800.0, 900.0, "The category's note."],
    ], columns=["band", "setting", "client_group", "basis", "occupancy_pct", "price_base_factor", *LINES_GBP,
                "cost_of_care_total_gbp_pw", "uplift_gbp_pw", "quality_premium_gbp_pw", "supplementary_needs_gbp_pw",
                "fnc", "fnc_rate_gbp_pw", "weekly_rate_gbp", "survey_statistic", "survey_lower_quartile_gbp_pw",
                "survey_median_gbp_pw", "survey_upper_quartile_gbp_pw", "note"])
    pd.testing.assert_frame_equal(card, expected, check_dtype=False)
    # the same card on the sum of line medians: the survey's other statistic
    other = rates.rate_card(s.model_copy(update={"survey_statistic": "sum_of_line_medians"}), params, survey_summary=SURVEY)
    assert other.loc[0, ["survey_statistic", "survey_lower_quartile_gbp_pw", "survey_median_gbp_pw",
                         "survey_upper_quartile_gbp_pw"]].tolist() == ["sum_of_line_medians", 1.0, 2.0, 3.0]
    # the current card: stated rates, the current band's note
    current = rates.rate_card(s, params, "current").set_index("band")
    assert current.note.to_dict() == {"Res": "The current residential rate.", "Nur": ""}
    assert current.weekly_rate_gbp.to_dict() == {"Res": 700.00, "Nur": 1100.00}
    assert current.cost_of_care_total_gbp_pw.to_dict() == {"Res": 700.00, "Nur": 832.32}
    assert all(np.isnan(x) for x in current.occupancy_pct)  # stated rates: occupancy blank


def test_rate_card_whole_pounds_by_hand(params):
    s = card_scenario(uplift={"rounding": "pound"})
    card = rates.rate_card(s, params).set_index("band")
    # the rate excluding FNC to the pound, half up: 822.40 -> 822 (-0.40); 832.32 -> 832 (-0.32); 750.60 -> 751 (+0.40);
    # 781.40 -> 781 (-0.40); FNC added back where included
    assert card.rounding_gbp_pw.to_dict() == {"Nursing built": -0.40, "Nur stated": -0.32, "Res": 0.40, "Nursing alt": -0.40}
    assert card.weekly_rate_gbp.to_dict() == {"Nursing built": 822.00 + 267.68, "Nur stated": 832.00 + 267.68, "Res": 751.00,
                                              "Nursing alt": 781.00}
    assert list(card.columns[-3:]) == ["rounding_gbp_pw", "weekly_rate_gbp", "note"]  # after the FNC, before the rate
    # the current card is not rounded (the rounding is the new rates' rule)
    assert "rounding_gbp_pw" not in rates.rate_card(s, params, "current").columns


@pytest.mark.parametrize("method, extra, basis", [
    ("uniform", {"uniform_pct": 10}, {"Res": "current rate + 10%", "Nur": "current rate + 10%"}),
    ("per_band", {"per_band_pct": {"Res": 5.5}}, {"Res": "current rate + 5.5%", "Nur": "current rate + 0%"}),
    ("index", {}, {"Res": "current rate + the uplift index", "Nur": "current rate + the uplift index"}),
])
def test_rate_card_of_a_pct_uplift_by_hand(params, method, extra, basis):
    # a % uplift keeps the current bands; pound rounding is the costing's (costed), not the card's
    s = card_scenario(uplift={"method": method, "rounding": "pound", **extra}, proposed_structure="old",
                      band_mapping={"Res": "Res", "Nur": "Nur"})
    with pytest.raises(ValueError, match="^a uniform, per-band or index uplift's rate card needs the costed rates$"):
        rates.rate_card(s, params)
    # costed (excluding FNC), given: Res £770.00, Nur £915.55 (the council's share 832.32 + 83.23)
    card = rates.rate_card(s, params, costed={"Res": 770_00, "Nur": 915_55})
    assert list(card.band) == ["Res", "Nur"]
    assert "rounding_gbp_pw" not in card.columns
    card = card.set_index("band")
    assert card.basis.to_dict() == basis
    # uplift = costed - current excluding FNC: 770.00 - 700.00 = 70.00; 915.55 - 832.32 = 83.23
    assert card.uplift_gbp_pw.to_dict() == {"Res": 70.00, "Nur": 83.23}
    # the rate: current + uplift (FNC still included in Nur's): 770.00; 1,100 + 83.23 = 1,183.23
    assert card.weekly_rate_gbp.to_dict() == {"Res": 770.00, "Nur": 1183.23}
    assert card.cost_of_care_total_gbp_pw.to_dict() == {"Res": 700.00, "Nur": 832.32}
    assert card.note.to_dict() == {"Res": "The current residential rate.", "Nur": ""}  # the current structure's notes


MAPPING_COLUMNS = ["current_band", "proposed_band", "placements", "share_pct", "current_rate_gbp_pw", "proposed_rate_gbp_pw",
                   "first_year_rate_gbp_pw", "change_gbp_pw", "change_pct"]
CURRENT = {"Old": 800_00, "OldN": 900_00, "Zero": 0}
PROPOSED = {"A": 850_00, "B": 900_00, "C": 950_00, "N": 1000_00}
COSTED = {"Old": 825_00, "OldN": 950_00, "Zero": 100_00}


def mapping_scenario(mapping: dict, pct_method: bool = False):
    # band_mapping reads only the scenario's mapping and whether the uplift is a %
    return SimpleNamespace(uplift=SimpleNamespace(pct_method=pct_method), band_mapping=mapping)


def test_band_mapping_split_bands_by_hand():
    # Old (5 council placements): 1 reassessed to B, 1 to C (a band the mapping does not name), 3 not reassessed;
    # a self-funder in Old reassessed to A is not the council's. OldN (2): 1 reassessed to N, 1 not. Zero: none.
    placements = pd.DataFrame({
        "funding": ["council"] * 5 + ["self"] + ["council"] * 2,
        "band": ["Old"] * 6 + ["OldN"] * 2,
        "proposed_band": ["B", "C", "", "", "", "A", "N", ""],
    }, index=[10, 11, 12, 13, 14, 15, 16, 17])
    m = rates.band_mapping(mapping_scenario({"Old": {"A": 63, "B": 37}, "OldN": "N", "Zero": "A"}), placements,
                           CURRENT, PROPOSED, COSTED)
    # Old -> A: 0 reassessed + 3 x 63% = 1.89 -> 1.9; -> B: 1 + 3 x 37% = 2.11 -> 2.1; -> C: 1 + 3 x 0% = 1.0
    # OldN -> N: 1 + 1 x 100% = 2.0; Zero -> A: 0.0
    # change Old: 825 - 800 = 25.00, 25 / 800 = 3.125% -> 3.13; OldN: 50.00, 50 / 900 = 5.5556% -> 5.56;
    # Zero: from £0, no % change
    expected = pd.DataFrame([
        ["Old", "A", 1.9, 63.0, 800.00, 850.00, 825.00, 25.00, 3.13],
        ["Old", "B", 2.1, 37.0, 800.00, 900.00, 825.00, 25.00, 3.13],
        ["Old", "C", 1.0, 0.0, 800.00, 950.00, 825.00, 25.00, 3.13],
        ["OldN", "N", 2.0, 100.0, 900.00, 1000.00, 950.00, 50.00, 5.56],
        ["Zero", "A", 0.0, 100.0, 0.00, 850.00, 100.00, 100.00, np.nan],
    ], columns=MAPPING_COLUMNS)
    pd.testing.assert_frame_equal(m, expected, check_dtype=False)


def test_band_mapping_whole_bands_without_a_proposed_band_column():
    # no split and no proposed_band column: whole counts, no share column
    placements = pd.DataFrame({"funding": ["council", "council", "self", "council"], "band": ["Old", "Old", "Old", "OldN"]},
                              index=[3, 4, 5, 6])
    m = rates.band_mapping(mapping_scenario({"Old": "A", "OldN": "N", "Zero": "A"}), placements, CURRENT, PROPOSED, COSTED)
    columns = [c for c in MAPPING_COLUMNS if c != "share_pct"]
    expected = pd.DataFrame([
        ["Old", "A", 2, 800.00, 850.00, 825.00, 25.00, 3.13],
        ["OldN", "N", 1, 900.00, 1000.00, 950.00, 50.00, 5.56],
        ["Zero", "A", 0, 0.00, 850.00, 100.00, 100.00, np.nan],
    ], columns=columns)
    pd.testing.assert_frame_equal(m, expected, check_dtype=False)
    assert m.placements.tolist() == [2, 1, 0] and all(isinstance(x, int) for x in m.placements.tolist())
    # a split mapping without the column: the shares of every placement in the band (2 x 50% = 1.0 each)
    m = rates.band_mapping(mapping_scenario({"Old": {"A": 50, "B": 50}, "OldN": "N", "Zero": "A"}), placements,
                           CURRENT, PROPOSED, COSTED)
    assert m.placements.tolist() == [1.0, 1.0, 1.0, 0.0] and m.share_pct.tolist() == [50.0, 50.0, 100.0, 100.0]
    # ten placements split 70% / 30%: 7.0 and 3.0
    ten = pd.DataFrame({"funding": ["council"] * 10, "band": ["Old"] * 10})
    m = rates.band_mapping(mapping_scenario({"Old": {"A": 70, "B": 30}, "OldN": "N", "Zero": "A"}), ten, CURRENT, PROPOSED, COSTED)
    assert m.placements.tolist() == [7.0, 3.0, 0.0, 0.0]


def test_band_mapping_of_a_pct_uplift_keeps_the_bands():
    # with a %, the proposed band is the current band and its proposed rate the uplifted (costed) rate; a split
    # mapping does not apply
    placements = pd.DataFrame({"funding": ["council"] * 3, "band": ["Old", "Old", "OldN"], "proposed_band": ["", "", ""]})
    m = rates.band_mapping(mapping_scenario({"Old": {"A": 63, "B": 37}, "OldN": "N", "Zero": "A"}, pct_method=True),
                           placements, CURRENT, PROPOSED, COSTED)
    columns = [c for c in MAPPING_COLUMNS if c != "share_pct"]
    expected = pd.DataFrame([
        ["Old", "Old", 2, 800.00, 825.00, 825.00, 25.00, 3.13],
        ["OldN", "OldN", 1, 900.00, 950.00, 950.00, 50.00, 5.56],
        ["Zero", "Zero", 0, 0.00, 100.00, 100.00, 100.00, np.nan],
    ], columns=columns)
    pd.testing.assert_frame_equal(m, expected, check_dtype=False)


def test_band_mapping_of_a_pct_uplift_ignores_placements_own_proposed_band():
    # bug fixed (found while killing rates.py's mutants): under a % a placement's own proposed_band added a row
    # counting the whole band again (Old's 2 placements shown twice: 2 + 2 + 1 = 5 rows' worth for 3 placements)
    placements = pd.DataFrame({"funding": ["council"] * 3, "band": ["Old", "Old", "OldN"], "proposed_band": ["B", "", ""]})
    m = rates.band_mapping(mapping_scenario({"Old": "A", "OldN": "N", "Zero": "A"}, pct_method=True),
                           placements, CURRENT, PROPOSED, COSTED)
    assert list(zip(m.current_band, m.proposed_band, m.placements, strict=True)) == [("Old", "Old", 2), ("OldN", "OldN", 1), ("Zero", "Zero", 0)]


def test_band_rates_and_adjusted_rates_by_hand(params):
    s = card_scenario()
    # excluding FNC: Nursing built 781.40 + 10.00 + 31.00 = 822.40; Nur stated 1,100 - 267.68 = 832.32; Res 750.60;
    # Nursing alt 781.40. Current: Res 700.00, Nur 832.32
    proposed = {"Nursing built": 822_40, "Nur stated": 832_32, "Res": 750_60, "Nursing alt": 781_40}
    assert rates.band_rates(s, params, "proposed") == proposed
    assert rates.band_rates(s, params, "current") == {"Res": 700_00, "Nur": 832_32}
    same = rates.band_rates_adjusted(s, params, {}, 2)
    assert {k: v.tolist() for k, v in same.items()} == {k: [v, v] for k, v in proposed.items()}
    assert all(v.dtype == np.int64 for v in same.values())
    # +£1/hour on care pay in the second draw: care 20 h x £14.00 x 1.3093018 = 366.604 -> 366.60; operating
    # 642.184 - 339.684 + 366.604 = 669.104, return 10% = 66.91: 366.60 + 138.76 + 69.24 + 31.50 + 42.00 + 21.00
    # + 66.91 + 75.00 = 811.01 (+ 41.00 add-ons = 852.01); stated rates do not move
    moved = rates.band_rates_adjusted(s, params, {"nlw_premium": np.array([0.0, 1.0])}, 2)
    assert {k: v.tolist() for k, v in moved.items()} == {
        "Nursing built": [822_40, 852_01], "Nur stated": [832_32] * 2, "Res": [750_60] * 2, "Nursing alt": [781_40, 811_01]}
    # convention (a): 642.18 + capital 150.00 (+ 41.00 add-ons)
    single = card_scenario(cost_of_care={"return_convention": "single_return_on_capital"})
    assert rates.band_rates_adjusted(single, params, {}, 1)["Nursing built"].tolist() == [833_18]
    assert rates.band_rates(single, params, "proposed")["Nursing alt"] == 792_18


def stated_scenario(price_base: dict, **top) -> Scenario:
    """One band built from a care staff line stated at £500 a week (price base's prices), nothing else."""
    flat = {"label": "Stated care", "setting": "residential", "lines_prpw": {"care_staff": 500.00}}
    return hand_scenario({"flat": flat}, {"old": [{"name": "F", "setting": "residential", "weekly_rate": 400.00}],
                                          "new": [{"name": "F", "setting": "residential", "category": "flat"}]},
                         cost_of_care={"price_base": price_base}, **top)


def test_price_base_on_the_uplift_index_and_the_factor_shown_to_6_places(params):
    # 2025 prices uprated by 2026's uplift index: 57% x NLW growth (12.71 / 12.21 - 1 = 4.0950%) + 43% x CPI 3.0%
    # = 3.6241523%, shown and used to 4 places: 3.6242% -> factor 1.036242; £500 x 1.036242 = 518.121 -> 518.12
    s = stated_scenario({"year": 2025, "index": "uplift_index"},
                        indexation={"staff_share_pct": 57, "staff_index": "nlw", "cpi_pct": {2026: 3.0}})
    assert rates.cost_settings(s, params)["price_factor"] == pytest.approx(1.036242, abs=1e-12)
    assert rates.band_rates(s, params, "proposed") == {"F": 518_12}
    assert rates.band_rates_adjusted(s, params, {}, 1)["F"].tolist() == [518_12]
    assert rates.band_rate_pence(s.bands("proposed")[0], s, params, WHEN)["care_staff"] == 518_12  # settings worked out
    card = rates.rate_card(s, params)
    assert (card.price_base_factor[0], card.care_staff_gbp_pw[0], card.weekly_rate_gbp[0]) == (1.036242, 518.12, 518.12)
    assert np.isnan(card.occupancy_pct[0])  # the category states no occupancy: blank
    # two stated years from 2024: 1.012345 x 1.023456 = 1.03609056 -> shown 1.036091; £500 x 1.03609056 = 518.045 -> 518.05
    s = stated_scenario({"year": 2024, "index": "stated", "index_pct": {2025: 1.2345, 2026: 2.3456}})
    card = rates.rate_card(s, params)
    assert (card.price_base_factor[0], card.care_staff_gbp_pw[0]) == (1.036091, 518.05)
    # without a price base: no factor column, £500 as stated
    card = rates.rate_card(stated_scenario(None), params)
    assert "price_base_factor" not in card.columns and card.weekly_rate_gbp[0] == 500.00
    # a price base after the scenario's year is an error naming the key
    with pytest.raises(InputError, match=r"^/councils/testshire/fees.yaml: cost_of_care.price_base.year: 2027 is after "
                                         r"the scenario's financial year 2026; a price base is an earlier year$"):
        rates.cost_settings(stated_scenario({"year": 2027, "index": "stated"}), params)


def return_100_scenario(convention="fair_cost_of_care", basis="total_cost", **cat) -> Scenario:
    """card_scenario with a return on operations of 100% on the nursing category."""
    nur = nursing_category(returns={"return_on_operations_pct": 100, "freehold_value_per_bed": 52000, "capital_yield_pct": 6},
                           **cat)
    return card_scenario(cost_of_care={"return_convention": convention, "return_on_operations_basis": basis,
                                       "categories": {"nur": nur}})


def test_a_return_of_100_pct_of_total_cost_is_an_input_error_naming_the_key(params):
    scenario = return_100_scenario
    band = scenario().bands("proposed")[0]
    with pytest.raises(InputError) as err:
        rates.band_rate_pence(band, scenario(), params, WHEN)
    assert str(err.value) == ("/councils/testshire/fees.yaml: cost_of_care.categories.nur.returns.return_on_operations_pct: "
                              "100% of total cost (return_on_operations_basis: total_cost) leaves nothing for the costs; "
                              "give a % below 100")
    # 100% of operating costs is allowed: the return equals the operating costs, 642.18
    assert rates.band_rate_pence(band, scenario(basis="operating_costs"), params, WHEN)["return_on_operations"] == 642_18
    # convention (a) has no return on operations at all
    assert rates.band_rate_pence(band, scenario("single_return_on_capital"), params, WHEN)["return_on_operations"] == 0


def test_a_stated_return_on_operations_takes_no_pct_of_total_cost(params):
    # bug fixed: category_cost raised its ValueError for the 100% although the stated line replaces the return.
    # A stated return on operations (£30 at 2025 prices: 31.50) replaces the computed one, so the % does not apply
    stated = return_100_scenario(lines_prpw={"return_on_operations": 30.00})
    band = stated.bands("proposed")[0]
    assert rates.band_rate_pence(band, stated, params, WHEN)["return_on_operations"] == 31_50


def test_a_stated_rate_including_fnc_below_the_fnc_is_an_input_error(params):
    s = card_scenario()
    band = s.bands("proposed")[1].model_copy(update={"weekly_rate": 200.00})   # Nur stated, FNC included
    with pytest.raises(InputError) as err:
        rates.band_rate_pence(band, s, params, WHEN)
    # £200.00 - FNC £267.68 would leave the council a negative share
    assert str(err.value) == ("/councils/testshire/fees.yaml: band 'Nur stated': weekly_rate £200.00 includes FNC but is below "
                              "the FNC rate in force (£267.68 on 2026-04-06); give the rate including FNC, or set fnc: excluded")
    # the sensitivity's rates refuse it the same way
    bad = s.model_copy(update={"band_structures": {**s.band_structures, "new": [band]}})
    with pytest.raises(InputError, match="^/councils/testshire/fees.yaml: band 'Nur stated': weekly_rate £200.00 includes FNC"):
        rates.band_rates_adjusted(bad, params, {}, 1)
    # exactly the FNC leaves the council nothing to pay, which is allowed
    at_fnc = rates.band_rate_pence(band.model_copy(update={"weekly_rate": 267.68}), s, params, WHEN)
    assert (at_fnc["cost_of_care_total"], at_fnc["fnc_in_rate"], at_fnc["weekly_rate"]) == (0, 267_68, 267_68)
    # FNC excluded: the whole stated rate is the council's, the FNC is paid on top and not in the rate
    excluded = rates.band_rate_pence(band.model_copy(update={"fnc": "excluded"}), s, params, WHEN)
    assert (excluded["cost_of_care_total"], excluded["fnc_amount"], excluded["fnc_in_rate"], excluded["weekly_rate"]) == \
        (200_00, 267_68, 0, 200_00)


def test_a_stated_band_takes_no_category_note(params):
    # a category may be called "None"; its note is not a stated band's (a stated band has no category)
    flat = {"label": "Stated care", "setting": "residential", "lines_prpw": {"care_staff": 500.00}}
    s = hand_scenario({"None": flat}, {"old": [{"name": "S", "setting": "residential", "weekly_rate": 400.00}],
                                       "new": [{"name": "S", "setting": "residential", "weekly_rate": 450.00},
                                               {"name": "B", "setting": "residential", "category": "None"}]},
                      notes={"cost_of_care.categories.None": "Stated from the survey."})
    assert rates.rate_card(s, params).note.tolist() == ["", "Stated from the survey."]

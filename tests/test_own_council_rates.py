"""Issue 13, rates side: lines stated prpw, returns as % of total cost, price base, the category a
home's cost comes from, sensitivity ranges against the base values, and years from 2015/16.

Every expected figure is worked by hand in the comments."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from feemodel.errors import InputError, NotComputed
from feemodel.inputs.load import check_parameters_in_force, load_inputs, scenario_parameters
from feemodel.inputs.scenario import Category, Scenario
from feemodel.model import market, rates, sensitivity, uplift
from feemodel.model.case import Case
from feemodel.publish.tables import load_case
from tests.conftest import edit_yaml, tiny_scenario

D = dt.date
NO_ON_COSTS = {"holiday": 0, "employer_ni": 0, "pension": 0}


def cat(**kw) -> Category:
    return Category.model_validate({"label": "t", "setting": "residential", **kw})


def scenario(categories: dict, bands: list[dict], **top) -> Scenario:
    """A scenario with no data files: one structure used as both current and proposed."""
    return Scenario.model_validate({
        "council": "Testshire", "title": "t", "financial_year": top.pop("financial_year", 2026),
        "cost_of_care": {"categories": categories, **top.pop("cost_of_care", {})},
        "band_structures": {"s": bands}, "current_structure": "s", "proposed_structure": "s", **top})


# ---- 1. lines stated £ prpw

def test_a_stated_care_line_is_used_as_given_at_any_occupancy(params):
    # the issue's case: care staff £312.88 prpw, stated; no hours, no pay, no on-costs, no 100% occupancy
    c = cat(occupancy_pct=80, lines_prpw={"care_staff": 312.88}, supplies_prpw={"food": 50})
    lines = rates.category_cost_pence(c, "fair_cost_of_care", params, D(2026, 4, 6))
    assert lines["care_staff"] == 312_88
    # supplies £50 entered at the assumed 80% are a home's fixed cost: at 80% £50, at 100% 50 x 0.8 = £40;
    # the stated care line stays £312.88: totals 312.88 + 50 = 362.88 and 312.88 + 40 = 352.88
    homes = rates.cost_at_occupancy(c, "fair_cost_of_care", params, D(2026, 4, 6), np.array([80.0, 100.0]))
    assert homes == pytest.approx([362.88, 352.88], abs=1e-9)


def test_without_occupancy_per_home_lines_are_per_resident(params):
    # no occupancy_pct: care £312.88 + supplies £50 (per resident) = £362.88 at every home's occupancy
    c = cat(lines_prpw={"care_staff": 312.88}, supplies_prpw={"food": 50})
    assert c.care_pay is None and c.occupancy_pct is None
    homes = rates.cost_at_occupancy(c, "fair_cost_of_care", params, D(2026, 4, 6), np.array([50.0, 75.0, 100.0]))
    assert homes == pytest.approx([362.88] * 3, abs=1e-9)


def test_rate_card_shows_blank_occupancy_and_the_stated_line(params):
    s = scenario({"res": {"label": "Res", "setting": "residential", "lines_prpw": {"care_staff": 312.88, "head_office": 20}}},
                 [{"name": "Residential", "setting": "residential", "category": "res"}])
    card = rates.rate_card(s, params, "current").iloc[0]
    assert np.isnan(card.occupancy_pct)
    # 312.88 + 20 = 332.88; no return stated or configured
    assert (card.care_staff_gbp_pw, card.weekly_rate_gbp) == (312.88, 332.88)


def test_return_on_stated_operating_lines_and_a_stated_return(params):
    # operating 300 (stated) + 100 (built supplies) = 400; 5% on operating = 20.00
    c = cat(lines_prpw={"care_staff": 300}, supplies_prpw={"s": 100}, returns={"return_on_operations_pct": 5})
    assert rates.category_cost_pence(c, "fair_cost_of_care", params, D(2026, 4, 6))["return_on_operations"] == 20_00
    # a stated return replaces the computed one: 33.33 whatever the %
    c2 = cat(lines_prpw={"care_staff": 300, "return_on_operations": 33.33}, returns={"return_on_operations_pct": 5})
    assert rates.category_cost_pence(c2, "fair_cost_of_care", params, D(2026, 4, 6))["return_on_operations"] == 33_33


# ---- 2. return on operations as % of total cost

def test_return_as_percent_of_total_cost(params):
    # operating £900, 10% of the total: 900 x 10 / 90 = £100.00; total £1,000.00 (and 100 / 1000 = 10%)
    c = cat(lines_prpw={"care_staff": 900}, returns={"return_on_operations_pct": 10})
    lines = rates.category_cost_pence(c, "fair_cost_of_care", params, D(2026, 4, 6), return_basis="total_cost")
    assert (lines["return_on_operations"], lines["total"]) == (100_00, 1000_00)
    # on operating costs (the default) the same 10% is 900 x 10% = £90.00
    assert rates.category_cost_pence(c, "fair_cost_of_care", params, D(2026, 4, 6))["return_on_operations"] == 90_00


def test_return_of_all_of_total_cost_is_refused(params):
    s = scenario({"res": {"label": "Res", "setting": "residential", "lines_prpw": {"care_staff": 900},
                          "returns": {"return_on_operations_pct": 100}}},
                 [{"name": "R", "setting": "residential", "category": "res"}],
                 cost_of_care={"return_on_operations_basis": "total_cost"})
    with pytest.raises(InputError, match="return_on_operations_pct"):
        rates.band_rates(s, params, "proposed")


# ---- 3. price base

def test_price_base_uprates_stated_figures_not_nlw_pay_or_capital(params):
    # 2024/25 prices to 2026/27: +5% (2025) then +2% (2026): factor 1.05 x 1.02 = 1.071
    s = scenario({
        "a": {"label": "A", "setting": "residential", "occupancy_pct": 90, "lines_prpw": {"care_staff": 300},
              "premises_per_bed": {"p": 18}, "returns": {"freehold_value_per_bed": 52000, "capital_yield_pct": 6}},
        "b": {"label": "B", "setting": "residential", "care_hours_prpw": 10, "care_pay": {"hourly_rate": 10}, "on_costs": NO_ON_COSTS},
        "c": {"label": "C", "setting": "residential", "care_hours_prpw": 1, "care_pay": {"nlw_premium": 0}, "on_costs": NO_ON_COSTS},
    }, [{"name": "A", "setting": "residential", "category": "a"}, {"name": "B", "setting": "residential", "category": "b"},
        {"name": "C", "setting": "residential", "category": "c"}, {"name": "S", "setting": "residential", "weekly_rate": 700}],
        cost_of_care={"price_base": {"year": 2024, "index": "stated", "index_pct": {2025: 5, 2026: 2}}})
    card = rates.rate_card(s, params, "proposed").set_index("band")
    assert list(card.price_base_factor[["A", "B", "C"]]) == [1.071, 1.071, 1.071]
    assert np.isnan(card.price_base_factor["S"])
    # A: stated care 300 x 1.071 = 321.30; premises 18 x 1.071 / 0.9 = 21.42;
    #    capital (not uprated) 52,000 x 6% / (52 x 0.9) = 3,120 / 46.8 = 66.666... -> 66.67
    assert (card.care_staff_gbp_pw["A"], card.premises_gbp_pw["A"], card.return_on_capital_gbp_pw["A"]) == (321.30, 21.42, 66.67)
    # B: fixed pay £10 at 2024/25 prices -> £10.71; 10 h x 10.71 = 107.10
    assert card.care_staff_gbp_pw["B"] == 107.10
    # C: pay on the NLW is the NLW in force on 6 April 2026 (£12.71), never uprated: 1 h x 12.71
    assert card.care_staff_gbp_pw["C"] == 12.71
    # a stated rate is published as stated
    assert card.weekly_rate_gbp["S"] == 700.00


def test_no_price_base_no_factor_column(params):
    s = scenario({"a": {"label": "A", "setting": "residential", "lines_prpw": {"care_staff": 300}}},
                 [{"name": "A", "setting": "residential", "category": "a"}])
    assert "price_base_factor" not in rates.rate_card(s, params, "proposed").columns


# ---- 4. which category a home's cost comes from

def _own_council(tmp_path, categories, bands, check=True, **edits):
    """The tiny council (H1 residential 36/40 beds, H2 nursing 45/50) with its own categories and bands."""
    path = tiny_scenario(tmp_path, [dict(weekly_fee=760)] * 4 + [dict(home_id="H2", setting="nursing", band="Nursing", weekly_fee=850)],
                         dict(method="target_rates"))

    # the example's survey is of the example's categories: keep its standard residential returns,
    # renamed to this council's first category
    survey_path = path.parent / "data" / "cost_survey.csv"
    survey = pd.read_csv(survey_path)
    survey = survey[survey.category == "standard_residential"].assign(category=next(iter(categories)))
    survey.to_csv(survey_path, index=False)

    def change(d):
        d["cost_of_care"] = {"categories": categories}
        d["survey_exclusions"] = []
        legacy = [b for b in d["band_structures"]["legacy"] if b["name"] in ("Residential", "Nursing")]
        d["band_structures"] = {"legacy": legacy, "new": bands}
        d["current_structure"], d["proposed_structure"] = "legacy", "new"
        d["band_mapping"] = {"Residential": "Residential", "Nursing": "Nursing"}
        d["sensitivity"] = {}   # these categories state no occupancy: an occupancy range would be refused
        d.update(edits)
    path = edit_yaml(path, change)
    return load_case(path) if check else Case(*load_inputs(path))   # load_case checks sensitivity ranges


RES_ONLY = {"residential": {"label": "Residential", "setting": "residential",
                            "lines_prpw": {"care_staff": 312.88, "supplies_services": 100}}}
BANDS = [{"name": "Residential", "setting": "residential", "category": "residential"},
         {"name": "Nursing", "setting": "nursing", "weekly_rate": 900}]


def test_a_category_named_residential_costs_residential_homes(tmp_path):
    case = _own_council(tmp_path, RES_ONLY, BANDS)
    per_home, agg = market.sustainability(case, uplift.first_year(case))
    # H1: 312.88 + 100 = 412.88 (no occupancy: per resident); income 760 now:
    # margin (760 - 412.88) / 760 = 347.12 / 760 = 45.67% -> 45.7
    h1 = per_home.set_index("home_id").loc["H1"]
    assert (h1.cost_gbp_pobw, h1.margin_now_pct) == (412.88, 45.7)
    assert list(per_home.home_id) == ["H1"]  # the nursing home has no cost category: left out, not costed at 0
    rows = agg.set_index("setting")
    assert "the scenario's only residential category" in rows.cost_category["residential"]
    assert rows.homes["nursing"] == 0 and np.isnan(rows.median_margin_now_pct["nursing"])
    assert "left out" in rows.cost_category["nursing"] and "market.cost_category.nursing" in rows.cost_category["nursing"]
    assert rows.homes["all"] == 1


def test_no_category_for_any_setting_is_not_computed(tmp_path):
    two = {"res_a": {**RES_ONLY["residential"], "label": "A"}, "res_b": {**RES_ONLY["residential"], "label": "B"}}
    bands = [{"name": "Residential", "setting": "residential", "category": "res_a"},
             {"name": "Nursing", "setting": "nursing", "weekly_rate": 900}]
    case = _own_council(tmp_path, two, bands)
    with pytest.raises(NotComputed, match="no cost category for residential homes.*market.cost_category"):
        market.sustainability(case, uplift.first_year(case))
    # stating the category under market.cost_category costs them (412.88 again)
    case = _own_council(tmp_path / "b", two, bands, market={"cost_category": {"residential": "res_b"}})
    per_home, agg = market.sustainability(case, uplift.first_year(case))
    assert per_home.set_index("home_id").cost_gbp_pobw["H1"] == 412.88
    assert "res_b (market.cost_category)" in agg.set_index("setting").cost_category["residential"]


def test_a_homes_own_unknown_category_names_file_row_and_column(tmp_path):
    case = _own_council(tmp_path, RES_ONLY, BANDS)
    # the homes file's optional cost_category column: H1 names a category the scenario does not
    # have; the loader refuses it (so homes below cost never sees it)
    homes_csv = case.scenario.data_path("homes")
    homes = pd.read_csv(homes_csv, keep_default_na=False, dtype=str)
    homes["cost_category"] = ["nope", "", ""]
    homes.to_csv(homes_csv, index=False)
    with pytest.raises(InputError) as err:
        load_case(case.scenario.path)
    msg = str(err.value)
    assert "homes.csv" in msg and "row 2, column 'cost_category'" in msg and "'nope'" in msg


# ---- 5. sensitivity ranges against the base values

def _full_occupancy(tmp_path, sens):
    return _own_council(tmp_path, {"residential": {"label": "R", "setting": "residential", "occupancy_pct": 100,
                                                   "lines_prpw": {"care_staff": 312.88}, "supplies_prpw": {"s": 100}}},
                        BANDS, check=False, sensitivity=sens).scenario


def test_an_occupancy_range_beyond_100_is_refused(tmp_path):
    s = _full_occupancy(tmp_path, {"one_way": {"occupancy_pct": {"low": -5, "high": 3}}})
    with pytest.raises(InputError) as err:
        sensitivity.check_ranges(s)
    assert err.value.where == "sensitivity.one_way.occupancy_pct.high"
    assert "103%" in err.value.problem  # 100 + 3
    s = _full_occupancy(tmp_path / "b", {"monte_carlo": {"occupancy_pct": {"kind": "uniform", "low": -100, "high": 0}}})
    with pytest.raises(InputError) as err:
        sensitivity.check_ranges(s)
    assert err.value.where == "sensitivity.monte_carlo.occupancy_pct.low"  # 100 - 100 = 0% < 1%
    sensitivity.check_ranges(_full_occupancy(tmp_path / "c", {"one_way": {"occupancy_pct": {"low": -5, "high": 0}}}))


def test_normal_occupancy_draws_are_clipped_and_said(tmp_path):
    # one category at 100%: the change may run from 1 - 100 = -99 to 100 - 100 = 0 points
    s = _full_occupancy(tmp_path, {"monte_carlo": {"occupancy_pct": {"kind": "normal", "low": -4, "high": 2}}})
    sensitivity.check_ranges(s)
    d = sensitivity.draw(s, draws=2000, seed=1)["occupancy_pct"]
    assert d.max() == 0.0 and d.min() >= -99
    clip = sensitivity.monte_carlo_settings(s)["occupancy_pct_clipped_to"]
    assert (clip["low"], clip["high"]) == (-99.0, 0.0) and "clipped" in clip["note"]


def test_an_occupancy_range_on_a_category_without_occupancy_is_refused(tmp_path):
    case = _own_council(tmp_path, RES_ONLY, BANDS, check=False, sensitivity={"one_way": {"occupancy_pct": {"low": -5, "high": 0}}})
    with pytest.raises(InputError, match="states no occupancy_pct"):
        sensitivity.check_ranges(case.scenario)
    with pytest.raises(InputError, match="states no occupancy_pct"):   # and loading the case refuses it (exit 2)
        _own_council(tmp_path / "b", RES_ONLY, BANDS, sensitivity={"one_way": {"occupancy_pct": {"low": -5, "high": 0}}})


# ---- 6. years from 2015/16

def test_2015_16_loads_and_prices_a_built_category(params):
    s = scenario({"res": {"label": "Res", "setting": "residential", "care_hours_prpw": 20, "care_pay": {"nlw_premium": 0.50},
                          "on_costs": {"sickness_training_pct": 0, "paid_hours_per_week": 37.5}}},
                 [{"name": "R", "setting": "residential", "category": "res"}], financial_year=2015)
    p = scenario_parameters(s, params)
    check_parameters_in_force(s, p)  # every national figure has a value on 1 and 6 April 2015
    # on 6 April 2015: NMW adult rate £6.50 (SI 2014/2238) + 0.50 = £7.00 an hour
    # annual pay 7 x 37.5 x 52 = 13,650
    # holiday 5.6 / (52 - 5.6) = 5.6 / 46.4 = 0.1206897
    # NI 13.8% x (13,650 - 8,112) / 13,650 = 0.138 x 5,538 / 13,650 = 0.0559886
    # pension 1% x (13,650 - 5,824) / 13,650 = 0.01 x 7,826 / 13,650 = 0.0057333
    # on-costs (1.1206897)(1 + 0.0559886 + 0.0057333) - 1 = 1.1206897 x 1.0617219 - 1 = 0.1898608
    # care 20 x 7.00 x 1.1898608 = 166.5805 -> £166.58
    card = rates.rate_card(s, p, "proposed").iloc[0]
    assert card.care_staff_gbp_pw == 166.58
    assert p.get("wages.national_living_wage", D(2015, 10, 1)) == 6.70  # SI 2015/1724

"""Councils' own uplift rules (issue 13): index method, reach, pound rounding, index per component,
band splits and reassessed placements. Small hand-built books; every figure worked by hand below.

Defaults from tests.conftest: income £200/week and no capital, so the assessed contribution
(200 - PEA 31.80 = £168.20) is below every fee here and the council pays the whole change;
turnover off; no pass-through. A full year 2026/27 is 365 days = 365/7 weeks.
"""

import dataclasses

import numpy as np
import pytest
import yaml

from feemodel.errors import InputError
from feemodel.inputs.scenario import Indexation
from feemodel.model import uplift
from feemodel.model.case import Case
from feemodel.model.engine import CostEngine
from feemodel.model.indexation import year_index
from feemodel.model.sensitivity import headline_cost
from feemodel.publish.tables import load_case
from tests.conftest import EXAMPLE, tiny_scenario

EXAMPLE_COST = yaml.safe_load(EXAMPLE.read_text())["cost_of_care"]   # the survey's categories stay known

WEEKS = 365 / 7

# ten placements on a Residential band paid £700 now: five at or below the current rate, two
# between the current rate (700) and the new rate (750), three above the new rate
# the loader checks the NLW for every projection year (feemodel.inputs.load), whatever the index uses
NLW = {2027: 13.15, 2028: 13.55, 2029: 13.95, 2030: 14.35}
TEN = [650, 680, 700, 700, 700, 720, 740, 760, 800, 900]


def res(name, rate, **kw):
    return dict(name=name, setting="residential", client_group="older", weekly_rate=rate, **kw)


def case_for(tmp_path, fees, uplift_cfg, current=None, proposed=None, mapping=None, **top):
    """A case whose current structure is ``current`` (default Residential £700) and proposed
    structure ``proposed`` (default Residential £750)."""
    current = current or [res("Residential", 700.0)]
    proposed = proposed or [res("Residential", 750.0)]
    structures = {"now": current, "new": proposed}
    mapping = mapping or {b["name"]: b["name"] for b in current}
    path = tiny_scenario(tmp_path, [dict(weekly_fee=f, provider_price=f) for f in fees], uplift_cfg,
                         band_structures=structures, current_structure="now", proposed_structure="new",
                         band_mapping=mapping, **top)
    return load_case(path)


def first_year(case):
    cost = uplift.uplift_cost(case)
    first = cost[cost.financial_year == "2026/27"]
    return first[first.period == "part_year"], first[first.period == "full_year"]


def engine_agrees(case, part):
    """The vectorised engine's first-year (part-year) council cost equals the cost table's."""
    assert headline_cost(CostEngine(case), {})[0] == pytest.approx(part.council_net_change_gbp.sum(), abs=1e-9)


def test_reach_compare_with_new_rate_raises_seven_current_rate_raises_five(tmp_path):
    # protect_above_new_rate (default): below 750 move up: 650, 680, 700 x3, 720, 740 -> 7 raised;
    # weekly +100 +70 +50 +50 +50 +30 +10 = +£360; 760, 800, 900 keep their fee (protected 3).
    # £360 x 365/7 = 18,771.428... -> £18,771.43
    case = case_for(tmp_path / "a", TEN, dict(method="target_rates"))
    part, full = first_year(case)
    assert full.placements_affected.sum() == 7
    assert full.protected.sum() == 3
    assert full.council_net_change_gbp.sum() == 18771.43
    engine_agrees(case, part)
    # protect_above_current_rate (the council's rule): only those at or below 700 move: 650, 680,
    # 700 x3 -> 5 raised; +100 +70 +50 x3 = +£320; 720 and 740 keep their fee too (protected 5).
    # £320 x 365/7 = 16,685.714... -> £16,685.71
    case = case_for(tmp_path / "b", TEN, dict(method="target_rates", reach="protect_above_current_rate"))
    part, full = first_year(case)
    assert full.placements_affected.sum() == 5
    assert full.protected.sum() == 5
    assert full.council_net_change_gbp.sum() == 16685.71
    engine_agrees(case, part)
    fees = uplift.first_year(case).fee_new / 100
    assert fees.tolist() == [750, 750, 750, 750, 750, 720, 740, 760, 800, 900]


def test_reach_at_or_below_rate_versus_every_fee(tmp_path):
    # uniform 10%: band 700 -> 770. every_fee: 10% of the sum of fees 7,350 = +£735 a week.
    # at_or_below_rate: 650, 680, 700 x3 move to 770: +120 +90 +70 x3 = +£420; the five above keep.
    case = case_for(tmp_path / "a", TEN, dict(method="uniform", uniform_pct=10))
    part, full = first_year(case)
    assert full.council_net_change_gbp.sum() == round(735 * WEEKS, 2)   # 38,325.00
    engine_agrees(case, part)
    case = case_for(tmp_path / "b", TEN, dict(method="uniform", uniform_pct=10, reach="at_or_below_rate"))
    part, full = first_year(case)
    assert full.council_net_change_gbp.sum() == round(420 * WEEKS, 2)   # 21,900.00
    assert full.placements_affected.sum() == 5
    engine_agrees(case, part)


def test_pound_rounding_of_band_rates_not_of_own_fees(tmp_path):
    # uniform 3% on £579.40 = 596.782: penny 596.78, pound 597.00. A fee of £610.50 with the % on its
    # own fee: 610.50 x 1.03 = 628.815 -> 628.82 (half up, penny) whatever the band rounding.
    cfg = dict(method="uniform", uniform_pct=3)
    cur = [res("Residential", 579.40)]
    penny = case_for(tmp_path / "a", [579.40, 610.50], cfg, current=cur, proposed=cur)
    assert uplift.band_rates_costed(penny) == {"Residential": 59678}
    pound = case_for(tmp_path / "b", [579.40, 610.50], dict(cfg, rounding="pound"), current=cur, proposed=cur)
    assert uplift.band_rates_costed(pound) == {"Residential": 59700}
    assert uplift.first_year(pound).fee_new.tolist() == [59678, 62882]          # every_fee: own fee, penny
    reach = case_for(tmp_path / "c", [579.40, 610.50], dict(cfg, rounding="pound", reach="at_or_below_rate"),
                     current=cur, proposed=cur)
    assert uplift.first_year(reach).fee_new.tolist() == [59700, 61050]          # moves to the rate; above keeps
    engine_agrees(reach, first_year(reach)[0])


def test_pound_rounding_of_phased_target_rates(tmp_path):
    # target £750.50 from £700 over two years: year 1 half way 725.25 -> £725; year 2 750.50 -> £751
    # (half up). With penny rounding the same steps give 725.25 and 750.50.
    cfg = dict(method="target_rates", phasing_years=2, rounding="pound")
    case = case_for(tmp_path, [700], cfg, proposed=[res("Residential", 750.50)])
    assert uplift.band_rates_costed(case, 0, 1.0) == {"Residential": 72500}
    assert uplift.band_rates_costed(case, 1, 1.0) == {"Residential": 75100}
    engine_agrees(case, first_year(case)[0])


def test_index_method_uses_the_years_index_and_stated_staff_growth(tmp_path):
    # staff_growth_pct 2026 = 4.0 states the staff component (not the NLW's 12.21 -> 12.71, 4.095%);
    # index = 0.57 x 4.0 + 0.43 x 3.0 (CPI) = 2.28 + 1.29 = 3.57%.
    # band 700 x 1.0357 = 724.99; fee 650 x 1.0357 = 673.205 -> 673.21 (half up)
    ix = dict(staff_share_pct=57, staff_index="nlw", staff_growth_pct={2026: 4.0},
              future_nlw=NLW,
              cpi_pct={2026: 3.0, 2027: 2.4, 2028: 2.0, 2029: 2.0, 2030: 2.0})
    case = case_for(tmp_path, [700, 650], dict(method="index"), indexation=ix)
    assert year_index(case.scenario, case.params, 2026)["index_pct"] == pytest.approx(3.57)
    assert uplift.band_rates_costed(case) == {"Residential": 72499}
    assert uplift.first_year(case).fee_new.tolist() == [72499, 67321]
    engine_agrees(case, first_year(case)[0])


def test_supplementary_allowance_on_earnings_alone_leicestershire(tmp_path):
    # Leicestershire: supplementary needs £11.36 -> £11.81 on earnings growth 3.96%
    # (11.36 x 1.0396 = 11.8099 -> 11.81). The band: £579 stated + 1 hour x £11.36 = £590.36.
    # core on the blended index 0.57 x 3.96 + 0.43 x 2.0 = 2.2572 + 0.86 = 3.1172%:
    # 579 x 1.031172 = 597.048588; allowance 11.36 x 1.0396 = 11.809856; rate = 608.858444 -> £608.86
    # (the whole band on the blended index would be 590.36 x 1.031172 = 608.7627 -> £608.76)
    years = {2026: 3.96, 2027: 3.0, 2028: 3.0, 2029: 3.0, 2030: 3.0}
    cpi = {2026: 2.0, 2027: 2.0, 2028: 2.0, 2029: 2.0, 2030: 2.0}
    band = res("Residential", 579.0, supplementary_hours=1, supplementary_hourly_rate=11.36)
    ix = dict(staff_index="earnings", earnings_growth_pct=years, cpi_pct=cpi, components={"supplementary_needs": "staff"},
              future_nlw=NLW)
    case = case_for(tmp_path / "a", [590.36], dict(method="index"), current=[band], proposed=[band], indexation=ix)
    assert uplift.band_rates_costed(case) == {"Residential": 60886}
    card = uplift.rate_card_by_year(case)
    first = card[card.financial_year == 2026].iloc[0]
    assert first.supplementary_needs_gbp_pw == 11.81
    assert first.weekly_rate_gbp == 608.86
    assert first.index_pct == pytest.approx(3.1172)
    engine_agrees(case, first_year(case)[0])
    blended = case_for(tmp_path / "b", [590.36], dict(method="index"), current=[band], proposed=[band],
                       indexation=dict(ix, components={}))
    assert uplift.band_rates_costed(blended) == {"Residential": 60876}


def test_zero_weight_components_need_no_series_and_missing_years_name_the_key(tmp_path):
    case = case_for(tmp_path, [700], dict(method="uniform"))
    s, p = case.scenario, case.params
    # staff share 0: no NLW for 2032 (none in the parameters, none in the scenario) is not needed
    only_cpi = s.model_copy(update={"indexation": Indexation(staff_share_pct=0, cpi_pct={2032: 2.5})})
    assert year_index(only_cpi, p, 2032)["index_pct"] == 2.5
    # staff share 100: no CPI needed; earnings 4% -> 4%
    only_staff = s.model_copy(update={"indexation": Indexation(staff_share_pct=100, staff_index="earnings",
                                                                earnings_growth_pct={2032: 4.0})})
    assert year_index(only_staff, p, 2032)["index_pct"] == 4.0
    # a weighted component's missing year names the key and the year
    with pytest.raises(InputError, match=r"indexation\.cpi_pct\.2027"):
        year_index(s.model_copy(update={"indexation": Indexation(staff_growth_pct={2027: 3.0})}), p, 2027)
    with pytest.raises(InputError, match=r"indexation\.earnings_growth_pct\.2027"):
        year_index(s.model_copy(update={"indexation": Indexation(staff_index="earnings", cpi_pct={2027: 2.0})}), p, 2027)


def built_and_stated_case(tmp_path, uplift=None):
    """Two bands indexed on build-up weights from 2027/28: "Built" (its own category: care 20 h x £15 =
    £300 with no on-costs, other staff £100, supplies £100, no returns: cost of care £500, staff share
    (300 + 100) / 500 = 80%) and a stated "Residential" £700 (staff_share_pct 57%); staff costs grow 5%
    a year and CPI 2% from 2026; one placement at £700; ``uplift``: the first year's (default: uniform 0%)."""
    cat = dict(label="Built", setting="residential", occupancy_pct=90, care_hours_prpw=20, care_pay={"hourly_rate": 15},
               on_costs={"holiday": 0, "employer_ni": 0, "pension": 0}, other_staff_prpw={"admin": 100.0},
               supplies_prpw={"food": 100.0})
    bands = [dict(name="Built", setting="residential", client_group="older", category="built"), res("Residential", 700.0)]
    ix = dict(weights="build_up", staff_growth_pct={y: 5.0 for y in range(2026, 2031)},
              cpi_pct={y: 2.0 for y in range(2026, 2031)}, future_nlw=NLW)
    return case_for(tmp_path, [700], uplift or dict(method="uniform", uniform_pct=0), current=bands, proposed=bands,
                    indexation=ix, cost_of_care=dict(EXAMPLE_COST, categories={**EXAMPLE_COST["categories"], "built": cat}))


def test_build_up_weights_index_each_band_on_its_staff_share(tmp_path):
    # built band: care 20 h x £15 = 300 (no on-costs), other staff 100, supplies 100, no returns:
    # cost of care 500, staff share (300 + 100) / 500 = 80%. 2027: staff 5%, CPI 2%:
    # built band 0.8 x 5 + 0.2 x 2 = 4.4% -> 500 x 1.044 = £522.00;
    # stated band keeps staff_share_pct 57: 0.57 x 5 + 0.43 x 2 = 3.71% -> 700 x 1.0371 = £725.97
    case = built_and_stated_case(tmp_path)
    assert case.current_rates == {"Built": 50000, "Residential": 70000}
    assert uplift.band_rates_costed(case, 1, float(case.index.cumulative_factor[1])) == {"Built": 52200, "Residential": 72597}
    card = uplift.rate_card_by_year(case)
    y1 = card[card.financial_year == 2027].set_index("band")
    assert y1.index_pct.to_dict() == pytest.approx({"Built": 4.4, "Residential": 3.71})
    assert y1.weekly_rate_gbp.to_dict() == {"Built": 522.00, "Residential": 725.97}
    # the placement (Residential, £700, % on its own fee) follows its band's index in 2027: £725.97
    yf = uplift.year_fees(case, 1, float(case.index.cumulative_factor[1]))
    assert yf.fee_new.tolist() == [72597]


def test_band_split_costs_the_share_weighted_fee(tmp_path):
    # Residential (700) splits 60% to Res A (750) and 40% to Res B (800), protect above new rate:
    # fee 700: 0.6 x 750 + 0.4 x 800 = 450 + 320 = 770.00
    # fee 780: A: above 750, keeps 780; B: 800 -> 0.6 x 780 + 0.4 x 800 = 468 + 320 = 788.00
    # fee 777.77: 0.6 x 777.77 + 0.4 x 800 = 466.662 + 320 = 786.662 -> 786.66 (rounded once)
    # band rate costed (replacements, the band's table row): 0.6 x 750 + 0.4 x 800 = 770.00
    proposed = [res("Res A", 750.0), res("Res B", 800.0)]
    case = case_for(tmp_path, [700, 780, 777.77], dict(method="target_rates"), proposed=proposed,
                    mapping={"Residential": {"Res A": 60, "Res B": 40}})
    assert uplift.band_rates_costed(case) == {"Residential": 77000}
    yf = uplift.first_year(case)
    assert yf.fee_new.tolist() == [77000, 78800, 78666]
    # weekly +70 +8 +8.89 = +86.89; x 365/7 = 4,530.69
    part, full = first_year(case)
    assert full.council_net_change_gbp.sum() == round(8689 * 365 / 7 / 100, 2)
    engine_agrees(case, part)


def test_reassessed_band_and_own_supplementary_hours(tmp_path):
    # Residential (700) maps to Res A (750). Res B: £800 + 2 hours x £12.50 = £825.
    # P1 reassessed to Res B: 825 (+125). P2 reassessed to Res B with 4 hours of its own:
    # 800 + 4 x 12.50 = 850 (+150). P3 no reassessment: Res A 750 (+50). Weekly +£325.
    proposed = [res("Res A", 750.0), res("Res B", 800.0, supplementary_hours=2, supplementary_hourly_rate=12.5)]
    base = case_for(tmp_path, [700, 700, 700], dict(method="target_rates"), proposed=proposed,
                    mapping={"Residential": "Res A"})
    placements = base.book.placements.assign(proposed_band=["Res B", "Res B", ""], supplementary_hours=[np.nan, 4.0, np.nan])
    case = Case(base.scenario, base.params, dataclasses.replace(base.book, placements=placements))
    yf = uplift.first_year(case)
    assert yf.fee_new.tolist() == [82500, 85000, 75000]
    part, full = first_year(case)
    assert full.council_net_change_gbp.sum() == round(325 * WEEKS, 2)   # 16,946.43
    engine_agrees(case, part)
    # a blank proposed_band and supplementary_hours column changes nothing
    blank = Case(base.scenario, base.params, dataclasses.replace(
        base.book, placements=base.book.placements.assign(proposed_band="", supplementary_hours=np.nan)))
    assert uplift.first_year(blank).fee_new.tolist() == [75000] * 3


def test_rate_card_by_year_uniform(tmp_path):
    # uniform 2% on 700 = 714.00 in 2026/27; later years x the example's index (57% NLW, 43% CPI):
    # 2027: NLW 12.71 -> 13.15 = 3.4618...%, CPI 2.4: 0.57 x 3.46184 + 0.43 x 2.4 = 3.00525% ->
    # 714 x 1.0300525 = 735.4575 -> £735.46
    case = case_for(tmp_path, [700], dict(method="uniform", uniform_pct=2))
    card = uplift.rate_card_by_year(case)
    assert list(card.columns) == ["financial_year", "band", "weekly_rate_gbp", "index_pct", "rate_change_pct",
                                  "cumulative_factor", "supplementary_needs_gbp_pw"]
    assert card.financial_year.tolist() == [2026, 2027, 2028, 2029, 2030]
    assert card.weekly_rate_gbp.iloc[0] == 714.00
    assert card.index_pct.iloc[0] == 2.0
    assert card.weekly_rate_gbp.iloc[1] == 735.46
    nlw = (13.15 / 12.71 - 1) * 100
    assert card.index_pct.iloc[1] == pytest.approx(round(0.57 * nlw + 0.43 * 2.4, 4))

"""Fee uplift costing on small hand-built books (turnover off unless a test says otherwise)."""

import numpy as np
import pytest

from feemodel.model import uplift
from feemodel.publish.tables import load_case
from tests.conftest import tiny_scenario


def cost_of(tmp_path, placements, **uplift_cfg):
    case = load_case(tiny_scenario(tmp_path, placements, uplift_cfg))
    cost = uplift.uplift_cost(case)
    first = cost[cost.financial_year == "2026/27"]
    return case.scenario, case.params, case, first[first.period == "part_year"], first[first.period == "full_year"]


def test_part_year_uniform_uplift_from_mid_year(tmp_path):
    # £800 -> £880 (+10%) from 1 Oct 2026: 182 days to 31 March 2027 = 26 weeks x £80 = £2,080;
    # full year 365 / 7 weeks x £80 = £4,171.43. Contribution 200 - 31.80 stays, so council pays it all.
    _, _, _, part, full = cost_of(tmp_path, [dict(weekly_fee=800)], method="uniform", uniform_pct=10,
                                  effective_date="2026-10-01")
    assert part.council_net_change_gbp.sum() == 2080.00
    assert part.gross_change_gbp.sum() == 2080.00
    assert full.council_net_change_gbp.sum() == 4171.43
    assert part.resident_contribution_change_gbp.sum() == 0


def test_protected_placement_keeps_its_fee(tmp_path):
    # target rates: Residential moves 760 -> the built rate; a spot fee of 1,000 is above it and keeps it
    s, p, case, part, full = cost_of(tmp_path, [dict(weekly_fee=1000)], method="target_rates", protection="keep_fee")
    assert full.protected.sum() == 1
    assert full.council_net_change_gbp.sum() == 0
    # with 2% protection: 1,000 -> 1,020, £20 a week; 360 days from 6 April 2026 = 51.4286 weeks -> £1,028.57
    *_, part2, _ = cost_of(tmp_path / "b", [dict(weekly_fee=1000)], method="target_rates", protection="pct",
                           protection_pct=2)
    assert part2.council_net_change_gbp.sum() == 1028.57


def test_topup_vanishes_when_rate_passes_price(tmp_path):
    # fee 760 + top-up 40 = price 800. New Residential rate (built) is above 800 and homes pass none of
    # the rise on, so the top-up vanishes: gross rises by (new - 800), council by (new - 760), top-up -40.
    s, p, case, part, full = cost_of(tmp_path, [dict(weekly_fee=760, third_party_topup=40, provider_price=800)],
                                  method="target_rates")
    from feemodel.model.rates import band_rates
    new = band_rates(s, p, "proposed")["Residential"] / 100
    assert new > 800
    weeks = 365 / 7
    assert full.topup_change_gbp.sum() == round(-40 * weeks, 2)
    assert full.council_net_change_gbp.sum() == round((new - 760) * weeks, 2)
    assert full.gross_change_gbp.sum() == round((new - 800) * weeks, 2)
    t = uplift.topups_table(case)
    assert t[t.band == "All bands"].outcome.tolist() == ["vanishes"]


def test_topup_falls_when_price_follows_half_the_rise(tmp_path):
    # uniform 5% on 760 = 798 (+38); top-up 100 (price 860); homes add 50% of 38 = 19 -> price 879;
    # new top-up 879 - 798 = 81, a fall of 19 a week.
    s, p, case, part, full = cost_of(tmp_path, [dict(weekly_fee=760, third_party_topup=100, provider_price=860)],
                                  method="uniform", uniform_pct=5, provider_pass_through_pct=50)
    assert full.topup_change_gbp.sum() == round(-19 * 365 / 7, 2)
    assert full.council_net_change_gbp.sum() == round(38 * 365 / 7, 2)


def test_nursing_fnc_stays_fixed(tmp_path):
    # nursing 850 excl. FNC +10% = 935: FNC (£267.68) is national and does not change
    *_, full = cost_of(tmp_path, [dict(home_id="H2", setting="nursing", band="Nursing", weekly_fee=850,
                                       fnc_eligible=True, provider_price=1117.68)], method="uniform", uniform_pct=10)
    assert full.fnc_change_gbp.sum() == 0
    assert full.gross_change_gbp.sum() == full.council_net_change_gbp.sum() == round(85 * 365 / 7, 2)


def test_out_of_area_gets_band_percentage_on_own_fee(tmp_path):
    # out of area at the host's price 900; Residential moves by new/760, applied to 900
    s, p, case, part, full = cost_of(tmp_path, [dict(home_id="H3", area="out", weekly_fee=900, provider_price=900)],
                                  method="target_rates", out_of_area={"method": "band_change"})
    from feemodel.money import to_pence
    from feemodel.model.rates import band_rates
    new = band_rates(s, p, "proposed")["Residential"]
    fee_new = to_pence(900 * new / 76000)
    assert full.council_net_change_gbp.sum() == round((fee_new - 90000) / 100 * 365 / 7, 2)
    assert full.area.tolist() == ["out"]


def test_contribution_changes_only_when_fee_cap_binds(tmp_path):
    # income 900: assessed 900 - 31.80 = 868.20 > fee 760, so capped at 760. Uniform +20% -> 912:
    # contribution becomes 868.20 (+108.20), council pays 912 - 868.20 = 43.80 (from 0).
    *_, full = cost_of(tmp_path, [dict(weekly_fee=760, weekly_income=900)], method="uniform", uniform_pct=20)
    weeks = 365 / 7
    assert full.resident_contribution_change_gbp.sum() == round(108.20 * weeks, 2)
    assert full.council_net_change_gbp.sum() == round(43.80 * weeks, 2)


def test_turnover_with_replacement_and_without(tmp_path):
    # uniform 10% on 800 (+80/week). With leavers replaced at the band rate (760 -> 836, +76) and
    # 50% leaving a year: survival r^d per day, r = 0.5^(1/365.25). Weeks of the original resident
    # over the year = sum r^d (d = 0..364) / 7 = (1 - r^365) / (1 - r) / 7 (geometric series).
    r = 0.5 ** (1 / 365.25)
    surv = (1 - r ** 365) / (1 - r) / 7
    repl = 365 / 7 - surv
    *_, full = cost_of(tmp_path, [dict(weekly_fee=800)], method="uniform", uniform_pct=10,
                       turnover={"annual_exit_rate_pct": 50, "replace_leavers": True})
    assert full.council_net_change_gbp.sum() == pytest.approx(round(80 * surv + 76 * repl, 2), abs=0.011)
    *_, full2 = cost_of(tmp_path / "b", [dict(weekly_fee=800)], method="uniform", uniform_pct=10,
                        turnover={"annual_exit_rate_pct": 50, "replace_leavers": False})
    assert full2.council_net_change_gbp.sum() == pytest.approx(round(80 * surv, 2), abs=0.011)


def test_phasing_reaches_target_in_the_last_year(tmp_path):
    case = load_case(tiny_scenario(tmp_path, [dict(weekly_fee=760)], dict(method="target_rates", phasing_years=2)))
    s, p = case.scenario, case.params
    from feemodel.model.rates import band_rates
    target = band_rates(s, p, "proposed")["Residential"]
    y0 = uplift.year_fees(case, 0, 1.0)
    y1 = uplift.year_fees(case, 1, 1.0)
    # half way: 760 + (target - 760) / 2, and a half penny rounds up (the money rule), e.g. 789.505 -> 789.51
    assert y0.fee_new[0] == (2 * 76000 + (target - 76000) + 1) // 2
    assert y1.fee_new[0] == target


def test_example_identity_and_headline(params):
    from tests.conftest import EXAMPLE
    case = load_case(EXAMPLE)
    b = case.book
    cost = uplift.uplift_cost(case)
    ident = cost.council_net_change_gbp + cost.resident_contribution_change_gbp + cost.topup_change_gbp + cost.fnc_change_gbp
    assert np.allclose(ident, cost.gross_change_gbp, atol=0.011)
    h = uplift.headline(cost)
    assert 0 < h["council_net_change_part_year_gbp"] < h["council_net_change_full_year_gbp"]
    assert h["placements_affected"] <= (b.placements.funding == "council").sum()


def test_chc_placements_keep_their_nhs_fee_in_year_fees(tmp_path):
    # a CHC placement's gross income to the home is its NHS fee, before and after a council uplift
    case = load_case(tiny_scenario(tmp_path, [dict(funding="chc", band="", weekly_fee=1200, provider_price=1200,
                                                        home_id="H2", setting="nursing")], dict(method="uniform", uniform_pct=10)))
    yf = uplift.year_fees(case, 0, 1.0)
    assert yf.base["gross"][0] == yf.new["gross"][0] == 120000
    assert yf.base["nhs_chc"][0] == 120000

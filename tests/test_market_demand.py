"""Market view, demand projection, budget, sensitivity and Monte Carlo."""

import numpy as np
import pandas as pd
import pytest

from feemodel.model import demand, market, sensitivity, uplift
from feemodel.model.engine import CostEngine
from feemodel.model.rates import band_rates
from feemodel.publish.tables import load_case
from tests.conftest import EXAMPLE, tiny_scenario

GEN_RATES = {"18-64": 20.0, "65-74": 150.0, "75-84": 700.0, "85+": 2500.0}  # per 100,000 in the base year
GEN_TREND = -0.02


def synthetic(seed=3, years=range(2010, 2026)):
    rng = np.random.default_rng(seed)
    pop, adm = [], []
    for y in years:
        for band, rate in GEN_RATES.items():
            n = {"18-64": 500_000, "65-74": 90_000, "75-84": 60_000, "85+": 25_000}[band] * (1.01 ** (y - 2010))
            pop.append({"year": y, "age_band": band, "population": int(n), "kind": "estimate"})
            adm.append({"year": y, "age_band": band,
                        "admissions": rng.poisson(rate / 100_000 * np.exp(GEN_TREND * (y - 2010)) * int(n))})
    return pd.DataFrame(adm), pd.DataFrame(pop)


def test_demand_fit_recovers_known_generating_rates():
    adm, pop = synthetic()
    res, centre = demand.fit_admissions(adm, pop)
    assert res.params["t"] == pytest.approx(GEN_TREND, abs=0.006)
    # base-rate of 85+ at the centring year: 2500/100k x exp(-0.02 (centre - 2010))
    rate_85 = np.exp(res.params["Intercept"] + res.params["C(age_band)[T.85+]"])
    assert rate_85 == pytest.approx(2500e-5 * np.exp(GEN_TREND * (centre - 2010)), rel=0.04)
    ci = res.conf_int().loc["t"]
    assert ci[0] < GEN_TREND < ci[1]


def test_projection_intervals_cover_held_out_years():
    # fit on 2010-2025, project 2026-2030 and compare with draws from the same generating process:
    # a 90% interval should hold about 18 of the 20 held-out cells; require at least 15
    adm, pop = synthetic(years=range(2010, 2031))
    train = adm[adm.year <= 2025]
    res, centre = demand.fit_admissions(train, pop[pop.year <= 2025])
    proj = demand.project_admissions(res, centre, pop, list(range(2026, 2031)))
    assert (proj.pi90_low <= proj.admissions).all() and (proj.admissions <= proj.pi90_high).all()
    actual = proj.merge(adm, on=["year", "age_band"], suffixes=("", "_actual"))
    inside = ((actual.admissions_actual >= actual.pi90_low) & (actual.admissions_actual <= actual.pi90_high)).sum()
    assert len(actual) == 20 and inside >= 15


def test_placements_follow_exits_and_admissions(tmp_path):
    case = load_case(tiny_scenario(tmp_path, [dict(weekly_fee=760)] * 10,
                                        dict(turnover={"annual_exit_rate_pct": 40, "replace_leavers": True})))
    s, b = case.scenario, case.book
    projected = pd.DataFrame({"year": [2026, 2027], "age_band": ["85+", "85+"], "population": [1, 1],
                              "admissions": [5.0, 5.0]})
    draws = np.array([[4.0, 5.0, 6.0], [4.0, 5.0, 6.0]])
    out = demand.project_placements(s, b, projected, draws).set_index(["client_group", "financial_year"])
    # 10 older placements now; on 1 April 2027: 10 x 0.6 + 5 admitted in 2026/27 x r(40%), where
    # r = 0.4 / -ln(0.6) = 0.4 / 0.5108 = 0.7831 of a year's admissions are still placed at its end:
    # 6 + 3.915 = 9.9 (not 6 + 5 = 11)
    assert out.loc[("older", 2026), "placements"] == 10
    assert out.loc[("older", 2027), "placements"] == 9.9
    # the 95th percentile of the draws 4, 5, 6 is 5.9 (linear between 5 and 6): 6 + 5.9 x 0.7831 = 10.62 -> 10.6
    assert out.loc[("older", 2027), "placements_pi90_high"] == 10.6


def test_capacity_and_payer_shares(tmp_path):
    rows = [dict(weekly_fee=760)] * 9 + [dict(funding="self", band="", weekly_fee="", provider_price=1000, capital=90000)] * 27
    case = load_case(tiny_scenario(tmp_path, rows))
    cap = market.capacity(case.book).set_index("setting")
    # H1: 40 beds, 36 occupied (90%); 9 council of 36 = 25%, 27 self = 75%
    assert cap.loc["residential", "occupancy_pct"] == 90.0
    assert cap.loc["residential", "council_share_of_occupied_pct"] == 25.0
    assert cap.loc["residential", "self_share_of_occupied_pct"] == 75.0


def test_sustainability_counts_homes_below_cost(tmp_path):
    # H1 at 90% occupancy: cost = standard residential cost at 90% (the rate card's figure, 819.01 before
    # rounding); income 760 a week from council placements only -> below cost now, not after
    case = load_case(tiny_scenario(tmp_path, [dict(weekly_fee=760)] * 4, dict(method="target_rates")))
    s, p = case.scenario, case.params
    yf = uplift.year_fees(case, 0, 1.0)
    per_home, agg = market.sustainability(case, yf)
    row = per_home.set_index("home_id").loc["H1"]
    assert row.cost_gbp_pobw == pytest.approx(band_rates(s, p, "proposed")["Residential"] / 100, abs=0.02)
    assert row.income_now_gbp_pobw == 760.0
    assert row.margin_now_pct < 0 <= row.margin_new_pct
    assert agg.set_index("setting").loc["residential", "below_cost_now"] == 1
    assert agg.set_index("setting").loc["residential", "below_cost_proposed"] == 0


@pytest.fixture(scope="module")
def example():
    case = load_case(EXAMPLE)
    return case, CostEngine(case)


def test_engine_agrees_with_uplift_costing(example):
    case, e = example
    rates = band_rates(case.scenario, case.params, "proposed")
    fast = e.council_cost(np.array([[rates[n] for n in e.proposed_names]]))[0]
    cost = uplift.uplift_cost(case)
    part = cost[cost.period == "part_year"]
    # the table rounds each of its rows once, so the two agree within half a penny per row
    assert fast == pytest.approx(part.council_net_change_gbp.sum(), abs=0.005 * len(part) + 1e-6)


def test_monte_carlo_reproducible_for_a_seed(example):
    _, e = example
    t1, c1 = sensitivity.monte_carlo(e, draws=2000, seed=11)
    t2, c2 = sensitivity.monte_carlo(e, draws=2000, seed=11)
    t3, _ = sensitivity.monte_carlo(e, draws=2000, seed=12)
    assert np.array_equal(c1, c2) and t1.equals(t2)
    assert not t1.equals(t3)
    stats = t1.set_index("statistic").council_cost_gbp
    assert stats["P10"] < stats["P50"] < stats["P90"]


def test_normal_draws_use_p10_p90(example):
    s = example[0].scenario
    d = sensitivity.draw(s, draws=200_000, seed=1)["nlw_premium"]
    cfg = s.sensitivity.monte_carlo["nlw_premium"]
    assert np.percentile(d, 10) == pytest.approx(cfg.low, abs=0.01)
    assert np.percentile(d, 90) == pytest.approx(cfg.high, abs=0.01)


def test_one_way_moves_in_the_right_direction(example):
    _, e = example
    t = sensitivity.one_way(e).set_index("assumption")
    # more care hours and higher pay cost more; higher occupancy spreads fixed costs and costs less
    assert t.loc["care_hours_pct", "cost_at_high_gbp"] > t.loc["care_hours_pct", "base_cost_gbp"] > t.loc["care_hours_pct", "cost_at_low_gbp"]
    assert t.loc["nlw_premium", "cost_at_high_gbp"] > t.loc["nlw_premium", "cost_at_low_gbp"]
    assert t.loc["occupancy_pct", "cost_at_high_gbp"] < t.loc["occupancy_pct", "cost_at_low_gbp"]
    assert list(t.swing_gbp) == sorted(t.swing_gbp, reverse=True)

"""Figures a council can defend (issue 12): national rules on their legal dates, no figure carried
forward without notice, FNC-inclusive rates, the rates shown are the rates costed, one costing for
every year, cost build-up conventions, out-of-area placements, and the commissioner's checks.

Every expected value is worked by hand from the rule, with the working in a comment.
"""

import datetime as dt
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from feemodel.errors import InputError
from feemodel.inputs.scenario import Category
from feemodel.model import budget, checks, rates, survey, uplift
from feemodel.money import pounds
from feemodel.publish.tables import REGISTRY, load_case, uplift_cost
from tests.conftest import EXAMPLE, edit_yaml, tiny_scenario


# ---------------------------------------------------------------- national figures on their dates

def test_2025_rate_card_uses_ni_and_pension_from_6_april(tmp_path):
    # 2025/26 with the fee change from 1 April 2025: the build-up takes the figures in force on
    # 6 April 2025 (the rates date), when employer NI became 15% above £5,000 (not 13.8% above £9,100).
    path = tiny_scenario(tmp_path, [dict(weekly_fee=760)], dict(effective_date="2025-04-01"), financial_year=2025)
    case = load_case(path)
    assert case.scenario.rates_date == dt.date(2025, 4, 6)
    # standard residential: 23.5 care hours at NLW £12.21 + £0.55 = £12.76 an hour, 37.5 paid hours a week
    # annual pay 12.76 x 37.5 x 52 = £24,882.00
    # NI 15% x (24,882 - 5,000) / 24,882 = 0.1198577; pension 3% x (24,882 - 6,240) / 24,882 = 0.0224765
    # holiday 5.6 / 46.4 = 0.1206897; sickness and training 3%
    # on-costs (1 + 0.1206897 + 0.03) x (1 + 0.1198577 + 0.0224765) - 1 = 0.3144722
    # care staff 23.5 x 12.76 x 1.3144722 = £394.1576 -> £394.16
    card = REGISTRY["rate_card"].build(case).set_index("band")
    assert card.loc["Residential", "care_staff_gbp_pw"] == 394.16
    # on 1 April the old figures (13.8% above £9,100) would have given £383.00: £11.16 a week less
    assert card.loc["Residential", "care_staff_gbp_pw"] - 383.00 == pytest.approx(11.16, abs=0.005)


def test_contribution_on_3_april_2023_uses_the_2022_23_pea():
    # PEA £28.25 took effect on 6 April 2023 (SI 2023/277), so on 3 April the 2022/23 £25.65 applies:
    # income £200, no capital: 200 - 25.65 = £174.35 (and 200 - 28.25 = £171.75 from 6 April)
    def contribution(day):
        r = subprocess.run([sys.executable, "-m", "feemodel", "contribution", "--income", "200", "--capital", "0",
                            "--date", day, "--json"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return yaml.safe_load(r.stdout)["weekly_contribution"]
    assert contribution("2023-04-03") == 174.35
    assert contribution("2023-04-06") == 171.75


def test_no_figure_is_carried_forward_past_its_last_known_value(tmp_path, params):
    # the NLW is set to 2026/27; 2027/28 without a projection is refused, naming the parameter and year
    with pytest.raises(InputError, match=r"2027/28"):
        params.get("wages.national_living_wage", dt.date(2027, 4, 1))
    p = tiny_scenario(tmp_path, [dict(weekly_fee=760)], dict(effective_date="2027-04-06"), financial_year=2027)
    edit_yaml(p, lambda d: d["indexation"].update(future_nlw={}))
    r = subprocess.run([sys.executable, "-m", "feemodel", "check", str(p)], capture_output=True, text=True)
    assert r.returncode == 2
    assert "wages.national_living_wage" in r.stderr and "2027/28" in r.stderr


def test_a_stated_projection_is_used_and_listed(tmp_path):
    # 2027/28 with future_nlw 2027: £13.15 and FNC/PEA projections from the example: care pay is
    # 13.15 + 0.55 = £13.70 an hour, and the appendix lists the projection
    p = tiny_scenario(tmp_path, [dict(weekly_fee=760)], dict(effective_date="2027-04-06"), financial_year=2027)
    edit_yaml(p, lambda d: d["indexation"].update(future_nlw={2027: 13.15, 2028: 13.55, 2029: 13.95, 2030: 14.35, 2031: 14.75},
                                                  cpi_pct={2027: 2.4, 2028: 2.0, 2029: 2.0, 2030: 2.0, 2031: 2.0}))
    edit_yaml(p, lambda d: d["projections"].update({
        "nhs.fnc_standard_rate": {dt.date(y, 4, 1): 280.0 for y in range(2027, 2032)},
        "charging.personal_expenses_allowance": {dt.date(y, 4, 6): 33.0 for y in range(2027, 2032)},
        "tax.employer_ni_rate": {dt.date(2027, 4, 6): 0.15},
        "tax.employer_ni_secondary_threshold": {dt.date(2027, 4, 6): 5000},
        "pensions.auto_enrolment_employer_rate": {dt.date(2027, 4, 6): 0.03},
        "pensions.qualifying_earnings_lower_limit": {dt.date(2027, 4, 6): 6240}}))
    case = load_case(p)
    assert rates.hourly_pay(case.scenario.cost_of_care.categories["standard_residential"].care_pay, case.params,
                            case.scenario.rates_date) == pytest.approx(13.70)
    listed = REGISTRY["national_parameters"].build(case)
    nlw = listed[(listed.parameter == "wages.national_living_wage") & (listed.status == "projection")]
    assert 13.15 in nlw.value.tolist()


def test_parameter_overrides_are_bounded_and_capital_limits_ordered(params):
    with pytest.raises(InputError, match="out of range"):
        params.with_changes({"wages.national_living_wage": {dt.date(2026, 4, 1): 1e300}})
    with pytest.raises(InputError, match="not a number"):
        params.with_changes({"wages.national_living_wage": {dt.date(2026, 4, 1): float("inf")}})
    with pytest.raises(InputError, match="upper capital limit"):
        params.with_changes({"charging.upper_capital_limit": {dt.date(2026, 4, 1): 10_000}})


# ---------------------------------------------------------------- FNC-inclusive stated rates

def test_a_stated_rate_including_fnc_is_published_as_stated(tmp_path):
    # a nursing band stated at £1,154.06 a week including FNC (£267.68 in 2026/27): published as £1,154.06,
    # the council's share is 1,154.06 - 267.68 = £886.38, and a placement paid £850 moves to £886.38
    def stated(d):
        for b in d["band_structures"]["two_band"]:
            if b["name"] == "Nursing":
                b.pop("category", None)
                b.update(weekly_rate=1154.06, fnc="included")
    p = tiny_scenario(tmp_path, [dict(weekly_fee=850, band="Nursing", setting="nursing", home_id="H2", fnc_eligible=True,
                                      provider_price=850 + 267.68)], dict(method="target_rates"))
    edit_yaml(p, stated)
    case = load_case(p)
    card = REGISTRY["rate_card"].build(case).set_index("band")
    assert card.loc["Nursing", "weekly_rate_gbp"] == 1154.06
    assert card.loc["Nursing", "cost_of_care_total_gbp_pw"] == 886.38
    assert case.proposed_rates["Nursing"] == 886_38
    yf = uplift.first_year(case)
    assert yf.fee_new[0] == 886_38                       # the council's share, not 1,154.06 + FNC
    assert yf.new["nhs_fnc"][0] == 267_68
    assert yf.new["gross"][0] == 886_38 + 267_68          # £1,154.06: the stated rate


# ---------------------------------------------------------------- the rates shown are the rates costed

def test_uniform_uplift_publishes_the_uplifted_rates(tmp_path):
    # 5.5% on the current rates: Residential 760 x 1.055 = £801.80; Nursing dementia 895 x 1.055 = £944.225 -> £944.23
    p = tiny_scenario(tmp_path, [dict(weekly_fee=760)], dict(method="uniform", uniform_pct=5.5))
    case = load_case(p)
    mapping = REGISTRY["band_mapping"].build(case).set_index("current_band")
    assert mapping.loc["Residential", "first_year_rate_gbp_pw"] == 801.80
    assert mapping.loc["Residential", "change_gbp_pw"] == 41.80
    assert mapping.loc["Nursing dementia", "first_year_rate_gbp_pw"] == 944.23
    card = REGISTRY["rate_card"].build(case).set_index("band")
    assert card.loc["Residential", "weekly_rate_gbp"] == 801.80
    assert card.loc["Residential", "uplift_gbp_pw"] == 41.80
    # and the placement is costed at that rate: +£41.80 a week
    assert uplift.first_year(case).fee_new[0] == 801_80


def test_phased_first_year_rate_is_shown(tmp_path):
    # two-year phasing to the built Residential rate R: the first year is 760 + (R - 760) / 2, rounded once
    p = tiny_scenario(tmp_path, [dict(weekly_fee=760)], dict(method="target_rates", phasing_years=2))
    case = load_case(p)
    r = case.proposed_rates["Residential"]
    row = REGISTRY["band_mapping"].build(case).set_index("current_band").loc["Residential"]
    assert row.proposed_rate_gbp_pw == r / 100
    assert round(row.first_year_rate_gbp_pw * 100) == (76000 + r + 1) // 2


def test_survey_quartiles_round_half_up():
    # two homes costing £100.00 and £100.01: the median is £100.005, published £100.01 by the money rule
    # (pandas' float round gives £100.00)
    rows = [dict(home_id=h, category="c", beds=20, occupancy_pct=90, cost_line="care_staff", amount_prpw=v)
            for h, v in (("A", 100.00), ("B", 100.01))]
    out = survey.summarise(pd.DataFrame(rows))
    line = out[(out.cost_line == "care_staff")].iloc[0]
    assert line["median"] == 100.01
    assert pounds(888.465) == 888.47


# ---------------------------------------------------------------- one costing, reconciled

@pytest.fixture(scope="module")
def example_case():
    return load_case(EXAMPLE)


def test_budget_and_monte_carlo_agree_with_the_headline(example_case):
    case = example_case
    cost = uplift_cost(case)
    head = uplift.headline(cost)
    b = REGISTRY["budget"].build(case).set_index("financial_year")
    first = head["financial_year"]
    assert b.loc[first, "period"] == "part_year"
    assert b.loc[first, "growth_from_fees_gbp"] == head["council_net_change_part_year_gbp"]
    for year, value in head["council_net_change_by_year_gbp"].items():
        if year != first:
            assert b.loc[year, "growth_from_fees_gbp"] == value      # the same figure in every table
    mc = REGISTRY["montecarlo"].build(case).set_index("statistic").council_cost_gbp
    assert mc["as stated"] == head["council_net_change_part_year_gbp"]   # to the penny


def test_reconciliation_adds_up_every_year(example_case):
    r = REGISTRY["reconciliation"].build(example_case)
    for (_, _), g in r.groupby(["financial_year", "period"]):
        steps = g.set_index("step").amount_gbp
        parts = steps["gross_change"] + steps["less_topup_change"] + steps["less_resident_change"] + steps["less_fnc_change"]
        assert round(parts, 2) == steps["council_net_change"]


def test_every_cost_row_balances_exactly(example_case):
    cost = uplift_cost(example_case)
    parts = (cost.council_net_change_gbp + cost.resident_contribution_change_gbp + cost.topup_change_gbp + cost.fnc_change_gbp)
    assert np.array_equal(np.round(parts * 100).astype(int), np.round(cost.gross_change_gbp * 100).astype(int))


def test_budget_rows_by_hand():
    # the reconciliation of a one-row cost table; the weeks of a financial year by day count
    cost = pd.DataFrame({"financial_year": ["2026/27"], "period": ["part_year"], "council_net_change_gbp": [1234.56],
                         "gross_change_gbp": [1234.56], "topup_change_gbp": [0.0], "resident_contribution_change_gbp": [0.0],
                         "fnc_change_gbp": [0.0]})
    r = budget.reconciliation(cost).set_index("step").amount_gbp
    assert r["gross_change"] == 1234.56 and r["council_net_change"] == 1234.56
    assert budget.weeks_in_year(2027) == 366 / 7     # 2027/28 holds 29 February 2028
    assert budget.weeks_in_year(2026) == 365 / 7


def test_budget_by_hand(tmp_path):
    # 10 council placements at £760, income £200, no capital; uniform 0%, no turnover. Later years are
    # indexed: 2027/28 factor 1 + (0.57 x (13.15 / 12.71 - 1) + 0.43 x 2.4%) = 1.0300524, so the fee is
    # 760 x 1.0300524 = £782.84 (a change of £22.84 a week). 2027/28's means test uses the projected
    # PEA £32.75: contribution 200 - 32.75 = £167.25, so the council pays 782.84 - 167.25 = £615.59 a week
    # under the scenario, 760 - 167.25 = £592.75 at today's fees. 2027/28 has 366/7 weeks.
    case = load_case(tiny_scenario(tmp_path, [dict(weekly_fee=760)] * 10, dict(method="uniform", uniform_pct=0)))
    rows = [(2026, "all", 10, 10, 10), (2027, "all", 12, 11, 14)]
    proj = pd.DataFrame(rows, columns=["financial_year", "client_group", "placements", "placements_pi90_low", "placements_pi90_high"])
    b = budget.budget(case, uplift_cost(case), proj).set_index("financial_year")
    w = 366 / 7
    y = b.loc["2027/28"]
    assert y.average_council_cost_gbp_pw == 615.59
    assert y.baseline_cost_gbp == pounds(10 * 592.75 * w)            # £309,923.57
    assert y.growth_from_fees_gbp == pounds(10 * 22.84 * w)          # £11,942.06, the cost table's figure
    assert y.growth_from_demand_gbp == pounds(2 * 615.59 * w)        # £64,373.13
    assert y.growth_from_demand_low_gbp == pounds(1 * 615.59 * w)
    assert y.growth_from_demand_high_gbp == pounds(4 * 615.59 * w)
    # the three parts make the whole: 12 placements at £615.59 for 366/7 weeks, to within the parts' pennies
    assert y.council_cost_gbp == pytest.approx(12 * 615.59 * w, abs=0.02)
    # the first year is in-year (part year from 6 April): no demand growth, the headline's fee change
    first = b.loc["2026/27"]
    assert first.period == "part_year" and first.growth_from_demand_gbp == 0.0


# ---------------------------------------------------------------- cost build-up conventions

def _category(**kw):
    # no care cost: the schema (issue 13) asks for care hours with pay or a stated care line, so state it as £0
    base = dict(label="c", setting="residential", occupancy_pct=90, lines_prpw={"care_staff": 0},
                other_staff_prpw={"admin": 100.0}, supplies_prpw={"food": 50.0}, head_office_prpw=20.0,
                on_costs={"holiday": 0, "employer_ni": 0, "pension": 0})
    base.update(kw)
    return Category.model_validate(base)


def test_per_home_lines_spread_over_occupied_beds(params):
    # entered at the assumed 90%: at 80% occupancy a per-home line is value x 0.9 / 0.8
    # other staff 100 -> 112.50; supplies 50 -> 56.25; head office 20 -> 22.50
    when = dt.date(2026, 4, 6)
    at80 = rates.category_cost(_category(), "single_return_on_capital", params, when, occupancy_pct=80)
    assert at80["other_staff"] == pytest.approx(112.5)
    assert at80["supplies_services"] == pytest.approx(56.25)
    assert at80["head_office"] == pytest.approx(22.5)
    # at the assumed occupancy the lines are as entered
    at90 = rates.category_cost(_category(), "single_return_on_capital", params, when)
    assert at90["other_staff"] == 100.0
    # per resident: unchanged by occupancy
    flat = _category(line_basis={"supplies": "per_resident"})
    assert rates.category_cost(flat, "single_return_on_capital", params, when, occupancy_pct=80)["supplies_services"] == 50.0


def test_other_staff_as_hours_times_pay_with_on_costs(params):
    # 2 hours per resident at the NLW (£12.71 from 1 April 2026) with statutory on-costs:
    # annual 12.71 x 37.5 x 52 = £24,784.50; NI 15% x 19,784.50 / 24,784.50 = 0.1197402;
    # pension 3% x 18,544.50 / 24,784.50 = 0.0224470; holiday 5.6 / 46.4 = 0.1206897
    # on-costs (1.1206897)(1.1421872) - 1 = 0.2800381; line = 2 x 12.71 x 1.2800381 = £32.5386
    cat = _category(other_staff_prpw={"activities": {"hours_prpw": 2, "pay": {"nlw_premium": 0}}},
                    on_costs={"holiday": "statutory", "employer_ni": "statutory", "pension": "statutory"})
    line = rates.category_cost(cat, "single_return_on_capital", params, dt.date(2026, 4, 6))["other_staff"]
    assert line == pytest.approx(32.5386, abs=1e-4)


def test_out_of_area_placements_follow_the_index(tmp_path):
    # an out-of-county placement at £800: the host council's price moves by the 2026/27 index,
    # 57% x (12.71 / 12.21 - 1) + 43% x 3.0% = 57% x 4.0950% + 1.29% = 3.6242%, so 800 x 1.036242 = £828.99
    p = tiny_scenario(tmp_path, [dict(weekly_fee=800, area="out", home_id="H3")], dict(method="target_rates"))
    case = load_case(p)
    assert uplift.first_year(case).fee_new[0] == 828_99
    # a stated % instead: 2% -> £816.00
    edit_yaml(p, lambda d: d["uplift"].update(out_of_area={"method": "pct", "pct": 2.0}))
    assert uplift.first_year(load_case(p)).fee_new[0] == 816_00


# ---------------------------------------------------------------- checks a commissioner would want

def test_checks_flag_low_supplementary_rate_and_pass_through_gap(tmp_path):
    # £11.81 an hour is below the NLW (£12.71) with statutory on-costs (about £16.27): a warning
    p = tiny_scenario(tmp_path, [dict(weekly_fee=760)], dict(provider_pass_through_pct=0, self_funder_pass_through_pct=60))
    def low(d):
        for b in d["band_structures"]["two_band"]:
            if b["name"] == "Working age residential":
                b["supplementary_hourly_rate"] = 11.81
        d["notes"] = {}
    edit_yaml(p, low)
    c = checks.checks(load_case(p)).set_index("check")
    assert c.loc["supplementary_rate_below_nlw_cost", "status"] == "warning"
    assert c.loc["pass_through_gap", "status"] == "warning"
    edit_yaml(p, lambda d: d.update(notes={"uplift.self_funder_pass_through_pct": "Top-up prices are fixed by agreement."}))
    c = checks.checks(load_case(p)).set_index("check")
    assert c.loc["pass_through_gap", "status"] == "explained"


def test_example_scenarios_pass_the_checks_or_explain():
    from feemodel.paths import example_dir
    for path in sorted(example_dir().glob("*.yaml")):
        c = checks.checks(load_case(path))
        assert set(c.status) <= {"ok", "explained"}, (path.name, c[c.status == "warning"].detail.tolist())

"""Hand-worked tests of three published money tables no test named before (issue 19): the funding
summary (who pays the weekly fees now), the change in homes' income, and self-funders' change.

One small book, worked by hand from the rules (Care Act means test, FNC, top-ups, pass-through):

* P1: council, residential (home H1), fee £760, income £200 a week, no capital.
* P2: council, residential (H1), fee £760, a family's top-up of £40 (the home's price £800).
* P3: self-funder, residential (H1), price £1,000.
* P4: council, nursing (H2), fee £850, eligible for NHS-funded nursing care (FNC).

Means test on 6 April 2026 (the rates date): no capital, so no tariff income; the resident keeps the
Personal Expenses Allowance of £31.80 and pays £200 - £31.80 = £168.20 a week. FNC is £267.68 a
week, paid by the NHS on top of the council's fee.
"""

from __future__ import annotations

import pytest

from feemodel.model import funding, uplift
from feemodel.publish.tables import funding_split, load_case
from tests.conftest import tiny_scenario

WEEKS = 365 / 7  # 2026/27 has no 29 February


@pytest.fixture
def book(tmp_path):
    return tiny_scenario(tmp_path, [
        dict(weekly_income=200.0),
        dict(weekly_income=200.0, third_party_topup=40.0, provider_price=800.0),
        dict(funding="self", band="", weekly_fee="", provider_price=1000.0),
        dict(home_id="H2", setting="nursing", band="Nursing", weekly_fee=850.0, provider_price=850.0, weekly_income=200.0,
             fnc_eligible=True),
    ], {"method": "uniform", "uniform_pct": 10, "effective_date": "2026-04-01", "self_funder_pass_through_pct": 50,
        "protection": "none", "topup_collection": "council_gross"},
        proposed_structure="legacy", band_mapping={})


def test_funding_summary_by_hand(book):
    case = load_case(book)
    t = funding.summary_tables(funding_split(case)).set_index(["grouping", "group"])
    council = t.loc[("funding", "council")]
    # gross: P1 £760 + P2 £800 (fee £760 + top-up £40) + P4 £850 + FNC £267.68 = £2,677.68 a week
    # council: (760 - 168.20) + (760 - 168.20) + (850 - 168.20) = £1,865.40; residents 3 x £168.20 = £504.60;
    # families £40; NHS (FNC) £267.68; 1,865.40 + 504.60 + 40 + 267.68 = 2,677.68
    assert council.placements == 3
    assert (council.gross_gbp_pw, council.council_gbp_pw, council.resident_gbp_pw, council.third_party_gbp_pw,
            council.nhs_fnc_gbp_pw) == (2677.68, 1865.40, 504.60, 40.00, 267.68)
    # a year: each weekly figure x 365/7, to the penny: 2,677.68 x 365 / 7 = 977,353.20 / 7 = £139,621.89; 1,865.40 x 365/7 = £97,267.29
    assert council.gross_gbp_pa == round(2677.68 * WEEKS, 2) == 139621.89
    assert council.council_gbp_pa == round(1865.40 * WEEKS, 2) == 97267.29
    self_funded = t.loc[("funding", "self")]
    # the self-funder pays the home's price in full: £1,000 a week, £52,142.86 a year
    assert (self_funded.placements, self_funded.gross_gbp_pw, self_funded.resident_gbp_pw, self_funded.council_gbp_pw) == (1, 1000.0, 1000.0, 0.0)
    assert self_funded.resident_gbp_pa == round(1000 * WEEKS, 2) == 52142.86
    # by band: Residential holds P1 and P2 (gross £1,560), Nursing P4 (£1,117.68 with FNC)
    assert t.loc[("band", "Residential"), "gross_gbp_pw"] == 1560.00
    assert t.loc[("band", "Nursing"), "gross_gbp_pw"] == 1117.68


def test_homes_income_and_self_funders_change_by_hand(book):
    case = load_case(book)
    yf = uplift.first_year(case)
    per_home, dist = uplift.provider_income(case, yf)
    per_home = per_home.set_index("home_id").change_gbp_pw
    # without a year given, provider_income works out the first year itself: the same changes
    assert uplift.provider_income(case)[0].set_index("home_id").change_gbp_pw.to_dict() == {"H1": 150.00, "H2": 85.00}
    # 10% on every council fee: £760 -> £836 (+£76), £850 -> £935 (+£85).
    # H1: P1 +£76; P2's price stays £800 (no pass-through to top-ups), the fee £836 now covers it, so the
    #     home gets £836 instead of £800 (+£36) and the top-up ends; P3 (self-funder) pays half the
    #     residential council's average rise (76 + 76) / 2 = £76 -> +£38. H1: 76 + 36 + 38 = +£150.
    # H2: P4 +£85 (FNC unchanged).
    assert per_home.to_dict() == {"H1": 150.00, "H2": 85.00}
    bins = dist.set_index("group")
    assert (bins.loc["gain up to £500 a week", "homes"], bins.loc["gain up to £500 a week", "total_change_gbp_pw"]) == (2, 235.00)
    assert bins.loc["lose", "homes"] == 0 and bins.loc["no change", "homes"] == 0
    assert bins.loc["P50 change per home (£/week)", "total_change_gbp_pw"] == (150 + 85) / 2 == 117.50
    sf = uplift.self_funder_change(case, yf)
    # one self-funder, +£38 a week; from 1 April with no turnover: 38 x 365/7 = £1,981.43
    assert (sf["self_funders"], sf["average_change_gbp_pw"], sf["total_change_gbp_pw"]) == (1, 38.00, 38.00)
    assert sf["total_change_part_year_gbp"] == round(38 * WEEKS, 2) == 1981.43

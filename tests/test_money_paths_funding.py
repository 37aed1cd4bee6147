"""Money paths through funding and fee changes (issue 19), each worked by hand from the rule.

Every scenario is a tiny hand-built book (``tiny_scenario``) in 2026/27 with no turnover. National
figures as in force on the scenario's rates date (6 April 2026, the later of the effective date and
6 April): FNC standard rate £267.68 (from 1 April 2026), Personal Expenses Allowance £31.80 (from
6 April 2026). A resident with £200 income and no capital contributes 200 - 31.80 = £168.20.
Homes: H1 residential in county, H2 nursing in county, H3 residential out of county.

The rules (module docstrings of feemodel.model.uplift and feemodel.model.funding, domain brief):

* top-ups (Annex A): the agreed price P = fee + FNC + top-up; homes add
  ``provider_pass_through_pct`` of the council's *rise* to P; new top-up = max(0, P' - new fee - FNC).
* FNC is national (the NHS pays it, for council-funded and self-funded residents alike) and does
  not move with council fees.
* self-funders' prices rise by ``self_funder_pass_through_pct`` of the average council rise in their
  setting (in-county council placements), rounded to the penny once.
* a recorded assessed contribution is used as given (capped at the fee), not re-assessed.
"""

from __future__ import annotations

import numpy as np
import pytest

from feemodel.model import uplift
from feemodel.model.funding import PARTS
from feemodel.money import fmt_gbp_m, to_pence
from feemodel.publish.tables import funding_split, load_case
from tests.conftest import tiny_scenario

WEEKS = 365 / 7  # 2026/27 has no 29 February: a full year of weekly amounts; effective 1 April = full year

LEGACY = dict(proposed_structure="legacy", band_mapping={})  # a % on the current (legacy) bands
UNIFORM_10 = {"method": "uniform", "uniform_pct": 10, "effective_date": "2026-04-01", "protection": "none"}

NURSING_TOPUP = dict(home_id="H2", setting="nursing", band="Nursing", weekly_fee=850.0, provider_price=850.0,
                     fnc_eligible=True, third_party_topup=100.0)


def pence(yf_part, i=0):
    return int(yf_part[i])


# ------------------------------------------------------- nursing, FNC and a top-up under an uplift

@pytest.mark.parametrize("pass_through, topup_after, gross_after", [
    # agreed price P = fee 850.00 + FNC 267.68 + top-up 100.00 = 1,217.68; new fee 850 x 1.10 = 935.00 (rise 85.00)
    # 0%:  P' = 1,217.68;               top-up = 1,217.68 - 935.00 - 267.68 = 15.00 (falls by the rise, 85.00)
    (0, 15.00, 1217.68),
    # 50%: P' = 1,217.68 + 42.50 = 1,260.18; top-up = 1,260.18 - 935.00 - 267.68 = 57.50 (falls by 42.50)
    (50, 57.50, 1260.18),
])
def test_nursing_topup_with_fnc_under_an_uplift(tmp_path, pass_through, topup_after, gross_after):
    # setting: uniform 10% on every fee from 1 April 2026, provider pass-through 0% / 50%, no turnover
    path = tiny_scenario(tmp_path, [NURSING_TOPUP], dict(UNIFORM_10, provider_pass_through_pct=pass_through), **LEGACY)
    case = load_case(path)
    yf = uplift.first_year(case)
    assert (pence(yf.fee_old), pence(yf.fee_new)) == (85000, 93500)
    # FNC is the NHS's, £267.68 before and after: not moved by the council's rise
    assert pence(yf.base["nhs_fnc"]) == pence(yf.new["nhs_fnc"]) == 26768
    # the top-up: 100.00 before; after as worked above (not moved by the FNC, nor twice the FNC)
    assert pence(yf.base["third_party"]) == 10000
    assert pence(yf.new["third_party"]) == to_pence(topup_after)
    # gross (what the home receives) before: 850 + 100 + 267.68 = 1,217.68; after: the new agreed price
    assert pence(yf.base["gross"]) == 121768
    assert pence(yf.new["gross"]) == to_pence(gross_after)
    # the resident's contribution is not moved by the fee rise: 168.20 both sides; the council pays the rise
    # council: 850 - 168.20 = 681.80 before; 935 - 168.20 = 766.80 after
    assert (pence(yf.base["resident"]), pence(yf.new["resident"])) == (16820, 16820)
    assert (pence(yf.base["council"]), pence(yf.new["council"])) == (68180, 76680)
    for side in (yf.base, yf.new):
        assert side["gross"][0] == sum(side[p][0] for p in PARTS)

    # the year's cost (no turnover, from 1 April: part year = full year = weekly x 365/7)
    cost = uplift.uplift_cost(case)
    first = cost[(cost.financial_year == "2026/27") & (cost.period == "full_year")]
    # council +85.00 x 365/7 = 4,432.142857 -> 4,432.14
    assert first.council_net_change_gbp.sum() == 4432.14
    # FNC change 0; top-up change (topup_after - 100) x 365/7:
    # 0%: -85.00 x 365/7 = -4,432.14; 50%: -42.50 x 365/7 = -2,216.071 -> -2,216.07
    assert first.fnc_change_gbp.sum() == 0.0
    assert first.topup_change_gbp.sum() == {0: -4432.14, 50: -2216.07}[pass_through]
    assert first.resident_contribution_change_gbp.sum() == 0.0
    # gross = council + contributions + top-ups + FNC: 0% 4,432.14 - 4,432.14 = 0; 50% 4,432.14 - 2,216.07 = 2,216.07
    assert first.gross_change_gbp.sum() == {0: 0.0, 50: 2216.07}[pass_through]

    # the families' table: the one top-up falls, from £100.00 to the worked figure
    t = uplift.topups_table(case).set_index(["band", "outcome"])
    row = t.loc[("Nursing", "falls")]
    assert (row.placements, row.average_topup_before_gbp_pw, row.average_topup_after_gbp_pw) == (1, 100.00, topup_after)
    assert row.average_change_gbp_pw == round(topup_after - 100.00, 2)


# ------------------------------------------------------- a band rate that falls (pass-through on rises only)

CUT_BANDS = dict(
    band_structures={
        "now": [{"name": "Residential", "setting": "residential", "client_group": "older", "weekly_rate": 760.00},
                {"name": "Nursing", "setting": "nursing", "client_group": "older", "weekly_rate": 850.00}],
        "cut": [{"name": "Residential", "setting": "residential", "client_group": "older", "weekly_rate": 722.00},
                {"name": "Nursing", "setting": "nursing", "client_group": "older", "weekly_rate": 807.50}],
    },
    current_structure="now", proposed_structure="cut", band_mapping={"Residential": "Residential", "Nursing": "Nursing"},
)
CUT_BOOK = [
    dict(third_party_topup=100.0),                               # Residential £760 + top-up £100 (P = 860.00)
    NURSING_TOPUP,                                               # Nursing £850 + FNC + top-up £100 (P = 1,217.68)
    dict(funding="self", band="", weekly_fee="", provider_price=1000.0),                      # residential self-funder
    dict(funding="self", band="", weekly_fee="", home_id="H2", setting="nursing", provider_price=1400.0,
         fnc_eligible=True),                                                                  # nursing self-funder
]


def test_band_rate_falls_fees_kept_topups_and_self_funders_unchanged(tmp_path):
    # setting: move to a rate card 5% lower (Residential 760 -> 722.00, Nursing 850 -> 807.50) from
    # 1 April 2026; reach protect_above_new_rate with protection keep_fee (both placements are paid above
    # the new rate, so both keep their fee); pass-through 50% to top-ups and 50% to self-funders
    path = tiny_scenario(tmp_path, CUT_BOOK, {"method": "target_rates", "effective_date": "2026-04-01",
                                              "protection": "keep_fee", "provider_pass_through_pct": 50,
                                              "self_funder_pass_through_pct": 50}, **CUT_BANDS)
    case = load_case(path)
    yf = uplift.first_year(case)
    assert yf.band_new[:2].tolist() == [72200, 80750]
    assert yf.fee_new[:2].tolist() == [76000, 85000]          # fees kept
    assert yf.protected[:2].tolist() == [True, True]
    # top-ups unchanged: 860.00 - 760.00 = 100.00; 1,217.68 - 850.00 - 267.68 = 100.00
    assert yf.new["third_party"][:2].tolist() == yf.base["third_party"][:2].tolist() == [10000, 10000]
    # self-funders: no council rise, nothing passed on: price 1,000.00 and 1,400.00 (less FNC 267.68 = 1,132.32)
    assert yf.self_price_change.tolist() == [0, 0, 0, 0]
    assert yf.new["resident"][2:].tolist() == yf.base["resident"][2:].tolist() == [100000, 113232]
    sf = uplift.self_funder_change(case, yf)
    assert (sf["total_change_gbp_pw"], sf["total_change_part_year_gbp"]) == (0.0, 0.0)


def test_fee_cut_price_holds_topup_takes_the_cut_self_funders_unchanged(tmp_path):
    # setting: as above but protection none, so both fees are cut to the new rate:
    # Residential 760.00 -> 722.00 (-38.00); Nursing 850.00 -> 807.50 (-42.50).
    # Pass-through applies to rises only: the agreed prices do not fall (860.00; 1,217.68), so the
    # top-up takes the cut: 860.00 - 722.00 = 138.00; 1,217.68 - 807.50 - 267.68 = 142.50.
    # Self-funders: the council's average change is a fall in both settings (-38.00, -42.50), not a
    # rise, so nothing is passed on: prices stay 1,000.00 and 1,400.00.
    path = tiny_scenario(tmp_path, CUT_BOOK, {"method": "target_rates", "effective_date": "2026-04-01",
                                              "protection": "none", "provider_pass_through_pct": 50,
                                              "self_funder_pass_through_pct": 50}, **CUT_BANDS)
    case = load_case(path)
    yf = uplift.first_year(case)
    assert yf.fee_new[:2].tolist() == [72200, 80750]
    assert yf.new["third_party"][:2].tolist() == [13800, 14250]
    assert yf.new["gross"][:2].tolist() == yf.base["gross"][:2].tolist() == [86000, 121768]   # the home's price holds
    assert yf.self_price_change.tolist() == [0, 0, 0, 0]
    assert yf.new["resident"][2:].tolist() == [100000, 113232]
    sf = uplift.self_funder_change(case, yf)
    assert (sf["total_change_gbp_pw"], sf["average_change_gbp_pw"], sf["total_change_part_year_gbp"]) == (0.0, 0.0, 0.0)
    # cost: council -(38.00 + 42.50) = -80.50 a week x 365/7 = -4,197.50; families +80.50 x 365/7 = +4,197.50;
    # contributions unchanged (168.20 < either fee); gross change 0
    cost = uplift.uplift_cost(case)
    first = cost[(cost.financial_year == "2026/27") & (cost.period == "full_year")]
    assert first.council_net_change_gbp.sum() == -4197.50
    assert first.topup_change_gbp.sum() == 4197.50
    assert first.resident_contribution_change_gbp.sum() == 0.0
    assert first.gross_change_gbp.sum() == 0.0


# ------------------------------------------------------- self-funder pass-through by setting

SELF_BOOK = [
    dict(weekly_fee=760.0),                                       # Residential, in county: rise 76.00
    dict(weekly_fee=765.0),                                       # Residential, in county: rise 76.50
    dict(home_id="H3", area="out", weekly_fee=900.0),             # out of county (+20%: rise 180.00), not in the average
    dict(home_id="H2", setting="nursing", band="Nursing", weekly_fee=850.0, fnc_eligible=True),   # rise 85.00
    dict(funding="self", band="", weekly_fee="", provider_price=1000.0),                          # residential
    dict(funding="self", band="", weekly_fee="", home_id="H2", setting="nursing", provider_price=1400.0,
         fnc_eligible=True),                                                                     # nursing
]


@pytest.mark.parametrize("pct, res_change, nur_change", [
    # residential: average in-county rise (76.00 + 76.50) / 2 = 76.25; nursing: 85.00 (the fee, not FNC)
    # 50%: 76.25 x 0.5 = 38.125 -> 38.13 (half up); 85.00 x 0.5 = 42.50
    (50, 38.13, 42.50),
    # 30%: 76.25 x 0.3 = 22.875 -> 22.88 (half up); 85.00 x 0.3 = 25.50
    (30, 22.88, 25.50),
])
def test_self_funder_pass_through_residential_and_nursing(tmp_path, pct, res_change, nur_change):
    # setting: uniform 10% on every fee from 1 April 2026; the out-of-county fee moves by a stated 20%
    # (out_of_area: pct 20) and is left out of the average; self-funder pass-through 50% / 30%
    path = tiny_scenario(tmp_path, SELF_BOOK, dict(UNIFORM_10, self_funder_pass_through_pct=pct,
                                                   out_of_area={"method": "pct", "pct": 20}), **LEGACY)
    case = load_case(path)
    yf = uplift.first_year(case)
    assert yf.fee_new[:4].tolist() == [83600, 84150, 108000, 93500]
    assert yf.self_price_change[4:].tolist() == [to_pence(res_change), to_pence(nur_change)]
    # what they pay: the residential self-funder 1,000.00 + change; the nursing one 1,400.00 + change - FNC 267.68
    assert yf.new["resident"][4] == to_pence(1000.00 + res_change)
    assert yf.new["resident"][5] == to_pence(1400.00 + nur_change - 267.68)
    assert yf.new["nhs_fnc"][5] == yf.base["nhs_fnc"][5] == 26768
    sf = uplift.self_funder_change(case, yf)
    total = round(res_change + nur_change, 2)          # 50%: 80.63; 30%: 48.38
    assert (sf["self_funders"], sf["pass_through_pct"], sf["total_change_gbp_pw"]) == (2, pct, total)
    # average of the two: 50%: 80.63 / 2 = 40.315 -> 40.32; 30%: 48.38 / 2 = 24.19
    assert sf["average_change_gbp_pw"] == {50: 40.32, 30: 24.19}[pct]
    # from 1 April, no turnover: total x 365/7; 50%: 80.63 x 365 / 7 = 29,429.95 / 7 = 4,204.2786 -> 4,204.28;
    # 30%: 48.38 x 365 / 7 = 17,658.70 / 7 = 2,522.6714 -> 2,522.67
    assert sf["total_change_part_year_gbp"] == {50: 4204.28, 30: 2522.67}[pct]


# ------------------------------------------------------- a recorded assessed contribution of £0

def test_recorded_zero_contribution_is_kept(tmp_path):
    # setting: uniform 10% on every fee from 1 April 2026. Two Residential placements at £760 with
    # £200 income and no capital; the first has assessed_contribution 0 in the book (kept: £0), the
    # second is blank (means test: 200 - 31.80 = 168.20)
    path = tiny_scenario(tmp_path, [dict(assessed_contribution=0.0), dict()], UNIFORM_10, **LEGACY)
    case = load_case(path)
    split = funding_split(case).set_index("placement_id")
    assert split.loc["T001", ["resident_gbp_pw", "council_gbp_pw"]].tolist() == [0.0, 760.0]
    assert split.loc["T002", ["resident_gbp_pw", "council_gbp_pw"]].tolist() == [168.2, 591.8]
    yf = uplift.first_year(case)
    # after the rise (760 -> 836) the £0 stays £0 and the council pays the whole new fee
    assert (int(yf.new["resident"][0]), int(yf.new["council"][0])) == (0, 83600)
    assert (int(yf.new["resident"][1]), int(yf.new["council"][1])) == (16820, 83600 - 16820)
    cost = uplift.uplift_cost(case)
    first = cost[(cost.financial_year == "2026/27") & (cost.period == "full_year")]
    # contributions unchanged; council +76.00 x 2 = 152.00 a week x 365/7 = 55,480 / 7 = 7,925.714 -> 7,925.71
    assert first.resident_contribution_change_gbp.sum() == 0.0
    assert first.council_net_change_gbp.sum() == 7925.71


# ------------------------------------------------------- what the council pays the home, FNC placement

@pytest.mark.parametrize("collection, council_pays", [
    # council_gross: the council pays the home the gross fee less FNC = 850.00 + 100.00 = 950.00 and
    # collects the resident's 168.20 and the family's 100.00 itself
    ("council_gross", 950.00),
    # direct: the council pays the fee, 850.00 (its 681.80 and the resident's 168.20), the family pays
    # the home its 100.00 directly
    ("direct", 850.00),
])
def test_council_payment_to_the_home_on_an_fnc_placement(tmp_path, collection, council_pays):
    # setting: a Nursing placement at £850 (excluding FNC), FNC eligible, family top-up £100, income
    # £200, no capital; rates date 6 April 2026 (FNC 267.68, PEA 31.80); topup_collection as given
    path = tiny_scenario(tmp_path, [dict(NURSING_TOPUP, weekly_income=200.0)],
                         dict(UNIFORM_10, topup_collection=collection), **LEGACY)
    case = load_case(path)
    s = funding_split(case).iloc[0]
    # gross = 850.00 + 100.00 + 267.68 = 1,217.68; resident 168.20; council 850.00 - 168.20 = 681.80;
    # family 100.00; NHS FNC 267.68 (paid by the NHS, not the council)
    assert s.gross_gbp_pw == 1217.68
    assert (s.council_gbp_pw, s.resident_gbp_pw, s.third_party_gbp_pw, s.nhs_fnc_gbp_pw) == (681.80, 168.20, 100.00, 267.68)
    assert s.first_party_gbp_pw == s.nhs_chc_gbp_pw == 0.0
    assert s.balances
    # to the penny: 681.80 + 168.20 + 100.00 + 267.68 = 1,217.68
    assert to_pence(s.council_gbp_pw) + to_pence(s.resident_gbp_pw) + to_pence(s.third_party_gbp_pw) \
        + to_pence(s.nhs_fnc_gbp_pw) == 121768
    assert s.council_pays_provider_gbp_pw == council_pays
    # the home receives the gross fee once, whoever collects: the council's payment + what is paid to it
    # directly (direct: the family's 100.00) + the NHS's FNC; the council never pays the FNC as well
    direct_to_home = 100.00 if collection == "direct" else 0.0
    assert to_pence(council_pays) + to_pence(direct_to_home) + to_pence(s.nhs_fnc_gbp_pw) == 121768
    # the council's own net cost is what it pays less what it collects: 950 - 168.20 - 100 = 850 - 168.20 = 681.80
    collected = 168.20 + (100.00 if collection == "council_gross" else 0.0)
    assert to_pence(council_pays) - to_pence(collected) == to_pence(s.council_gbp_pw) == 68180


# ------------------------------------------------------- money.to_pence halves and the £m formatter

@pytest.mark.parametrize("pounds, p", [
    (1.005, 101),      # binary 1.00499999...: half a penny rounds up (away from zero)
    (-0.005, -1),      # half a penny below zero rounds away from zero
    (2.675, 268),      # binary 2.67499999...: round(2.675, 2) would give 2.67
    (0.015, 2),        # binary 0.01499999...
    (1.004999, 100),   # under half a penny rounds down
    (-2.675, -268),
])
def test_to_pence_rounds_halves_away_from_zero(pounds, p):
    assert to_pence(pounds) == p
    assert to_pence(np.array([pounds])).tolist() == [p]       # the array path, the same rule


@pytest.mark.parametrize("pounds, text", [
    (11118502.45, "£11.12m"),     # 11.11850245m -> 11.12
    (4999.99, "£0.00m"),          # 0.00499999m -> 0.00
    (-878407.29, "-£0.88m"),      # 0.87840729m -> 0.88, sign in front of the £
    (0, "£0.00m"),
    (2185000, "£2.19m"),          # the domain brief's £2.185m (exactly half: shown 2.19, halves up)
    # halves away from zero, as money.to_pence: 2.675m is binary 2.67499999... and 0.125m is an exact
    # binary half that Python's format would round to even ('£2.67m', '£0.12m')
    (2675000, "£2.68m"),
    (125000, "£0.13m"),
    (-125000, "-£0.13m"),
    (5000, "£0.01m"),             # 0.005m: half up
    (-4999.99, "£0.00m"),         # rounds to nothing: no sign on a zero (not '-£0.00m')
    (1234567890.12, "£1,234.57m"),  # thousands separated
])
def test_fmt_gbp_m(pounds, text):
    assert fmt_gbp_m(pounds) == text

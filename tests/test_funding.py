"""Funding split: hand-worked placements and a property test of the identity."""

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from feemodel.model.charging import ChargingRules
from feemodel.model.funding import PARTS, funding_split, split_pence, topup_exposure
from tests.conftest import PLACEMENT_DEFAULTS

APR26 = dt.date(2026, 4, 6)  # PEA £31.80 (from 6 April 2026), FNC £267.68 (from 1 April)


def book(rows):
    out = []
    for i, r in enumerate(rows):
        row = dict(PLACEMENT_DEFAULTS, placement_id=f"T{i}")
        row.update(r)
        out.append(row)
    f = pd.DataFrame(out)
    f["assessed_contribution"] = pd.to_numeric(f.assessed_contribution.replace("", np.nan))
    f["weekly_fee"] = pd.to_numeric(f.weekly_fee.replace("", np.nan))
    return f


def test_hand_worked_split(params):
    f = book([
        dict(weekly_fee=800, third_party_topup=50, weekly_income=200),                   # 0 council with top-up
        dict(setting="nursing", home_id="H2", band="Nursing", weekly_fee=900, fnc_eligible=True),  # 1 council nursing
        dict(funding="self", band="", weekly_fee="", provider_price=1400, setting="nursing", fnc_eligible=True,
             capital=100000),                                                             # 2 self-funded nursing
        dict(funding="chc", band="", weekly_fee=1200, provider_price=1200, setting="nursing"),      # 3 CHC
        dict(weekly_fee=760, assessed_contribution=150.00),                               # 4 assessed amount given
        dict(weekly_fee=760, capital=23251),                                              # 5 capital above the limit
    ])
    s = funding_split(f, params, APR26).set_index("placement_id")
    # 0: resident 200 - 31.80 = 168.20; council 800 - 168.20 = 631.80; top-up 50; gross 850
    assert tuple(s.loc["T0", ["gross_gbp_pw", "council_gbp_pw", "resident_gbp_pw", "third_party_gbp_pw"]]) == (850.0, 631.8, 168.2, 50.0)
    # 1: gross 900 + FNC 267.68 = 1,167.68; council 900 - 168.20 = 731.80
    assert tuple(s.loc["T1", ["gross_gbp_pw", "council_gbp_pw", "nhs_fnc_gbp_pw"]]) == (1167.68, 731.8, 267.68)
    # 2: the resident pays the price less FNC: 1,400 - 267.68 = 1,132.32
    assert tuple(s.loc["T2", ["gross_gbp_pw", "resident_gbp_pw", "nhs_fnc_gbp_pw", "council_gbp_pw"]]) == (1400.0, 1132.32, 267.68, 0.0)
    # 3: NHS continuing healthcare pays it all
    assert tuple(s.loc["T3", ["gross_gbp_pw", "nhs_chc_gbp_pw", "council_gbp_pw", "resident_gbp_pw"]]) == (1200.0, 1200.0, 0.0, 0.0)
    # 4: the data's assessed contribution is used
    assert tuple(s.loc["T4", ["council_gbp_pw", "resident_gbp_pw"]]) == (610.0, 150.0)
    # 5: above the upper capital limit the resident pays the whole council fee
    assert tuple(s.loc["T5", ["council_gbp_pw", "resident_gbp_pw"]]) == (0.0, 760.0)
    assert s.balances.all()
    # council pays gross less FNC to the provider when it collects top-ups
    assert s.loc["T0", "council_pays_provider_gbp_pw"] == 850.0
    direct = funding_split(f, params, APR26, "direct").set_index("placement_id")
    assert direct.loc["T0", "council_pays_provider_gbp_pw"] == 800.0


def test_topup_exposure(params):
    f = book([dict(third_party_topup=50), dict(third_party_topup=25.5), dict()])
    e = topup_exposure(funding_split(f, params, APR26), "council_gross")
    # 75.50 a week x 365 / 7 = 3,936.7857 -> £3,936.79
    assert e == {"topup_collection": "council_gross", "placements_with_topups": 2, "topups_gbp_pw": 75.5,
                 "council_exposure_gbp_pa": 3936.79, "placements_with_first_party_topups": 0,
                 "first_party_topups_gbp_pw": 0.0, "first_party_exposure_gbp_pa": 0.0, "collected_by_council": True}


money = st.decimals(min_value=0, max_value=5000, places=2).map(float)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.fixed_dictionaries({
    "funding": st.sampled_from(["council", "self", "chc"]),
    "setting": st.sampled_from(["residential", "nursing"]),
    "weekly_fee": money, "provider_price": money, "weekly_income": money,
    "capital": st.decimals(min_value=0, max_value=60000, places=2).map(float),
    "third_party_topup": money, "fnc": st.booleans(),
    "assessed": st.one_of(st.none(), money),
}), min_size=1, max_size=30))
def test_split_always_balances_and_is_never_negative(rows):
    f = pd.DataFrame(rows)
    f["third_party_topup"] = np.where(f.funding == "council", f.third_party_topup, 0.0)
    f["fnc_eligible"] = f.fnc & (f.setting == "nursing") & (f.funding != "chc")
    f["assessed_contribution"] = f.assessed.astype(float)
    rules = ChargingRules(APR26, 2_325_000, 1_425_000, 25_000, 100, 3_180)
    s = split_pence(f, rules, 26_768)
    total = sum(s[p] for p in PARTS)
    assert (s["gross"] == total).all()
    for p in PARTS:
        assert (s[p] >= 0).all()


def test_first_party_topup_is_its_own_payer(params):
    # fee £760 with a £40 top-up paid by the resident from their own resources (12-week property
    # disregard): resident's assessed contribution 200 - 31.80 = £168.20; council 760 - 168.20 = £591.80;
    # first party £40; no third party; gross 760 + 40 = £800
    f = book([dict(weekly_fee=760, first_party_topup=40.0)])
    f["first_party_topup"] = f.first_party_topup.astype(float)
    s = funding_split(f, params, APR26).set_index("placement_id").loc["T0"]
    assert (s.gross_gbp_pw, s.council_gbp_pw, s.resident_gbp_pw, s.third_party_gbp_pw, s.first_party_gbp_pw) == (800.0, 591.8, 168.2, 0.0, 40.0)
    assert s.balances
    exp = topup_exposure(funding_split(f, params, APR26), "council_gross")
    # shown apart from families' top-ups: £40 a week, £40 x 365/7 = £2,085.71 a year
    assert exp["placements_with_topups"] == 0 and exp["placements_with_first_party_topups"] == 1
    assert exp["first_party_exposure_gbp_pa"] == 2085.71


def test_first_party_topup_falls_under_an_uplift(tmp_path):
    # £760 + own top-up £40 = price £800; a uniform 5% takes the fee to £798 and homes pass none of the
    # rise on, so the resident's own top-up falls to 800 - 798 = £2; families' top-ups are untouched
    from feemodel.model import uplift
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    case = load_case(tiny_scenario(tmp_path, [dict(weekly_fee=760, provider_price=800)], dict(method="uniform", uniform_pct=5)))
    case.book.placements["first_party_topup"] = [40.0]
    yf = uplift.year_fees(case.with_scenario(case.scenario), 0, 1.0)
    assert yf.base["first_party"][0] == 40_00 and yf.new["first_party"][0] == 2_00
    assert yf.base["third_party"][0] == yf.new["third_party"][0] == 0


def test_first_party_topup_column_is_read_and_checked(tmp_path):
    # the optional column may be left out (existing books) or given; a resident's own top-up on a
    # self-funder, or beside a family's top-up, is refused naming the row
    import subprocess
    import sys

    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    path = tiny_scenario(tmp_path, [dict(weekly_fee=760, provider_price=800), dict(weekly_fee=760, third_party_topup=10)])
    book_csv = path.parent / "data" / "placements.csv"
    f = pd.read_csv(book_csv, dtype=str, keep_default_na=False)
    f["first_party_topup"] = ["40", ""]
    f.to_csv(book_csv, index=False)
    case = load_case(path)
    assert case.book.placements.first_party_topup.tolist()[0] == 40.0
    f.loc[1, "first_party_topup"] = "5"
    f.to_csv(book_csv, index=False)
    r = subprocess.run([sys.executable, "-m", "feemodel", "check", str(path)], capture_output=True, text=True)
    assert r.returncode == 2 and "row 3" in r.stderr and "first_party_topup" in r.stderr

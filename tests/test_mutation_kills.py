"""Hand-worked tests that kill mutants mutmut found surviving in the money core (issue 19, `make mutate`).

Every expected figure is worked by hand from the rule, with the working in a comment; none is copied
from the code's output. Mutants that cannot change a published figure are listed, with the reason, in
tests/mutation-survivors.md.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from feemodel import money
from feemodel.inputs.params import load_parameters
from feemodel.model.charging import ChargingRules, assess, assess_one, assess_pence

PARAMS = load_parameters()
# On 1 June 2024 (tests/test_charging.py): lower limit £14,250, upper £23,250, tariff £1 per £250 or
# part, PEA £30.15.
JUNE24 = dt.date(2024, 6, 1)

# ---------------------------------------------------------------------------------------------
# feemodel/money.py
# ---------------------------------------------------------------------------------------------


def test_to_pence_rounds_once_half_away_from_zero_and_keeps_a_series_aligned():
    # Rule (money.py): pounds -> whole pence, halves away from zero, once.
    # A Series keeps its index and name: £1.005 -> 100.5p -> 101p; £-0.125 -> -12.5p -> -13p; £2 -> 200p.
    s = pd.Series([1.005, -0.125, 2.0], index=[10, 20, 30], name="weekly_fee")
    out = money.to_pence(s)
    assert list(out.index) == [10, 20, 30]
    assert out.name == "weekly_fee"
    assert out.tolist() == [101, -13, 200]
    # Scalars: £0.004 -> 0.4p -> 0p; £0.005 -> 0.5p -> 1p; £-0.005 -> -1p; Decimal £7.125 -> 712.5p -> 713p.
    assert [money.to_pence(0.004), money.to_pence(0.005), money.to_pence(-0.005)] == [0, 1, -1]
    assert money.to_pence(Decimal("7.125")) == 713 and money.to_pence(Decimal("-7.125")) == -713
    assert type(money.to_pence(3.5)) is int and money.to_pence(3.5) == 350
    # An array: £[0.015, 99.994, 99.995] -> [2, 9999, 10000] pence, as int64.
    arr = money.to_pence(np.array([0.015, 99.994, 99.995]))
    assert arr.dtype == np.int64 and arr.tolist() == [2, 9_999, 10_000]
    # A list of exact Decimal amounts is an array too: £0.125 -> 12.5p -> 13p; £2 -> 200p.
    assert money.to_pence([Decimal("0.125"), Decimal("2")]).tolist() == [13, 200]
    # Not a number is not money.
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match=r"^money amounts must be finite numbers$"):
            money.to_pence(bad)


def test_round_half_up_halves_go_away_from_zero_at_any_number_of_places():
    # Rule (money.py): a percentage is rounded to dp places, halves away from zero.
    # 5.125 is exact in binary (41/8): to 2 dp the half goes up -> 5.13 (not 5.12, not 5.14, not 5.15).
    assert money.round_half_up(5.125, 2) == 5.13
    # -2.25 is exact (-9/4): to 1 dp the half goes away from zero -> -2.3.
    assert money.round_half_up(-2.25, 1) == -2.3
    # 12.3456 to 1 dp: the next digit is 4, below a half -> 12.3.
    assert money.round_half_up(12.3456, 1) == 12.3
    # 0.04 to 1 dp: 0.04 is under half of 0.1 -> 0.0 (a step of 1.5 instead of 0.5 would give 0.1).
    assert money.round_half_up(0.04, 1) == 0.0
    # 1.005 is held as 1.00499999...: the nudge restores the written half -> 1.01.
    assert money.round_half_up(1.005, 2) == 1.01
    # 37.5 to 0 dp -> 38 (scale 10**0 = 1).
    assert money.round_half_up(37.5, 0) == 38.0


def test_pounds_keeps_a_series_index_and_name_and_returns_a_float_for_a_scalar():
    # Rule: pounds() rounds each amount to the penny, halves away from zero, and a Series stays the
    # same Series (same index, same name) so it lines up with the book it came from.
    s = pd.Series([1.005, 2.5, -0.125], index=["h1", "h2", "h3"], name="fee")
    out = money.pounds(s)
    # 1.005 -> 1.01 (half up); 2.5 -> 2.50; -0.125 -> -0.13 (half away from zero).
    assert list(out.index) == ["h1", "h2", "h3"]
    assert out.name == "fee"
    assert out.tolist() == [1.01, 2.5, -0.13]
    # A scalar comes back as a plain float: 2.345 -> 2.35 (held as 2.34499..., the nudge gives the half).
    one = money.pounds(2.345)
    assert type(one) is float and one == 2.35
    # A Decimal amount is an amount too: Decimal("7.125") -> 7.13.
    assert money.pounds(Decimal("7.125")) == 7.13


def test_to_pounds_divides_whole_pence_by_one_hundred():
    # Rule: whole pence back to pounds: 12345p = £123.45, -5p = -£0.05, 100p = £1.
    out = money.to_pounds(pd.Series([12345, -5, 100]))
    assert out.tolist() == [123.45, -0.05, 1.0]
    assert money.to_pounds(np.array([250, 1])).tolist() == [2.5, 0.01]
    assert money.to_pounds(87654) == 876.54


def test_fmt_gbp_writes_pounds_and_pence_with_the_sign_in_front():
    # Rule (docstring): '£1,234.56'; negative as '-£1,234.56'; two decimals unless asked.
    assert money.fmt_gbp(1234.5) == "£1,234.50"
    assert money.fmt_gbp(-1234.56) == "-£1,234.56"
    # Zero and amounts under £1 carry no minus sign.
    assert money.fmt_gbp(0) == "£0.00"
    assert money.fmt_gbp(0.5) == "£0.50"
    # dp=0: whole pounds, 1234.0 -> '£1,234'.
    assert money.fmt_gbp(1234.0, dp=0) == "£1,234"


def test_fmt_gbp_m_writes_millions_to_two_decimals():
    # Rule (docstring): '£2.19m'. £2,190,000 = £2.19m; -£2,190,000 -> '-£2.19m'.
    assert money.fmt_gbp_m(2_190_000) == "£2.19m"
    assert money.fmt_gbp_m(-2_190_000) == "-£2.19m"
    # £500,000 = £0.50m, no sign; £0 = £0.00m.
    assert money.fmt_gbp_m(500_000) == "£0.50m"
    assert money.fmt_gbp_m(0) == "£0.00m"
    # £1,005,001 = £1.005001m, just above the half -> £1.01m (dividing by anything but a million,
    # e.g. 1,000,001, gives 1.004999... -> £1.00m).
    assert money.fmt_gbp_m(1_005_001) == "£1.01m"


# ---------------------------------------------------------------------------------------------
# feemodel/model/charging.py
# ---------------------------------------------------------------------------------------------


def test_assess_one_reports_every_input_and_rule_it_used():
    # The `feemodel contribution` command prints this record. Income £200, capital £14,501, fee £900:
    # capital is £251 over the lower limit = one step of £250 and a part -> 2 steps -> tariff £2;
    # contribution = 200 + 2 - 30.15 = £171.85 (under the fee, so not capped).
    r = assess_one(200, 14_501, JUNE24, fee=900, params=PARAMS)
    assert r == {
        "date": "2024-06-01",
        "weekly_income": 200.0,
        "capital": 14_501.0,
        "fee": 900.0,
        "self_funder": False,
        "tariff_income": 2.0,
        "personal_expenses_allowance": 30.15,
        "weekly_contribution": 171.85,
        "lower_capital_limit": 14_250.0,
        "upper_capital_limit": 23_250.0,
    }
    # Inputs are shown as rounded to the penny on the way in: £199.994 -> £199.99, £0.005 -> £0.01
    # capital; fee £899.999 -> £900.00. Contribution 199.99 - 30.15 = £169.84.
    r = assess_one(199.994, 0.005, JUNE24, fee=899.999, params=PARAMS)
    assert (r["weekly_income"], r["capital"], r["fee"], r["weekly_contribution"]) == (199.99, 0.01, 900.0, 169.84)


def test_charging_rules_carry_the_date_they_were_read_for():
    # The rules in force on 1 June 2024 say so (the date is shown beside the rules used).
    rules = ChargingRules.on(JUNE24, PARAMS)
    assert rules.date == JUNE24
    # ... in whole pence: £14,250 = 1,425,000p, £23,250 = 2,325,000p, £250 step = 25,000p, £1 = 100p, PEA 3,015p.
    assert (rules.lower_capital_limit, rules.upper_capital_limit, rules.tariff_step, rules.tariff_per_step,
            rules.personal_expenses_allowance) == (1_425_000, 2_325_000, 25_000, 100, 3_015)


def test_assess_without_a_fee_keeps_the_index_and_gives_a_self_funder_no_figure():
    # Two residents on a book indexed by placement id. "p7": income £200, no capital ->
    # 200 - 30.15 = £169.85. "p9": capital £50,000 > £23,250 -> self-funder; with no fee given the
    # contribution is NaN (not a number, not None, not 0).
    frame = pd.DataFrame({"weekly_income": [200.0, 200.0], "capital": [0.0, 50_000.0]}, index=["p7", "p9"])
    out = assess(frame, ChargingRules.on(JUNE24, PARAMS))
    assert list(out.index) == ["p7", "p9"]
    assert out.loc["p7", "weekly_contribution"] == 169.85
    assert math.isnan(out.loc["p9", "weekly_contribution"])
    assert out.loc["p9", "self_funder"]
    # Above the upper limit there is no tariff income at all (the resident pays the full fee):
    # £0.00, not the £1-per-£250 figure (£50,000 - £14,250 = £35,750 -> 143 steps -> £143).
    assert out.loc["p9", "tariff_income"] == 0.0
    assert out.loc["p7", "tariff_income"] == 0.0 and out.loc["p7", "personal_expenses_allowance"] == 30.15


def test_assess_pence_without_a_fee_marks_a_self_funder_with_minus_one():
    # Rule (docstring): with no fee, a self-funder's contribution is -1 (no figure); funding.py and
    # uplift.py reuse this uncapped assessment across fee variants. Income 20,000p (£200):
    # resident A, no capital: 20,000 - 3,015 PEA = 16,985p. Resident B, capital 5,000,000p (£50,000)
    # > 2,325,000p: self-funder -> -1 (not 16,985, not +1, not -2), tariff 0.
    out = assess_pence([20_000, 20_000], [0, 5_000_000], ChargingRules.on(JUNE24, PARAMS))
    assert out["contribution"].tolist() == [16_985, -1]
    assert out["self_funder"].tolist() == [False, True]
    assert out["tariff"].tolist() == [0, 0]
    assert out["pea"].tolist() == [3_015, 3_015]

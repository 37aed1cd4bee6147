"""Care Act 2014 means test, against cases worked by hand from the regulations.

On 1 June 2024: lower limit £14,250, upper £23,250, tariff £1 per £250 or part, PEA £30.15.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from feemodel.inputs.params import load_parameters
from feemodel.model.charging import ChargingRules, assess, assess_one

PARAMS = load_parameters()

JUNE24 = dt.date(2024, 6, 1)


@pytest.mark.parametrize("capital,tariff,contribution", [
    (0, 0, 169.85),            # 200 - 30.15
    (14_250, 0, 169.85),       # exactly at the lower limit: no tariff
    (14_250.01, 1, 170.85),    # 1p over: a part step counts as £1
    (14_251, 1, 170.85),       # £1 over
    (14_499, 1, 170.85),       # £249 over
    (14_500, 1, 170.85),       # £250 over: one complete step
    (14_501, 2, 171.85),       # £251 over: one step and a part
    (18_450, 17, 186.85),      # £4,200 over: 16.8 steps -> 17
    (23_250, 36, 205.85),      # exactly at the upper limit: 9,000 / 250 = 36, still means-tested
])
def test_boundaries(capital, tariff, contribution):
    r = assess_one(200, capital, JUNE24, fee=900, params=PARAMS)
    assert r["self_funder"] is False
    assert r["tariff_income"] == tariff
    assert r["personal_expenses_allowance"] == 30.15
    assert r["weekly_contribution"] == contribution


def test_one_pound_above_upper_limit_is_self_funder():
    r = assess_one(200, 23_251, JUNE24, fee=900, params=PARAMS)
    assert r["self_funder"] is True
    assert r["weekly_contribution"] == 900.00


def test_self_funder_without_fee_has_no_figure():
    assert assess_one(200, 50_000, JUNE24, params=PARAMS)["weekly_contribution"] is None


def test_contribution_never_negative():
    assert assess_one(20, 0, JUNE24, fee=900, params=PARAMS)["weekly_contribution"] == 0.0


def test_contribution_capped_at_fee():
    assert assess_one(1000, 20_000, JUNE24, fee=700, params=PARAMS)["weekly_contribution"] == 700.0


def test_pea_follows_the_date():
    # 2023/24 PEA £28.25: 200 - 28.25 = 171.75
    assert assess_one(200, 0, dt.date(2023, 6, 1), fee=900, params=PARAMS)["weekly_contribution"] == 171.75
    # 2026/27 PEA £31.80: 200 - 31.80 = 168.20
    assert assess_one(200, 0, dt.date(2026, 6, 1), fee=900, params=PARAMS)["weekly_contribution"] == 168.20


def test_vectorised_matches_one_at_a_time(params):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"weekly_income": rng.uniform(0, 500, 300).round(2),
                          "capital": rng.uniform(0, 30_000, 300).round(2),
                          "fee": rng.uniform(500, 1200, 300).round(2)})
    out = assess(frame, ChargingRules.on(JUNE24, params), fee="fee")
    for i in range(0, 300, 17):
        one = assess_one(frame.weekly_income[i], frame.capital[i], JUNE24, frame.fee[i], params=PARAMS)
        assert out.weekly_contribution[i] == one["weekly_contribution"]
        assert out.tariff_income[i] == one["tariff_income"]


# ---- properties (hypothesis): worked from the rules, not from the code
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

RULES = ChargingRules(JUNE24, 2_325_000, 1_425_000, 25_000, 100, 3_015)
pence = st.integers(min_value=0, max_value=50_000_00)


def contribution(income, capital, fee):
    from feemodel.model.charging import assess_pence
    return int(assess_pence(np.array([income]), np.array([capital]), RULES, np.array([fee]))["contribution"][0])


@settings(max_examples=500, deadline=None)
@given(pence, pence, st.integers(min_value=0, max_value=3_000_00), st.integers(min_value=0, max_value=10_000_00))
def test_monotone_in_capital(income, capital, extra, fee):
    assert contribution(income, capital + extra, fee) >= contribution(income, capital, fee)


@settings(max_examples=500, deadline=None)
@given(pence, pence, st.integers(min_value=0, max_value=1_000_00), st.integers(min_value=0, max_value=10_000_00))
def test_monotone_in_income(income, capital, extra, fee):
    assert contribution(income + extra, capital, fee) >= contribution(income, capital, fee)


@settings(max_examples=500, deadline=None)
@given(pence, pence, st.integers(min_value=0, max_value=10_000_00))
def test_never_negative_never_above_fee(income, capital, fee):
    c = contribution(income, capital, fee)
    assert 0 <= c <= fee
    if capital > RULES.upper_capital_limit:
        assert c == fee  # self-funder pays the full fee
    if capital <= RULES.lower_capital_limit:
        assert c == min(max(income - RULES.personal_expenses_allowance, 0), fee)  # capital ignored

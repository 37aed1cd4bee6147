"""The Care Act 2014 means test for permanent care home residents (England).

Rules (Care and Support (Charging and Assessment of Resources) Regulations 2014, SI 2014/2672;
statutory guidance Annexes B and C), all values from dated national parameters:

* capital above the upper capital limit (£23,250): self-funder, pays the full fee;
* capital above the lower capital limit (£14,250) and up to the upper: tariff income of £1 a week
  for every £250, or part of £250, above the lower limit (the step count is rounded up);
* capital at or below the lower limit is ignored;
* weekly contribution = assessable income + tariff income - Personal Expenses Allowance,
  never below £0 and never above the weekly fee it is set against.

Amounts are £/week. Work is done in whole pence (see :mod:`feemodel.money`): income and capital are
rounded to pence on the way in, and no other rounding takes place, because every step is exact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..money import to_pence, to_pounds
from ..inputs.params import NationalParameters


@dataclass(frozen=True)
class ChargingRules:
    """Means-test parameters in force on one date, in whole pence."""

    date: dt.date
    upper_capital_limit: int
    lower_capital_limit: int
    tariff_step: int
    tariff_per_step: int
    personal_expenses_allowance: int

    @classmethod
    def on(cls, when: dt.date, params: NationalParameters) -> "ChargingRules":
        p = params
        return cls(
            date=when,
            upper_capital_limit=to_pence(p.get("charging.upper_capital_limit", when)),
            lower_capital_limit=to_pence(p.get("charging.lower_capital_limit", when)),
            tariff_step=to_pence(p.get("charging.tariff_income_step", when)),
            tariff_per_step=to_pence(p.get("charging.tariff_income_per_step", when)),
            personal_expenses_allowance=to_pence(p.get("charging.personal_expenses_allowance", when)),
        )


def tariff_income_pence(capital_p: np.ndarray, rules: ChargingRules) -> np.ndarray:
    """Weekly tariff income (pence) for capital (pence); zero above the upper limit (self-funder)."""
    capital_p = np.asarray(capital_p, dtype=np.int64)
    excess = np.maximum(capital_p - rules.lower_capital_limit, 0)
    steps = -(-excess // rules.tariff_step)  # ceiling division: a part step counts as a step
    tariff = steps * rules.tariff_per_step
    return np.where(capital_p > rules.upper_capital_limit, np.int64(0), tariff)


def assess_pence(income_p, capital_p, rules: ChargingRules, fee_p=None) -> dict[str, np.ndarray]:
    """Vectorised means test in pence. Returns arrays: tariff, pea, self_funder, contribution.

    ``contribution`` for a self-funder is the fee (or -1 when no fee is given).
    """
    income_p = np.asarray(income_p, dtype=np.int64)
    capital_p = np.asarray(capital_p, dtype=np.int64)
    self_funder = capital_p > rules.upper_capital_limit
    tariff = tariff_income_pence(capital_p, rules)
    pea = np.full(income_p.shape, rules.personal_expenses_allowance, dtype=np.int64)
    contribution = np.maximum(income_p + tariff - pea, 0)
    if fee_p is not None:
        fee_p = np.broadcast_to(np.asarray(fee_p, dtype=np.int64), income_p.shape)
        contribution = np.minimum(contribution, fee_p)
        contribution = np.where(self_funder, fee_p, contribution)
    else:
        contribution = np.where(self_funder, -1, contribution)
    return {"tariff": tariff, "pea": pea, "self_funder": self_funder, "contribution": contribution}


def assess(residents: pd.DataFrame, rules: ChargingRules, income="weekly_income",
           capital="capital", fee: str | None = None) -> pd.DataFrame:
    """Means-test a DataFrame of residents.

    Columns read: ``income`` (£/week assessable income), ``capital`` (£), optionally ``fee``
    (£/week). Returns a DataFrame on the same index with ``tariff_income``,
    ``personal_expenses_allowance``, ``self_funder`` and ``weekly_contribution`` (all £/week,
    2 dp; a self-funder's contribution is the full fee, or NaN when no fee is given).
    """
    fee_p = to_pence(residents[fee]).to_numpy() if fee else None
    out = assess_pence(to_pence(residents[income]).to_numpy(), to_pence(residents[capital]).to_numpy(), rules, fee_p)
    contribution = to_pounds(out["contribution"]).astype(float)
    if fee is None:
        contribution = np.where(out["self_funder"], np.nan, contribution)
    return pd.DataFrame(
        {
            "tariff_income": to_pounds(out["tariff"]),
            "personal_expenses_allowance": to_pounds(out["pea"]),
            "self_funder": out["self_funder"],
            "weekly_contribution": contribution,
        },
        index=residents.index,
    )


def assess_one(weekly_income: float, capital: float, when: dt.date, fee: float | None = None, *,
               params: NationalParameters) -> dict:
    """Means-test one resident; returns the contribution and its parts (£/week) with the rules used."""
    rules = ChargingRules.on(when, params)
    frame = pd.DataFrame({"weekly_income": [weekly_income], "capital": [capital]})
    if fee is not None:
        frame["fee"] = [fee]
    row = assess(frame, rules, fee="fee" if fee is not None else None).iloc[0]
    contribution = None if pd.isna(row["weekly_contribution"]) else float(row["weekly_contribution"])
    return {
        "date": when.isoformat(),
        "weekly_income": float(to_pounds(to_pence(weekly_income))),
        "capital": float(to_pounds(to_pence(capital))),
        "fee": None if fee is None else float(to_pounds(to_pence(fee))),
        "self_funder": bool(row["self_funder"]),
        "tariff_income": float(row["tariff_income"]),
        "personal_expenses_allowance": float(row["personal_expenses_allowance"]),
        "weekly_contribution": contribution,
        "lower_capital_limit": to_pounds(rules.lower_capital_limit),
        "upper_capital_limit": to_pounds(rules.upper_capital_limit),
    }

"""A straightforward row-by-row implementation of the funding split and a uniform uplift.

Written independently of the vectorised engine, one placement at a time with Python integers
(pence), to time against and to check that both give identical results.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def pence(pounds) -> int:
    return int((Decimal(str(pounds)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def means_test(income_p: int, capital_p: int, fee_p: int, r: dict) -> int:
    if capital_p > r["upper"]:
        return fee_p
    tariff = 0
    if capital_p > r["lower"]:
        excess = capital_p - r["lower"]
        steps = excess // r["step"] + (1 if excess % r["step"] else 0)
        tariff = steps * r["per_step"]
    return min(max(income_p + tariff - r["pea"], 0), fee_p)


def split(row: dict, r: dict, fnc_p: int, fee_p: int, topup_p: int) -> tuple[int, int, int, int, int, int]:
    """(gross, council, resident, third_party, fnc, chc) in pence for one placement."""
    fnc = fnc_p if row["fnc_eligible"] and row["funding"] != "chc" else 0
    if row["funding"] == "council":
        if row["assessed_contribution"] is not None:
            resident = min(pence(row["assessed_contribution"]), fee_p)
        else:
            resident = means_test(pence(row["weekly_income"]), pence(row["capital"]), fee_p, r)
        return fee_p + topup_p + fnc, fee_p - resident, resident, topup_p, fnc, 0
    if row["funding"] == "self":
        price = pence(row["provider_price"])
        return max(price, fnc), 0, max(price - fnc, 0), 0, fnc, 0
    fee = pence(row["weekly_fee"])
    return fee, 0, 0, 0, 0, fee


def uplift_row(row: dict, r: dict, fnc_p: int, uplift_pct: float, pass_through_pct: float) -> tuple:
    """Base and new split for one placement under a uniform % uplift with top-up pass-through."""
    council = row["funding"] == "council"
    fee_old = pence(row["weekly_fee"]) if council else 0
    topup_old = pence(row["third_party_topup"]) if council else 0
    base = split(row, r, fnc_p, fee_old if council else pence(row["weekly_fee"] or 0), topup_old)
    if not council:
        return base, base
    fee_new = int((Decimal(fee_old) * (Decimal(1) + Decimal(str(uplift_pct)) / 100) / 100 * 100 + Decimal("0"))
                  .quantize(Decimal(1), rounding=ROUND_HALF_UP))
    fnc = fnc_p if row["fnc_eligible"] else 0
    rise = max(fee_new - fee_old, 0)
    price_new = fee_old + fnc + topup_old + int((Decimal(rise) / 100 * Decimal(str(pass_through_pct)) / 100 * 100)
                                                 .quantize(Decimal(1), rounding=ROUND_HALF_UP))
    topup_new = max(price_new - fee_new - fnc, 0) if topup_old > 0 else 0
    return base, split(row, r, fnc_p, fee_new, topup_new)

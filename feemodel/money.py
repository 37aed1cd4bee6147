"""Money: the one place where amounts are rounded.

Rule: weekly amounts are held as whole pence (integers). A computed amount in pounds is rounded to
the nearest penny, halves away from zero (0.5p -> 1p), exactly once, by :func:`to_pence`. All
further arithmetic on pence is integer arithmetic, so funding splits balance to the penny.
Annual figures are sums of pence, reported in pounds.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

# Floating point holds 1.005 as 1.00499999...; a nudge far below half a penny restores the intended
# half-up behaviour for amounts that were written with at most a few decimal places.
_NUDGE = 1e-7


def to_pence(pounds):
    """Round an amount in £ (scalar, array or Series) to whole pence (int64), halves away from 0."""
    if isinstance(pounds, pd.Series):
        return pd.Series(to_pence(pounds.to_numpy(dtype=float)), index=pounds.index, name=pounds.name)
    if np.isscalar(pounds):
        if isinstance(pounds, Decimal):
            return int((pounds * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return int(to_pence(np.asarray([pounds], dtype=float))[0])
    arr = np.asarray(pounds, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError("money amounts must be finite numbers")
    return (np.sign(arr) * np.floor(np.abs(arr) * 100 + 0.5 + _NUDGE)).astype(np.int64)


def round_half_up(x: float, dp: int) -> float:
    """A figure that is not money (a percentage) rounded to ``dp`` decimals by the same rule as money:
    halves away from zero, with the same nudge for binary fractions (5.125 -> 5.13)."""
    scale = 10 ** dp
    return float(np.sign(x) * np.floor(abs(x) * scale + 0.5 + _NUDGE) / scale)


def pounds(amount):
    """A computed £ amount (scalar, array or Series) rounded to the penny by the one rule (halves away
    from zero, as :func:`to_pence`), back in £. NaN stays NaN (a statistic with no data)."""
    if isinstance(amount, pd.Series):
        return pd.Series(pounds(amount.to_numpy(dtype=float)), index=amount.index, name=amount.name)
    arr = np.asarray(amount, dtype=float)
    ok = np.isfinite(arr)
    out = np.full(arr.shape, np.nan)
    out[ok] = to_pence(arr[ok]) / 100
    return float(out) if np.ndim(amount) == 0 else out


def to_pounds(pence):
    """Whole pence back to £ (float with at most two decimals)."""
    if isinstance(pence, pd.Series):
        return pence.astype("int64") / 100
    if np.isscalar(pence):
        return int(pence) / 100
    return np.asarray(pence, dtype=np.int64) / 100


def fmt_gbp(pounds: float, dp: int = 2) -> str:
    """Format £ for display: '£1,234.56'; negative as '-£1,234.56'."""
    sign = "-" if pounds < 0 else ""
    return f"{sign}£{abs(pounds):,.{dp}f}"


def fmt_gbp_m(pounds: float) -> str:
    """Format a large £ amount in millions: '£2.19m'. Rounded once to £0.01m (£10,000) by
    :func:`to_pence`'s rule (halves away from zero: £125,000 -> '£0.13m', £2,675,000 -> '£2.68m');
    an amount that rounds to £0.00m carries no sign."""
    hundredths = to_pence(abs(pounds) / 1e6)
    sign = "-" if pounds < 0 and hundredths else ""
    return f"{sign}£{hundredths / 100:,.2f}m"


def round_rate(amount_gbp, rounding: str = "penny"):
    """A new band rate in £ (scalar or array) to whole pence by the scenario's ``uplift.rounding``:
    ``penny``: half up to the penny; ``pound``: half up to the whole pound (returned in pence, a
    multiple of 100). Both use :func:`to_pence`'s rule (halves away from zero), once."""
    if rounding == "pound":
        return to_pence(amount_gbp / 100) * 100
    return to_pence(amount_gbp)

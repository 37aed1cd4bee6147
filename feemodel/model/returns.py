"""Returns, stated and tested.

:func:`returns_stated` gives, per cost-of-care category a proposed band is built from, the
convention (``cost_of_care.return_convention``), each return input (return on operations %,
freehold value per bed and capital yield under the 2022 fair cost of care convention; land and
building values per bed and target yield under the 2008 toolkit), the returns in £ per resident per
week (the build-up's, rounded to the penny once, as on the rate card), the evidence the scenario
records (its note on ``cost_of_care.categories.<category>.returns`` or a key above it), and the
change from last year where the scenario gives last year's inputs (``returns_last_year``): value
per bed in £, yields in percentage points.

:func:`rate_sensitivity` moves each assumption of :data:`feemodel.model.sensitivity.RATE_ASSUMPTIONS`
by the scenario's one-way range (``sensitivity.one_way``) and gives each built proposed band's
weekly rate (excluding FNC, with its add-ons) at the low and the high change, beside the rate as
proposed: the same build-up the rate card uses (:func:`feemodel.model.rates.band_rates_adjusted`),
each rate rounded to the penny once. Bands with a stated rate do not move and are not listed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import NotComputed
from ..money import to_pounds
from .case import Case
from .rates import band_rate_pence, band_rates_adjusted
from .sensitivity import LABELS, RATE_ASSUMPTIONS

RETURN_COLUMNS = ["category", "convention", "return_on_operations_pct", "freehold_value_per_bed", "capital_yield_pct",
                  "land_value_per_bed", "building_value_per_bed", "target_yield_pct", "return_on_operations_gbp_pw",
                  "return_on_capital_gbp_pw", "evidence", "value_per_bed_change", "yield_change_points"]


def returns_stated(case: Case) -> pd.DataFrame:
    s = case.scenario
    conv = s.cost_of_care.return_convention
    unknown = [c for c in s.returns_last_year if c not in s.cost_of_care.categories]
    if unknown:
        raise NotComputed(f"returns_last_year.{unknown[0]} is not a cost_of_care category (known: "
                          f"{', '.join(sorted(s.cost_of_care.categories)) or 'none'})")
    seen, rows = set(), []
    for band in s.bands("proposed"):
        if band.category is None or band.category in seen or s.uplift.pct_method:
            continue
        seen.add(band.category)
        r = s.cost_of_care.categories[band.category].returns
        p = band_rate_pence(band, s, case.params, s.rates_date)
        fair = conv == "fair_cost_of_care"
        value = r.freehold_value_per_bed if fair else r.land_value_per_bed + r.building_value_per_bed
        yld = r.capital_yield_pct if fair else r.target_yield_pct
        last = s.returns_last_year.get(band.category)
        row = {"category": band.category, "convention": conv,
               "return_on_operations_pct": r.return_on_operations_pct if fair else np.nan,
               "freehold_value_per_bed": r.freehold_value_per_bed if fair else np.nan,
               "capital_yield_pct": r.capital_yield_pct if fair else np.nan,
               "land_value_per_bed": np.nan if fair else r.land_value_per_bed,
               "building_value_per_bed": np.nan if fair else r.building_value_per_bed,
               "target_yield_pct": np.nan if fair else r.target_yield_pct,
               "return_on_operations_gbp_pw": to_pounds(p["return_on_operations"]),
               "return_on_capital_gbp_pw": to_pounds(p["return_on_capital"]),
               "evidence": s.note(f"cost_of_care.categories.{band.category}.returns") or "no evidence recorded in the scenario",
               "value_per_bed_change": np.nan, "yield_change_points": np.nan}
        if last is not None:
            last_value = last.freehold_value_per_bed if fair else last.land_value_per_bed + last.building_value_per_bed
            row["value_per_bed_change"] = round(value - last_value, 2)
            row["yield_change_points"] = round(yld - (last.capital_yield_pct if fair else last.target_yield_pct), 4)
        rows.append(row)
    if not rows:
        raise NotComputed("no proposed band is built from a cost-of-care category, so no return is stated")
    return pd.DataFrame(rows, columns=RETURN_COLUMNS)


def rate_sensitivity(case: Case) -> pd.DataFrame:
    s = case.scenario
    ranges = {k: v for k, v in s.sensitivity.one_way.items() if k in RATE_ASSUMPTIONS}
    built = [b for b in s.bands("proposed") if b.category is not None]
    if s.uplift.pct_method or not built:
        raise NotComputed("no proposed band is built from a cost-of-care category, so no weekly rate moves with an assumption")
    if not ranges:
        raise NotComputed("the scenario gives no one-way range (sensitivity.one_way) for an assumption of the build-up")
    base = band_rates_adjusted(s, case.params, {}, 1)
    rows = []
    for name, rng in ranges.items():
        moved = band_rates_adjusted(s, case.params, {name: np.array([rng.low, rng.high])}, 2)
        for b in built:
            lo, hi = (int(x) for x in np.broadcast_to(moved[b.name], (2,)))
            mid = int(np.ravel(base[b.name])[0])
            rows.append({"band": b.name, "assumption": name, "label": LABELS[name], "low": rng.low, "high": rng.high,
                         "rate_at_low_gbp_pw": to_pounds(lo), "weekly_rate_gbp": to_pounds(mid), "rate_at_high_gbp_pw": to_pounds(hi),
                         "swing_gbp_pw": to_pounds(abs(hi - lo))})
    return pd.DataFrame(rows)

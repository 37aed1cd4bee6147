"""Provider cost survey statistics."""

import numpy as np
import pandas as pd
import pytest

from feemodel.model import survey


def frame(rows):
    return pd.DataFrame(rows, columns=["home_id", "category", "beds", "occupancy_pct", "cost_line", "amount_prpw"])


def small_survey():
    # three homes, two lines: care 100/200/300, premises 10/50/5; totals 110, 250, 305
    rows = []
    for home, care, prem in [("A", 100, 10), ("B", 200, 50), ("C", 300, 5)]:
        rows += [(home, "standard_residential", 40, 90, "care_staff", care),
                 (home, "standard_residential", 40, 90, "premises", prem)]
    return frame(rows)


def test_both_total_conventions_are_given_and_differ():
    s = survey.summarise(small_survey())
    tot = s[s.cost_line == "total"].set_index("convention")
    assert tot.loc["sum_of_line_medians", "median"] == 210.0  # 200 + 10
    assert tot.loc["median_of_totals", "median"] == 250.0     # median of 110, 250, 305
    # quartiles with linear interpolation: totals 110, 250, 305 -> LQ 180, UQ 277.5
    assert tot.loc["median_of_totals", "lower_quartile"] == 180.0
    assert tot.loc["median_of_totals", "upper_quartile"] == 277.5
    lines = s[s.convention == "per_line"].set_index("cost_line")
    assert lines.loc["care_staff", "lower_quartile"] == 150.0 and lines.loc["premises", "median"] == 10.0


def test_bootstrap_interval_brackets_median_and_is_reproducible():
    values = np.arange(1, 42, dtype=float)
    lo, hi = survey.bootstrap_median_ci(values)
    assert lo < 21 < hi
    assert (lo, hi) == survey.bootstrap_median_ci(values)


def test_outlier_rule_three_iqr():
    rows = [(h, "standard_residential", 40, 90, "premises", v) for h, v in zip("ABCDE", [10, 11, 12, 13, 100], strict=True)]
    out = survey.flag_outliers(frame(rows))
    # Q1 11, Q3 13, IQR 2 -> fences 5 and 19: only 100 is out
    assert list(out.home_id) == ["E"] and out.fence_high.iloc[0] == 19.0


def test_exclusions_are_listed():
    kept, excl = survey.apply_exclusions(small_survey(), ["B", "C:standard_nursing"])
    assert set(kept.home_id) == {"A", "C"}
    assert list(excl.rows_removed) == [2, 0]


def test_quantile_regression_recovers_known_slope():
    rng = np.random.default_rng(5)
    rows = []
    for i in range(60):
        beds = int(rng.integers(20, 100))
        occ = float(rng.uniform(70, 100))
        total = 900 - 3.0 * beds / 10 * 10 - 2.0 * occ + rng.laplace(0, 5)  # -30 per 10 beds, -20 per 10 points
        rows.append((f"H{i}", "standard_residential", beds, occ, "care_staff", total))
    fit = survey.cost_drivers(frame(rows), quantiles=(0.5,)).set_index("term")
    assert fit.loc["beds_per_10", "coefficient_gbp_prpw"] == pytest.approx(-30, abs=2)
    assert fit.loc["occupancy_per_10pts", "coefficient_gbp_prpw"] == pytest.approx(-20, abs=3)
    assert fit.converged.all()

"""Provider cost survey statistics, as councils reported them in the 2022 fair cost of care exercise.

* Quartiles per cost line and category: pandas' linear interpolation between order statistics
  (the same as Excel's QUARTILE.INC).
* Totals in both conventions, labelled: ``sum_of_line_medians`` (each total statistic is the sum of
  the line statistics, as in several published tables) and ``median_of_totals`` (the statistic of
  each home's total). They differ; outputs say which one a rate is compared with.
* Bootstrap 95% confidence interval for the median total (percentile method, seeded).
* Outliers: a home's line is flagged when it lies beyond 3 x IQR outside the line's quartiles (Tukey's
  'far out' rule). Flagged homes stay in unless the scenario lists them in ``survey_exclusions``
  (``HOME_ID`` for all its categories, or ``HOME_ID:category``); exclusions are listed in outputs.
* Cost drivers: statsmodels quantile regression of each home's total cost per resident week on
  beds, occupancy and category at the 25th, 50th and 75th percentiles.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from statsmodels.tools.sm_exceptions import IterationLimitWarning

from ..money import pounds
from .rates import COST_LINES

OUTLIER_IQR_MULTIPLE = 3.0
BOOTSTRAP_DRAWS = 2000
BOOTSTRAP_SEED = 2022


def apply_exclusions(survey: pd.DataFrame, exclusions: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop excluded homes (or home:category pairs); return the kept rows and a table of exclusions."""
    drop = pd.Series(False, index=survey.index)
    listed = []
    for item in exclusions:
        home, _, cat = item.partition(":")
        mask = survey.home_id.eq(home) & (survey.category.eq(cat) if cat else True)
        drop |= mask
        listed.append({"exclusion": item, "rows_removed": int(mask.sum())})
    return survey[~drop].copy(), pd.DataFrame(listed, columns=["exclusion", "rows_removed"])


def home_totals(survey: pd.DataFrame) -> pd.DataFrame:
    """One row per home and category: total cost prpw, beds, occupancy."""
    g = survey.groupby(["home_id", "category"], sort=True)
    return g.agg(total=("amount_prpw", "sum"), beds=("beds", "first"), occupancy_pct=("occupancy_pct", "first")).reset_index()


def flag_outliers(survey: pd.DataFrame) -> pd.DataFrame:
    """Rows whose amount lies beyond 3 x IQR outside the quartiles of their category and line."""
    def flag(group):
        q1, q3 = group.amount_prpw.quantile([0.25, 0.75])
        iqr = q3 - q1
        lo, hi = q1 - OUTLIER_IQR_MULTIPLE * iqr, q3 + OUTLIER_IQR_MULTIPLE * iqr
        out = group[(group.amount_prpw < lo) | (group.amount_prpw > hi)].copy()
        out["fence_low"], out["fence_high"] = pounds(lo), pounds(hi)
        return out
    parts = [flag(g) for _, g in survey.groupby(["category", "cost_line"], sort=True)]
    cols = ["home_id", "category", "cost_line", "amount_prpw", "fence_low", "fence_high"]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts)[cols].sort_values(["category", "cost_line", "home_id"]).reset_index(drop=True)


def bootstrap_median_ci(values: np.ndarray, draws: int = BOOTSTRAP_DRAWS, seed: int = BOOTSTRAP_SEED,
                        level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval for the median."""
    values = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(values), size=(draws, len(values)))
    medians = np.median(values[idx], axis=1)
    a = (1 - level) / 2
    return float(np.quantile(medians, a)), float(np.quantile(medians, 1 - a))


def summarise(survey: pd.DataFrame) -> pd.DataFrame:
    """Lower quartile, median, upper quartile per category and line, and totals in both conventions."""
    rows = []
    for cat, g in survey.groupby("category", sort=True):
        homes = g.home_id.nunique()
        line_stats = {}
        for line in COST_LINES:
            v = g[g.cost_line == line].amount_prpw
            q = v.quantile([0.25, 0.5, 0.75]) if len(v) else pd.Series([np.nan] * 3, index=[0.25, 0.5, 0.75])
            line_stats[line] = q
            rows.append({"category": cat, "cost_line": line, "convention": "per_line", "homes": int(v.size),
                         "lower_quartile": q[0.25], "median": q[0.5], "upper_quartile": q[0.75],
                         "median_ci_low": np.nan, "median_ci_high": np.nan})
        present = [line for line in COST_LINES if not np.isnan(line_stats[line][0.5])]
        sums = {k: sum(line_stats[line][k] for line in present) for k in (0.25, 0.5, 0.75)}
        rows.append({"category": cat, "cost_line": "total", "convention": "sum_of_line_medians", "homes": homes,
                     "lower_quartile": sums[0.25], "median": sums[0.5], "upper_quartile": sums[0.75],
                     "median_ci_low": np.nan, "median_ci_high": np.nan})
        totals = home_totals(g).total
        q = totals.quantile([0.25, 0.5, 0.75])
        lo, hi = bootstrap_median_ci(totals.to_numpy())
        rows.append({"category": cat, "cost_line": "total", "convention": "median_of_totals", "homes": homes,
                     "lower_quartile": q[0.25], "median": q[0.5], "upper_quartile": q[0.75],
                     "median_ci_low": lo, "median_ci_high": hi})
    out = pd.DataFrame(rows)
    for c in ("lower_quartile", "median", "upper_quartile", "median_ci_low", "median_ci_high"):
        out[c] = pounds(out[c])
    return out


def cost_drivers(survey: pd.DataFrame, quantiles=(0.25, 0.5, 0.75)) -> pd.DataFrame:
    """Quantile regression of home total cost prpw on beds (per 10), occupancy (per 10 points) and category."""
    t = home_totals(survey)
    t["beds_per_10"] = t.beds / 10
    t["occupancy_per_10pts"] = t.occupancy_pct / 10
    rows = []
    model = smf.quantreg("total ~ beds_per_10 + occupancy_per_10pts + C(category)", t)
    for q in quantiles:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", IterationLimitWarning)
            fit = model.fit(q=q, max_iter=20000, p_tol=1e-5)
        converged = not any(issubclass(w.category, IterationLimitWarning) for w in caught)
        ci = fit.conf_int()
        for term in fit.params.index:
            rows.append({"quantile": q, "term": term, "coefficient_gbp_prpw": pounds(float(fit.params[term])),
                         "ci_low": pounds(float(ci.loc[term, 0])), "ci_high": pounds(float(ci.loc[term, 1])),
                         "p_value": round(float(fit.pvalues[term]), 4), "homes": int(len(t)),
                         "converged": converged})
    return pd.DataFrame(rows)

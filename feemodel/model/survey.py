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
  beds, occupancy and category at the 25th, 50th and 75th percentiles. Not estimated
  (:class:`~feemodel.errors.NotComputed`) with fewer than :data:`MIN_HOMES_PER_TERM` homes per
  estimated term, or when a fit fails or does not converge.
* Small samples: a statistic resting on fewer than :data:`SMALL_SAMPLE_HOMES` homes is labelled in
  the ``reliability`` column (:data:`SMALL_SAMPLE_WORDS`) and gets no bootstrap interval.
* Missing lines: a home that gave no figure for a line (no row; a stated £0 is a figure) is left out
  of that line's statistics. ``median_of_totals`` totals only the homes that gave every line that
  any home in their category gave (a partial total would understate the home's cost); its ``homes``
  is the number of those homes, and :func:`survey_checks` says how many were left out.
  ``sum_of_line_medians`` adds the line statistics, each over the homes that gave the line.
* A published summary (no homes behind it): :func:`summarise_published`.
* Price base: :func:`uprate` and :func:`uprate_published` multiply amounts by a factor and round
  each to the penny once.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import NotComputed
from ..money import pounds
from .case import Case
from .price_base import price_base_factor
from .rates import COST_LINES

OUTLIER_IQR_MULTIPLE = 3.0
BOOTSTRAP_DRAWS = 2000
BOOTSTRAP_SEED = 2022
# Fewer homes than this: the statistic is shown for information only and has no bootstrap interval
# (with 4 homes the percentile bootstrap can only pick among a handful of values, and its "95%"
# interval is neither 95% nor an interval worth quoting).
SMALL_SAMPLE_HOMES = 5
SMALL_SAMPLE_WORDS = "fewer than 5 homes: for information only"
# The quantile regression needs at least this many homes per estimated term (intercept, beds,
# occupancy and one term per category after the first): the usual rule of thumb of about ten
# observations per parameter, below which coefficients and their intervals are unstable.
MIN_HOMES_PER_TERM = 10
SUMMARY_COLUMNS = ["category", "cost_line", "convention", "homes", "lower_quartile", "median", "upper_quartile",
                   "median_ci_low", "median_ci_high", "reliability"]


def case_factor(case: Case) -> float:
    """The factor from the survey's price base (``survey_price_base``) to the scenario's year."""
    s = case.scenario
    return price_base_factor(s.survey_price_base, s, case.params, "survey_price_base")


def case_rows(case: Case) -> pd.DataFrame:
    """The case's homes' returns at the scenario's year's prices (uprated by :func:`uprate`);
    derived once per case."""
    return case.derive("survey_rows", lambda c: uprate(c.book.cost_survey, case_factor(c)))


def case_kept(case: Case) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the case's survey rows kept, table of exclusions), after the scenario's ``survey_exclusions``;
    derived once per case."""
    return case.derive("survey_kept", lambda c: apply_exclusions(case_rows(c), c.scenario.survey_exclusions))


def apply_exclusions(survey: pd.DataFrame, exclusions: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop excluded homes (or home:category pairs); return the kept rows and a table of exclusions."""
    drop = pd.Series(False, index=survey.index)
    listed = []
    for item in exclusions:
        home, _, cat = item.partition(":")
        mask = survey.home_id.eq(home) & (survey.category.eq(cat) if cat else True)
        drop |= mask
        listed.append({"home_id": home, "category": cat or "all", "rows_removed": int(mask.sum())})
    return survey[~drop].copy(), pd.DataFrame(listed, columns=["home_id", "category", "rows_removed"])


def complete_homes(survey: pd.DataFrame) -> pd.DataFrame:
    """The rows of homes that gave every line that any home in their category gave.

    A home that gave no figure for a line (no row) is left out, with all its rows in that category;
    a line no home in the category gave does not count as missing."""
    if survey.empty:
        return survey
    given = survey.groupby("category").cost_line.transform("nunique")
    mine = survey.groupby(["home_id", "category"]).cost_line.transform("nunique")
    return survey[mine == given]


def home_totals(survey: pd.DataFrame) -> pd.DataFrame:
    """One row per home and category: total cost prpw, beds, occupancy. Only homes that gave every
    line their category's homes give (:func:`complete_homes`)."""
    g = complete_homes(survey).groupby(["home_id", "category"], sort=True)
    return g.agg(total=("amount_prpw", "sum"), beds=("beds", "first"), occupancy_pct=("occupancy_pct", "first")).reset_index()


def _reliability(homes: int) -> str:
    return SMALL_SAMPLE_WORDS if 0 < homes < SMALL_SAMPLE_HOMES else ""


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
    """Lower quartile, median, upper quartile per category and line, and totals in both conventions.

    Columns :data:`SUMMARY_COLUMNS`; £ per resident per week, each figure rounded once to the penny.
    ``homes``: per line, the homes that gave the line; ``sum_of_line_medians``, the homes in the
    category; ``median_of_totals``, the homes that gave every line (:func:`complete_homes`). The
    bootstrap interval is on ``median_of_totals`` only, and blank with fewer than
    :data:`SMALL_SAMPLE_HOMES` homes. ``reliability``: :data:`SMALL_SAMPLE_WORDS` on a row resting on
    1 to 4 homes (for ``sum_of_line_medians``, on its line with fewest homes), blank otherwise.
    """
    rows = []
    for cat, g in survey.groupby("category", sort=True):
        homes = g.home_id.nunique()
        line_stats, line_homes = {}, {}
        for line in COST_LINES:
            v = g[g.cost_line == line].amount_prpw
            q = v.quantile([0.25, 0.5, 0.75]) if len(v) else pd.Series([np.nan] * 3, index=[0.25, 0.5, 0.75])
            line_stats[line], line_homes[line] = q, int(v.size)
            rows.append({"category": cat, "cost_line": line, "convention": "per_line", "homes": int(v.size),
                         "lower_quartile": q[0.25], "median": q[0.5], "upper_quartile": q[0.75],
                         "median_ci_low": np.nan, "median_ci_high": np.nan, "reliability": _reliability(int(v.size))})
        present = [line for line in COST_LINES if not np.isnan(line_stats[line][0.5])]
        sums = {k: sum(line_stats[line][k] for line in present) for k in (0.25, 0.5, 0.75)}
        fewest = min((line_homes[line] for line in present), default=0)
        rows.append({"category": cat, "cost_line": "total", "convention": "sum_of_line_medians", "homes": homes,
                     "lower_quartile": sums[0.25], "median": sums[0.5], "upper_quartile": sums[0.75],
                     "median_ci_low": np.nan, "median_ci_high": np.nan, "reliability": _reliability(fewest)})
        totals = home_totals(g).total
        n = int(totals.size)
        q = totals.quantile([0.25, 0.5, 0.75]) if n else pd.Series([np.nan] * 3, index=[0.25, 0.5, 0.75])
        lo, hi = bootstrap_median_ci(totals.to_numpy()) if n >= SMALL_SAMPLE_HOMES else (np.nan, np.nan)
        rows.append({"category": cat, "cost_line": "total", "convention": "median_of_totals", "homes": n,
                     "lower_quartile": q[0.25], "median": q[0.5], "upper_quartile": q[0.75],
                     "median_ci_low": lo, "median_ci_high": hi, "reliability": _reliability(n)})
    out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for c in ("lower_quartile", "median", "upper_quartile", "median_ci_low", "median_ci_high"):
        out[c] = pounds(out[c])
    return out


def summarise_published(published: pd.DataFrame) -> pd.DataFrame:
    """A published summary (no homes behind it) in :func:`summarise`'s columns.

    Input: the validated summary form (category, cost_line (a toolkit line or ``total``), homes,
    lower_quartile, median, upper_quartile; £ per resident per week). Output, per category:

    * each line as given (``per_line``), every toolkit line listed, a line not given blank;
    * ``sum_of_line_medians``: the sum of the given lines' lower quartiles, medians and upper
      quartiles (each a sum of the line figures, not a quartile of anything); ``homes`` is the most
      homes behind any line (the summary does not say how many homes gave every line);
    * ``published_total``: a ``total`` row in the file, kept as given under its own name.

    There is never a ``median_of_totals`` (there are no home totals to take a median of) and never a
    bootstrap interval. ``reliability`` as in :func:`summarise`. Figures rounded once to the penny.
    """
    rows = []
    for cat, g in published.groupby("category", sort=True):
        lines = g[g.cost_line != "total"].set_index("cost_line")
        for line in COST_LINES:
            if line in lines.index:
                r = lines.loc[line]
                rows.append({"category": cat, "cost_line": line, "convention": "per_line", "homes": int(r.homes),
                             "lower_quartile": r.lower_quartile, "median": r["median"], "upper_quartile": r.upper_quartile,
                             "reliability": _reliability(int(r.homes))})
            else:
                rows.append({"category": cat, "cost_line": line, "convention": "per_line", "homes": 0,
                             "lower_quartile": np.nan, "median": np.nan, "upper_quartile": np.nan, "reliability": ""})
        given = lines[lines.index.isin(COST_LINES)]
        rows.append({"category": cat, "cost_line": "total", "convention": "sum_of_line_medians",
                     "homes": int(given.homes.max()) if len(given) else 0,
                     "lower_quartile": float(pounds(given.lower_quartile).sum()), "median": float(pounds(given["median"]).sum()),
                     "upper_quartile": float(pounds(given.upper_quartile).sum()),
                     "reliability": _reliability(int(given.homes.min())) if len(given) else ""})
        for _, r in g[g.cost_line == "total"].iterrows():
            rows.append({"category": cat, "cost_line": "total", "convention": "published_total", "homes": int(r.homes),
                         "lower_quartile": r.lower_quartile, "median": r["median"], "upper_quartile": r.upper_quartile,
                         "reliability": _reliability(int(r.homes))})
    out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for c in ("lower_quartile", "median", "upper_quartile", "median_ci_low", "median_ci_high"):
        out[c] = pounds(out[c].astype(float))
    return out


def survey_checks(survey: pd.DataFrame) -> list[dict]:
    """Warnings about the survey rows (after exclusions), as dicts with ``key`` and ``detail``.

    * ``survey_small_category``: a category with fewer than :data:`SMALL_SAMPLE_HOMES` homes;
    * ``survey_missing_lines``: a line that some, not all, of a category's homes gave, with how many
      homes lack it and how the totals treat them.
    An empty list when there is nothing to say.
    """
    out = []
    for cat, g in survey.groupby("category", sort=True):
        homes = g.home_id.nunique()
        if homes < SMALL_SAMPLE_HOMES:
            out.append({"key": "survey_small_category",
                        "detail": f"{cat}: {homes} home{'s' if homes != 1 else ''} in the survey; its figures are for "
                                  "information only and have no confidence interval."})
        gave = g.groupby("cost_line").home_id.nunique()
        short = [(line, homes - int(gave[line])) for line in COST_LINES if line in gave.index and gave[line] < homes]
        if short:
            left_out = homes - complete_homes(g).home_id.nunique()
            lines = "; ".join(f"{line} missing for {k} of {homes} homes" for line, k in short)
            out.append({"key": "survey_missing_lines",
                        "detail": f"{cat}: {lines}. Each line's figures use the homes that gave it; the median of "
                                  f"home totals leaves out the {left_out} home{'s' if left_out != 1 else ''} that did not "
                                  f"give every line ({homes - left_out} homes remain), and a missing line is never "
                                  "counted as £0."})
    return out


def uprate(survey: pd.DataFrame, factor: float) -> pd.DataFrame:
    """Survey rows with each ``amount_prpw`` multiplied by ``factor`` (from
    :func:`feemodel.model.price_base.price_base_factor`) and rounded once to the penny. Other columns
    unchanged. ``factor`` must be a positive finite number (ValueError otherwise)."""
    _check_factor(factor)
    out = survey.copy()
    out["amount_prpw"] = pounds(out.amount_prpw.astype(float) * factor)
    return out


def uprate_published(published: pd.DataFrame, factor: float) -> pd.DataFrame:
    """A published summary with its lower quartile, median and upper quartile each multiplied by
    ``factor`` and rounded once to the penny (then :func:`summarise_published` adds the lines)."""
    _check_factor(factor)
    out = published.copy()
    for c in ("lower_quartile", "median", "upper_quartile"):
        out[c] = pounds(out[c].astype(float) * factor)
    return out


def _check_factor(factor: float) -> None:
    if not (np.isfinite(factor) and factor > 0):
        raise ValueError(f"a price base factor is a positive number, not {factor!r}")


def cost_drivers(survey: pd.DataFrame, quantiles=(0.25, 0.5, 0.75)) -> pd.DataFrame:
    """Quantile regression of home total cost prpw on beds (per 10), occupancy (per 10 points) and category.

    Homes: those that gave every line (:func:`home_totals`). Raises
    :class:`~feemodel.errors.NotComputed` when there are fewer than :data:`MIN_HOMES_PER_TERM` homes
    per estimated term (3 + one per category after the first), or when a fit fails or does not
    converge at any quantile (a coefficient that did not converge is not published)."""
    t = home_totals(survey)
    terms = 3 + max(t.category.nunique() - 1, 0)
    if len(t) < MIN_HOMES_PER_TERM * terms:
        raise NotComputed(f"{len(t)} surveyed homes with every cost line, fewer than {MIN_HOMES_PER_TERM} for each of the "
                          f"{terms} terms of the regression ({MIN_HOMES_PER_TERM * terms} needed): the quantile regression "
                          "of costs is not estimated")
    t["beds_per_10"] = t.beds / 10
    t["occupancy_per_10pts"] = t.occupancy_pct / 10
    rows = []
    import statsmodels.formula.api as smf  # here, not at the top: it takes seconds to import, and most callers never fit
    from statsmodels.tools.sm_exceptions import IterationLimitWarning
    model = smf.quantreg("total ~ beds_per_10 + occupancy_per_10pts + C(category)", t)
    for q in quantiles:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", IterationLimitWarning)
            try:
                fit = model.fit(q=q, max_iter=20000, p_tol=1e-5)
            except (ValueError, np.linalg.LinAlgError) as exc:
                raise NotComputed(f"the quantile regression of costs failed at the {round(q * 100)}th percentile ({exc}); "
                                  "it is not estimated") from None
        converged = not any(issubclass(w.category, IterationLimitWarning) for w in caught)
        ci = fit.conf_int()
        if not converged or not np.all(np.isfinite(fit.params)) or not np.all(np.isfinite(ci.to_numpy())):
            raise NotComputed(f"the quantile regression of costs did not converge at the {round(q * 100)}th percentile; "
                              "its coefficients are not published")
        for term in fit.params.index:
            rows.append({"quantile": q, "term": term, "coefficient_gbp_prpw": pounds(float(fit.params[term])),
                         "ci_low": pounds(float(ci.loc[term, 0])), "ci_high": pounds(float(ci.loc[term, 1])),
                         "p_value": round(float(fit.pvalues[term]), 4), "homes": int(len(t)),
                         "converged": converged})
    return pd.DataFrame(rows)

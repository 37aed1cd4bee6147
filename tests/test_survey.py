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


# ---- issue 13: small samples, missing lines, published summaries, price base

from feemodel.errors import NotComputed  # noqa: E402


def one_line(values, category="standard_residential", line="care_staff"):
    return frame([(f"H{i}", category, 40, 90, line, v) for i, v in enumerate(values)])


def test_category_of_four_homes_is_labelled_and_has_no_interval():
    s = survey.summarise(one_line([100, 200, 300, 400]))
    tot = s[s.cost_line == "total"].set_index("convention")
    # 4 homes: median (200 + 300) / 2 = 250; LQ at position 0.75: 100 + 0.75 x 100 = 175; UQ 300 + 0.25 x 100 = 325
    assert (tot.loc["median_of_totals", "lower_quartile"], tot.loc["median_of_totals", "median"],
            tot.loc["median_of_totals", "upper_quartile"]) == (175.0, 250.0, 325.0)
    assert np.isnan(tot.loc["median_of_totals", "median_ci_low"]) and np.isnan(tot.loc["median_of_totals", "median_ci_high"])
    assert set(s.reliability[s.homes > 0]) == {"fewer than 5 homes: for information only"}
    # a line no home gave (premises here) has no figures and no label
    assert s.set_index("cost_line").loc["premises", "reliability"] == ""


def test_category_of_five_homes_keeps_its_interval_and_no_label():
    s = survey.summarise(one_line([100, 200, 300, 400, 500]))
    mot = s[s.convention == "median_of_totals"].iloc[0]
    assert mot.homes == 5 and mot["median"] == 300.0 and mot.reliability == ""
    assert mot.median_ci_low <= 300.0 <= mot.median_ci_high


def missing_premises(e_premises=None):
    # care: A 100, B 200, C 300, D 400, E 500; premises: A 10, B 20, C 30, D 40, E none (or as given)
    rows = [(h, "standard_residential", 40, 90, "care_staff", v) for h, v in zip("ABCDE", [100, 200, 300, 400, 500], strict=True)]
    rows += [(h, "standard_residential", 40, 90, "premises", v) for h, v in zip("ABCD", [10, 20, 30, 40], strict=True)]
    if e_premises is not None:
        rows.append(("E", "standard_residential", 40, 90, "premises", e_premises))
    return frame(rows)


def test_median_of_totals_uses_only_homes_that_gave_every_line():
    s = survey.summarise(missing_premises())
    lines = s[s.convention == "per_line"].set_index("cost_line")
    tot = s[s.cost_line == "total"].set_index("convention")
    assert lines.loc["care_staff", "homes"] == 5 and lines.loc["premises", "homes"] == 4
    # sum of line medians: care median 300 (5 homes) + premises median (20 + 30) / 2 = 25 -> 325
    # its LQ: care 200 (position 1) + premises 10 + 0.75 x 10 = 17.5 -> 217.5
    assert tot.loc["sum_of_line_medians", "median"] == 325.0
    assert tot.loc["sum_of_line_medians", "lower_quartile"] == 217.5
    # E left out of the totals: A-D totals 110, 220, 330, 440 -> median 275, on 4 homes (labelled, no interval)
    assert tot.loc["median_of_totals", "homes"] == 4 and tot.loc["median_of_totals", "median"] == 275.0
    assert np.isnan(tot.loc["median_of_totals", "median_ci_low"])
    assert tot.loc["median_of_totals", "reliability"] == "fewer than 5 homes: for information only"
    # the sum row rests on a line with only 4 homes, so it is labelled too
    assert tot.loc["sum_of_line_medians", "reliability"] == "fewer than 5 homes: for information only"


def test_a_stated_zero_is_a_figure_not_a_missing_line():
    s = survey.summarise(missing_premises(e_premises=0))
    mot = s[s.convention == "median_of_totals"].iloc[0]
    # totals 110, 220, 330, 440, 500 -> median 330 on 5 homes
    assert (mot.homes, mot["median"]) == (5, 330.0)
    assert survey.survey_checks(missing_premises(e_premises=0)) == []


def test_survey_checks_name_missing_lines_and_small_categories():
    checks = survey.survey_checks(missing_premises())
    assert [c["key"] for c in checks] == ["survey_missing_lines"]
    detail = checks[0]["detail"]
    assert "premises missing for 1 of 5 homes" in detail
    assert "leaves out the 1 home " in detail and "(4 homes remain)" in detail and "never counted as £0" in detail
    small = survey.survey_checks(one_line([100, 200, 300], category="nursing_enhanced"))
    assert small == [{"key": "survey_small_category",
                      "detail": "nursing_enhanced: 3 homes in the survey; its figures are for information only and "
                                "have no confidence interval."}]


def test_cost_drivers_not_computed_on_too_few_homes():
    with pytest.raises(NotComputed, match="4 surveyed homes"):
        survey.cost_drivers(one_line([656, 900, 1500, 2992]))
    # one category: 3 terms (intercept, beds, occupancy) -> 30 homes needed; 29 is too few
    with pytest.raises(NotComputed, match=r"\(30 needed\)"):
        survey.cost_drivers(one_line(list(range(500, 529))))
    # two categories: 4 terms -> 40 needed
    rows = one_line(list(range(500, 520)))
    rows = pd.concat([rows, one_line(list(range(600, 619)), category="standard_nursing").assign(home_id=lambda f: "N" + f.home_id)])
    with pytest.raises(NotComputed, match=r"39 surveyed homes .* 4 terms .*\(40 needed\)"):
        survey.cost_drivers(rows)


def test_cost_drivers_not_computed_when_the_fit_does_not_converge(monkeypatch):
    import warnings

    import statsmodels.formula.api as smf
    from statsmodels.tools.sm_exceptions import IterationLimitWarning
    real = smf.quantreg

    class NoConvergence:
        def __init__(self, *a, **k):
            self.model = real(*a, **k)

        def fit(self, **kw):
            warnings.warn("Maximum number of iterations (20000) reached.", IterationLimitWarning, stacklevel=1)
            return self.model.fit(**kw)

    monkeypatch.setattr(smf, "quantreg", NoConvergence)
    rows = one_line([500 + 3 * i for i in range(40)])
    with pytest.raises(NotComputed, match="did not converge at the 25th percentile"):
        survey.cost_drivers(rows)


def brighton():
    # Brighton & Hove City Council, Annex B cost of care report (2022), care homes 65+ table, 4 homes:
    # care staff 282.13 / 312.88 / 439.47; nursing staff 0 / 0 / 0; care home premises subtotal
    # 29.44 / 42.18 / 224.73; supplies and services subtotal 118.22 / 138.55 / 180.64 (LQ / median / UQ).
    # The total row is hand-made (not Brighton's): 430 / 500 / 850.
    rows = [("bh", "care_staff", 4, 282.13, 312.88, 439.47), ("bh", "nursing_staff", 4, 0.0, 0.0, 0.0),
            ("bh", "premises", 4, 29.44, 42.18, 224.73), ("bh", "supplies_services", 4, 118.22, 138.55, 180.64),
            ("bh", "total", 4, 430.0, 500.0, 850.0)]
    return pd.DataFrame(rows, columns=["category", "cost_line", "homes", "lower_quartile", "median", "upper_quartile"])


def test_published_summary_total_is_the_sum_of_line_figures():
    s = survey.summarise_published(brighton())
    assert list(s.columns) == list(survey.summarise(small_survey()).columns)
    tot = s[s.cost_line == "total"].set_index("convention")
    # medians 312.88 + 0 + 42.18 + 138.55 = 493.61; LQs 282.13 + 0 + 29.44 + 118.22 = 429.79;
    # UQs 439.47 + 0 + 224.73 + 180.64 = 844.84
    assert (tot.loc["sum_of_line_medians", "lower_quartile"], tot.loc["sum_of_line_medians", "median"],
            tot.loc["sum_of_line_medians", "upper_quartile"]) == (429.79, 493.61, 844.84)
    assert tot.loc["published_total", "median"] == 500.0  # kept as given, under its own name
    assert "median_of_totals" not in set(s.convention)
    assert s.median_ci_low.isna().all() and s.median_ci_high.isna().all()
    assert (s.reliability[s.homes > 0] == "fewer than 5 homes: for information only").all()
    lines = s[s.convention == "per_line"].set_index("cost_line")
    assert len(lines) == 8 and lines.loc["care_staff", "median"] == 312.88
    assert lines.loc["head_office", "homes"] == 0 and np.isnan(lines.loc["head_office", "median"])


def test_uprate_rounds_each_amount_once_half_up():
    rows = frame([("A", "standard_residential", 40, 90, "care_staff", 312.88),
                  ("A", "standard_residential", 40, 90, "premises", 12.50)])
    up = survey.uprate(rows, 1.08)
    # 312.88 x 1.08 = 337.9104 -> 337.91; 12.50 x 1.08 = 13.50
    assert list(up.amount_prpw) == [337.91, 13.50]
    # 12.50 x 1.002 = 12.525 -> 12.53 (half a penny rounds up)
    assert survey.uprate(rows, 1.002).amount_prpw.iloc[1] == 12.53
    assert list(rows.amount_prpw) == [312.88, 12.50]  # the input is not changed
    with pytest.raises(ValueError):
        survey.uprate(rows, 0.0)


def test_uprate_published_then_add_lines():
    up = survey.uprate_published(brighton(), 1.08)
    s = survey.summarise_published(up).set_index(["cost_line", "convention"])
    # care median 312.88 x 1.08 = 337.9104 -> 337.91; premises 42.18 x 1.08 = 45.5544 -> 45.55;
    # supplies 138.55 x 1.08 = 149.634 -> 149.63; sum 337.91 + 0 + 45.55 + 149.63 = 533.09
    assert s.loc[("care_staff", "per_line"), "median"] == 337.91
    assert s.loc[("total", "sum_of_line_medians"), "median"] == 533.09
    # published total 500 x 1.08 = 540
    assert s.loc[("total", "published_total"), "median"] == 540.0

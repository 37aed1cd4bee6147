"""Demand projection: exits within the year, exit rates by client group, intervals from the model for
a total, and admissions the model cannot use. Expected values are worked by hand in the comments."""

import dataclasses
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from feemodel.errors import InputError
from feemodel.model import demand
from feemodel.publish.tables import load_case
from tests.conftest import EXAMPLE, tiny_scenario


@pytest.fixture(scope="module")
def example():
    return load_case(EXAMPLE)


def with_admissions(case, admissions):
    return dataclasses.replace(case.book, admissions=admissions.reset_index(drop=True))


# ---- the rule for exits within the year

def test_retention_of_a_years_admissions_by_hand():
    # e = 40%: -ln(0.6) = 0.5108256, so r = 0.4 / 0.5108256 = 0.7830461
    assert demand.retention(0.4) == pytest.approx(0.7830461, abs=1e-7)
    # e = 50%: h = ln 2 = 0.6931472, r = 0.5 / 0.6931472 = 0.7213475
    assert demand.retention(0.5) == pytest.approx(0.7213475, abs=1e-7)
    assert demand.retention(0.0) == 1.0   # nobody leaves: every admission is still placed
    assert demand.retention(1.0) == 0.0   # everybody leaves
    # the same as averaging exp(-h (1 - u)) over arrival times u in the year (midpoint sum, 10,000 steps)
    h = -math.log(0.6)
    u = (np.arange(10_000) + 0.5) / 10_000
    assert demand.retention(0.4) == pytest.approx(np.exp(-h * (1 - u)).mean(), abs=1e-7)


def two_years(group_draws: dict[str, list[float]], central: dict[str, float]):
    """A projection for 2026 and 2027: one age band per group, the same admissions in both years."""
    band = {"older": "85+", "working_age": "18-64"}
    rows, draws = [], []
    for year in (2026, 2027):
        for g, d in group_draws.items():
            rows.append({"year": year, "age_band": band[g], "population": 1, "admissions": central[g]})
            draws.append(d)
    return pd.DataFrame(rows), np.array(draws, dtype=float)


def test_placements_allow_for_exits_within_the_year(tmp_path):
    # 10 older council placements; the turnover assumption, 40%, is used (fewer than 20 start dates);
    # council share 100%. Placements on 1 April 2027 = 10 x 0.6 + 5 admissions in 2026/27 x r(40%)
    # = 6 + 5 x 0.7830461 = 9.915 -> 9.9 (the old rule, 6 + 5 = 11, kept every admission).
    case = load_case(tiny_scenario(tmp_path, [dict(weekly_fee=760)] * 10,
                                   dict(turnover={"annual_exit_rate_pct": 40, "replace_leavers": True})))
    s, b = case.scenario, case.book
    # 21 draws of admissions, 0, 1, ..., 20: the 5th and 95th percentiles are 1 and 19 (positions 1 and 19 of 0..20)
    projected, draws = two_years({"older": list(range(21))}, {"older": 5.0})
    out = demand.project_placements(s, b, projected, draws).set_index(["client_group", "financial_year"])
    assert out.loc[("older", 2026), "placements"] == 10                     # the book
    assert out.loc[("older", 2026), "placements_pi90_high"] == 10
    assert out.loc[("older", 2027), "placements"] == 9.9
    # interval: 6 + 1 x 0.7830461 = 6.78 -> 6.8; 6 + 19 x 0.7830461 = 20.88 -> 20.9
    assert out.loc[("older", 2027), "placements_pi90_low"] == 6.8
    assert out.loc[("older", 2027), "placements_pi90_high"] == 20.9
    assert out.loc[("older", 2027), "admissions_pi90_low"] == 1
    assert out.loc[("older", 2027), "admissions_pi90_high"] == 19


def test_total_interval_comes_from_the_simulation_not_added_bounds(tmp_path):
    # older admissions 0..20 and working-age 20..0 in the same draws: every draw's total is 20, so the
    # total's interval is [20, 20]; adding the groups' bounds would give [1 + 1, 19 + 19] = [2, 38].
    # Placements on 1 April 2027, every draw: 10 x 0.6 + 20 x 0.7830461 = 6 + 15.661 = 21.661 -> 21.7
    case = load_case(tiny_scenario(tmp_path, [dict(weekly_fee=760)] * 10,
                                   dict(turnover={"annual_exit_rate_pct": 40, "replace_leavers": True})))
    projected, draws = two_years({"older": list(range(21)), "working_age": list(range(20, -1, -1))},
                                 {"older": 10.0, "working_age": 10.0})
    out = demand.project_placements(case.scenario, case.book, projected, draws).set_index(["client_group", "financial_year"])
    assert list(out.columns) == demand.PLACEMENT_COLUMNS[2:]
    total = out.loc[("all", 2027)]
    assert (total.admissions, total.admissions_pi90_low, total.admissions_pi90_high) == (20, 20, 20)
    assert (total.placements, total.placements_pi90_low, total.placements_pi90_high) == (21.7, 21.7, 21.7)
    assert out.loc[("working_age", 2027), "admissions_pi90_high"] == 19
    assert out.loc[("all", 2026), "placements"] == 10   # 10 older + 0 working age in the book


# ---- exit rates by client group

def book_for_rates(tmp_path, demand_keys=None):
    # FY 2026: time in placement is counted to 1 April 2026. 2025-04-01 is 365 days before; 2023-04-01 is
    # 366 + 365 + 365 = 1096 days before (2024 is a leap year). 12 of each: mean 730.5 days = 2.0 years.
    older = [dict(start_date="2025-04-01")] * 12 + [dict(start_date="2023-04-01")] * 12
    working = [dict(client_group="working_age", start_date="2020-01-01")] * 3
    top = {"demand": {"council_share_of_admissions_pct": 100, "projection_years": 5, **(demand_keys or {})}}
    return load_case(tiny_scenario(tmp_path, older + working,
                                   dict(turnover={"annual_exit_rate_pct": 35, "replace_leavers": True}), **top))


def test_exit_rate_estimated_from_start_dates(tmp_path):
    case = book_for_rates(tmp_path)
    t = demand.exit_rates(case.scenario, case.book).set_index("client_group")
    assert list(t.reset_index().columns) == ["client_group", "exit_rate_pct", "source", "placements_used", "mean_years_in_placement"]
    # hazard = 1 / 2.0 = 0.5 a year; exit rate = 1 - exp(-0.5) = 1 - 0.6065307 = 39.35% -> 39.3
    assert t.loc["older"].tolist() == [39.3, "start_dates", 24, 2.0]
    # 3 working-age placements (fewer than 20): the turnover assumption, 35%
    assert t.loc["working_age", "exit_rate_pct"] == 35.0
    assert t.loc["working_age", "source"] == "turnover"
    assert t.loc["working_age", "placements_used"] == 0
    notes = demand.check_demand(case.scenario, case.book)
    assert any("3 council-funded placement(s) of working-age adults" in n and "35% a year" in n for n in notes)


def test_stated_exit_rate_wins(tmp_path):
    case = book_for_rates(tmp_path, {"exit_rate_pct": {"older": 25, "working_age": 8}})
    t = demand.exit_rates(case.scenario, case.book).set_index("client_group")
    assert t.loc["older", "exit_rate_pct"] == 25.0 and t.loc["older", "source"] == "stated"
    assert t.loc["working_age", "exit_rate_pct"] == 8.0 and t.loc["working_age", "source"] == "stated"
    # and the projection uses it: placements(2027) = 24 x (1 - 0.25) + admissions(2026) x r(25%)
    placements, _ = demand.demand_table(case.scenario, case.book)
    older = placements[placements.client_group == "older"].set_index("financial_year")
    r = 0.25 / -math.log(0.75)   # 0.25 / 0.2876821 = 0.8690149
    assert older.loc[2027, "placements"] == pytest.approx(24 * 0.75 + older.loc[2026, "admissions"] * r, abs=0.06)


def test_exit_rate_key_is_checked():
    from pydantic import ValidationError

    from feemodel.inputs.scenario import Demand
    assert Demand(exit_rate_pct={"older": 30}).exit_rate_pct == {"older": 30}
    with pytest.raises(ValidationError):
        Demand(exit_rate_pct={"children": 30})
    with pytest.raises(ValidationError):
        Demand(exit_rate_pct={"older": 130})


# ---- admissions the model cannot use

def test_a_band_with_no_admissions_projects_none(example):
    s = example.scenario
    adm = example.book.admissions
    for admissions in (adm.assign(admissions=np.where(adm.age_band == "18-64", 0, adm.admissions)),  # only zeros
                       adm[adm.age_band != "18-64"]):                                              # no rows
        book = with_admissions(example, admissions)
        with warnings.catch_warnings():
            warnings.simplefilter("error")   # nothing leaks from statsmodels or numpy
            placements, coefs = demand.demand_table(s, book)
            notes = demand.check_demand(s, book)
        wa = placements[placements.client_group == "working_age"].set_index("financial_year")
        assert (wa[["admissions", "admissions_pi90_low", "admissions_pi90_high"]] == 0).all().all()
        # 209 working-age placements now, exits only: 209 x (1 - 0.167) = 174.1 on 1 April 2027
        assert wa.loc[2027, "placements"] == pytest.approx(209 * (1 - 0.167), abs=0.05)
        assert "C(age_band)[T.65-74]" not in set(coefs.term)   # 65-74 is the reference band now
        assert "data/admissions.csv: age band 18-64 has no admissions; its projection is zero" in notes


def test_a_model_that_cannot_be_fitted_names_the_file(example):
    s = example.scenario
    adm = example.book.admissions
    cases = [(adm.assign(admissions=0), "no admissions in any age band"),
             (adm[adm.year == 2025], "one year only"),
             (adm.iloc[0:0], "no admissions in any age band")]
    for admissions, problem in cases:
        book = with_admissions(example, admissions)
        for f in (demand.demand_table, demand.check_demand):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                with pytest.raises(InputError, match=problem) as err:
                    f(s, book)
            assert err.value.source == str(s.data_path("admissions"))
    # one year only names the year
    with pytest.raises(InputError) as err:
        demand.demand_table(s, with_admissions(example, adm[adm.year == 2025]))
    assert err.value.where == "year 2025"


def test_no_council_placements_projects_from_none(example):
    s = example.scenario
    p = example.book.placements
    book = dataclasses.replace(example.book, placements=p[p.funding != "council"].reset_index(drop=True))
    placements, _ = demand.demand_table(s, book)
    t = placements.set_index(["client_group", "financial_year"])
    assert t.loc[("all", 2026), "placements"] == 0
    # turnover assumption, 40%, for both groups: 1 April 2027 = admissions(2026) x r(40%) = 1309.6 x 0.7830461
    adm_2026 = t.loc[("all", 2026), "admissions"]
    assert t.loc[("all", 2027), "placements"] == pytest.approx(adm_2026 * 0.7830461, abs=0.1)
    rates = demand.exit_rates(s, book)
    assert set(rates.source) == {"turnover"} and set(rates.exit_rate_pct) == {40.0}
    assert any("no council-funded placements" in n for n in demand.check_demand(s, book))


def test_warnings_become_notes():
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    notes = demand._Notes()
    caught = [warnings.WarningMessage(m, c, "x.py", 1) for m, c in [
        ("did not converge", ConvergenceWarning), ("overflow in exp", RuntimeWarning),
        ("old API", DeprecationWarning), ("did not converge", ConvergenceWarning)]]
    notes.from_warnings(caught, "data/admissions.csv", "fitting it")
    assert notes.items == ["data/admissions.csv: the demand model did not converge when fitting it; treat its projection with caution",
                           "data/admissions.csv: numerical warning when fitting it (overflow in exp)"]


def test_example_projection_is_seeded_and_complete(example):
    a, _ = demand.demand_table(example.scenario, example.book)
    b, _ = demand.demand_table(example.scenario, example.book)
    assert a.equals(b)
    assert list(a.columns) == demand.PLACEMENT_COLUMNS
    assert set(a.client_group) == {"older", "working_age", "all"} and len(a) == 15
    t = a.set_index(["financial_year", "client_group"])
    for y in range(2026, 2031):
        # the total's central figure is the sum of the groups'; its interval holds it
        assert t.loc[(y, "all"), "placements"] == pytest.approx(t.loc[(y, "older"), "placements"] + t.loc[(y, "working_age"), "placements"], abs=0.11)
        assert t.loc[(y, "all"), "placements_pi90_low"] <= t.loc[(y, "all"), "placements"] <= t.loc[(y, "all"), "placements_pi90_high"]


def test_new_columns_and_codes_have_labels(example):
    from feemodel.publish import labels
    rates = demand.exit_rates(example.scenario, example.book)
    placements, _ = demand.demand_table(example.scenario, example.book)
    assert not labels.missing_labels({"exit_rates": list(rates.columns), "demand": list(placements.columns)})
    for code in ("stated", "start_dates", "turnover"):
        assert labels.words(code, "source") != code
    assert labels.words("all", "client_group") == "All"
    assert labels.fmt(32.0, "exit_rate_pct", "exit_rates") == "32.0%"

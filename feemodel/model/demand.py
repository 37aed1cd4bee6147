"""Demand: permanent admissions by age band, projected from population, and the multi-year budget.

Model: a statsmodels Poisson GLM, admissions ~ age band + year (centred), with log(population) as
offset, so exp(coefficient on year) - 1 is the yearly trend in the admission rate. Over-dispersion
is allowed for by scaling with Pearson chi-squared / df (quasi-Poisson) when that exceeds 1.
Projection intervals: 90%, by simulation (seeded) from the fitted linear predictor's sampling
distribution and Poisson noise.

Placements: council placements next year = this year's x (1 - exit rate) + admissions x the
council's share of admissions, by client group (18-64 -> working age; 65+ -> older).

Budget (medium-term financial plan shape): cost in year y = placements(y) x average weekly council
cost per placement(y) x 365/7; growth from demand = (placements(y) - placements(0)) x cost(0);
growth from fees = placements(y) x (cost(y) - cost(0)).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from ..inputs.data import Book
from ..inputs.scenario import Scenario

SEED = 7
WEEKS_PER_YEAR = 365 / 7


def fit_admissions(admissions: pd.DataFrame, population: pd.DataFrame):
    """Fit the GLM; returns (result, centring year)."""
    d = admissions.merge(population[["year", "age_band", "population"]], on=["year", "age_band"], how="inner")
    centre = int(d.year.median())
    d = d.assign(t=d.year - centre, log_pop=np.log(d.population))
    model = smf.glm("admissions ~ C(age_band) + t", data=d, family=sm.families.Poisson(), offset=d.log_pop)
    res = model.fit()
    dispersion = res.pearson_chi2 / res.df_resid
    if dispersion > 1:
        res = model.fit(scale="X2")
    return res, centre


def coefficients(res) -> pd.DataFrame:
    ci = res.conf_int()
    return pd.DataFrame({"term": res.params.index, "coefficient": res.params.round(6).to_numpy(),
                         "ci_low": ci[0].round(6).to_numpy(), "ci_high": ci[1].round(6).to_numpy(),
                         "rate_ratio": np.exp(res.params).round(6).to_numpy()})


def project_admissions(res, centre: int, population: pd.DataFrame, years: list[int], seed: int = SEED,
                       sims: int = 4000) -> pd.DataFrame:
    """Projected admissions by year and age band with a 90% prediction interval."""
    future = population[population.year.isin(years)].copy()
    future["t"] = future.year - centre
    pred = res.get_prediction(future, offset=np.log(future.population))
    mean = pred.predicted_mean
    # linear predictor draws -> Poisson noise
    X = res.model.data.orig_exog.columns
    design = pd.DataFrame(0.0, index=future.index, columns=X)
    design["Intercept"] = 1.0
    for band in future.age_band.unique():
        col = f"C(age_band)[T.{band}]"
        if col in design:
            design.loc[future.age_band == band, col] = 1.0
    design["t"] = future.t
    rng = np.random.default_rng(seed)
    beta = rng.multivariate_normal(res.params[X].to_numpy(), res.cov_params().loc[X, X].to_numpy(), sims)
    eta = design.to_numpy() @ beta.T + np.log(future.population.to_numpy())[:, None]
    draws = rng.poisson(np.exp(eta))
    future["admissions"] = np.round(mean, 1)
    future["pi90_low"] = np.percentile(draws, 5, axis=1)
    future["pi90_high"] = np.percentile(draws, 95, axis=1)
    return future[["year", "age_band", "population", "admissions", "pi90_low", "pi90_high"]].reset_index(drop=True)


def project_placements(scenario: Scenario, book: Book, projected: pd.DataFrame) -> pd.DataFrame:
    """Council placements by year and client group from the current book, exits and admissions."""
    exit_rate = scenario.uplift.turnover.annual_exit_rate_pct / 100
    share = scenario.demand.council_share_of_admissions_pct / 100
    council = book.placements[book.placements.funding == "council"]
    now = {"older": int((council.client_group == "older").sum()), "working_age": int((council.client_group == "working_age").sum())}
    projected = projected.assign(client_group=np.where(projected.age_band == "18-64", "working_age", "older"))
    by = projected.groupby(["year", "client_group"])[["admissions", "pi90_low", "pi90_high"]].sum()
    full = pd.MultiIndex.from_product([sorted(projected.year.unique()), ["older", "working_age"]], names=["year", "client_group"])
    by = by.reindex(full, fill_value=0.0)  # a group with no admissions rows projects none
    rows = []
    for group in ("older", "working_age"):
        n = lo = hi = float(now[group])
        for year in sorted(projected.year.unique()):
            a = by.loc[(year, group)]
            if year > scenario.financial_year:
                n = n * (1 - exit_rate) + a.admissions * share
                lo = lo * (1 - exit_rate) + a.pi90_low * share
                hi = hi * (1 - exit_rate) + a.pi90_high * share
            rows.append({"financial_year": int(year), "client_group": group, "admissions": round(float(a.admissions), 1),
                         "admissions_pi90_low": float(a.pi90_low), "admissions_pi90_high": float(a.pi90_high),
                         "placements": round(n, 1), "placements_pi90_low": round(lo, 1), "placements_pi90_high": round(hi, 1)})
    return pd.DataFrame(rows)


def demand_table(scenario: Scenario, book: Book) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(placements projection by year and client group, fitted coefficients)."""
    res, centre = fit_admissions(book.admissions, book.population)
    years = list(range(scenario.financial_year, scenario.financial_year + scenario.demand.projection_years))
    missing = sorted(set(years) - set(book.population.year))
    if missing:
        from ..errors import InputError
        raise InputError(scenario.data_path("population"), f"year {missing[0]}", "no population figures for a projection year")
    projected = project_admissions(res, centre, book.population, years)
    return project_placements(scenario, book, projected), coefficients(res)


def budget(placements: pd.DataFrame, weekly_cost_by_year: dict[int, float], baseline_weekly_cost: float) -> pd.DataFrame:
    """Council cost by year and its growth from demand and from fees (£ a year).

    ``weekly_cost_by_year``: average council net cost per placement per week under the scenario;
    ``baseline_weekly_cost``: the same at today's fees.
    """
    total = placements.groupby("financial_year")[["placements", "placements_pi90_low", "placements_pi90_high"]].sum()
    n0 = float(total.placements.iloc[0])
    rows = []
    for year, r in total.iterrows():
        c = weekly_cost_by_year[int(year)]
        cost = r.placements * c * WEEKS_PER_YEAR
        base = n0 * baseline_weekly_cost * WEEKS_PER_YEAR
        rows.append({"financial_year": f"{year}/{(year + 1) % 100:02d}", "placements": round(r.placements, 1),
                     "average_council_cost_gbp_pw": round(c, 2),
                     "council_cost_gbp": round(cost, 2),
                     "council_cost_low_gbp": round(r.placements_pi90_low * c * WEEKS_PER_YEAR, 2),
                     "council_cost_high_gbp": round(r.placements_pi90_high * c * WEEKS_PER_YEAR, 2),
                     "growth_from_demand_gbp": round((r.placements - n0) * baseline_weekly_cost * WEEKS_PER_YEAR, 2),
                     "growth_from_fees_gbp": round(r.placements * (c - baseline_weekly_cost) * WEEKS_PER_YEAR, 2),
                     "change_from_today_gbp": round(cost - base, 2)})
    return pd.DataFrame(rows)

"""Demand: permanent admissions by age band, projected from population (the budget by year is
:mod:`feemodel.model.budget`).

Admissions model: a statsmodels Poisson GLM, admissions ~ age band + year (centred), with
log(population) as offset, so exp(coefficient on year) - 1 is the yearly trend in the admission rate.
Over-dispersion is allowed for by scaling with Pearson chi-squared / df (quasi-Poisson) when that
exceeds 1. The model is fitted only on the age bands that have admissions: a band with no rows, or
only zeros, in the admissions file projects no admissions (``check_demand`` says so). A model that
cannot be fitted at all (no admissions in any band, one year of data only, a failed fit) is an
:class:`~feemodel.errors.InputError` naming the admissions file.

Simulation (seeded, :data:`SEED`, :data:`SIMS` draws): each draw takes the GLM coefficients from
their estimated sampling distribution (normal, with the fitted covariance) and then admissions from
the Poisson distribution about that draw's mean (gamma-Poisson with variance dispersion x mean when
the fit is over-dispersed). Each draw is carried through the placements recursion below, so every
90% interval (5th to 95th percentile of the draws) comes from the model: admissions and placements
for a client group, and for the rows with client group ``all`` those of the total of the groups, not
the sum of the groups' bounds. The central figures are the recursion on the model's central
admissions; the total's central figure is the sum of the groups' (the recursion is linear).

Placements (the stock of council placements on 1 April of each financial year; the first year's is
the placement book, as at 31 March). With a constant exit hazard h a year, the annual exit rate is
e = 1 - exp(-h), and

    placements(y + 1) = placements(y) x (1 - e) + admissions(y) x council share x r(e)

where r(e) is the share of a year's admissions still placed at the year end. An admission arriving
at time u (in years, uniform on [0, 1]) is still placed at the year end with probability
exp(-h (1 - u)); averaging over u gives (1 - exp(-h)) / h, that is

    r(e) = e / (-ln(1 - e))   for 0 < e < 1;   r(0) = 1 (no exits);   r(1) = 0.

For example e = 40%: r = 0.4 / 0.5108 = 0.783, so 100 admissions leave 78.3 placed at the year end,
not 100. Admissions map to client groups by age band: 18-64 -> working age; 65+ -> older.

Exit rates by client group (:func:`exit_rates`): the scenario's ``demand.exit_rate_pct`` where it
states one; otherwise estimated from the start dates of the group's council-funded placements in the
book. The book is a sample of the stock: with a constant hazard h and steady admissions, the time
already spent in placement by the people in the stock is exponential with the same hazard, so
h = 1 / (mean years in placement so far) and e = 1 - exp(-h). (Growing admissions make the stock
younger and the estimate higher; a book that cuts off old start dates makes it higher too.) A group
with fewer than :data:`MIN_START_DATES` placements with usable start dates takes the scenario's
turnover assumption, ``uplift.turnover.annual_exit_rate_pct``. The rate used, rounded to 0.1%, is the
one published and the one the projection uses.

Warnings from statsmodels and numpy are caught here, never shown: the ones about the data (a fit
that did not converge, a numerical problem) become notes, which :func:`check_demand` returns.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from patsy import PatsyError

from ..errors import InputError
from ..inputs.data import Book
from ..inputs.scenario import Scenario

SEED = 7
SIMS = 4000
AGE_BANDS = ("18-64", "65-74", "75-84", "85+")
GROUPS = ("older", "working_age")
BAND_GROUP = {"18-64": "working_age", "65-74": "older", "75-84": "older", "85+": "older"}
GROUP_WORDS = {"older": "older people", "working_age": "working-age adults"}
MIN_START_DATES = 20   # fewer usable start dates than this in a group: use the turnover assumption
DAYS_PER_YEAR = 365.25
MAX_DRAW = 1e12        # a simulated admissions mean above this is clipped (and noted)

PLACEMENT_COLUMNS = ["financial_year", "client_group", "admissions", "admissions_pi90_low", "admissions_pi90_high",
                     "placements", "placements_pi90_low", "placements_pi90_high"]


# ---- the placements rule

def retention(exit_rate: float) -> float:
    """Share of a year's admissions (arriving uniformly) still placed at the year end: e / -ln(1 - e)."""
    e = float(exit_rate)
    if e <= 0:
        return 1.0
    if e >= 1:
        return 0.0
    return e / -math.log1p(-e)


# ---- notes from warnings

@dataclass
class _Notes:
    """Notes for ``check_demand``, in order, without repeats."""

    items: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        if text not in self.items:
            self.items.append(text)

    def from_warnings(self, caught, where: str, what: str) -> None:
        """Turn caught warnings into notes; library deprecation notices are not about the data and are dropped."""
        for w in caught:
            if issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning, FutureWarning)):
                continue
            name = w.category.__name__
            msg = " ".join(str(w.message).split())
            if name == "ConvergenceWarning":
                self.add(f"{where}: the demand model did not converge when {what}; treat its projection with caution")
            elif "separation" in name.lower() or "separation" in msg.lower():
                self.add(f"{where}: an age band's admissions are fitted exactly by the demand model when {what}; "
                         "its interval may be too narrow")
            else:
                self.add(f"{where}: numerical warning when {what} ({msg[:120]})")


class _Quiet(warnings.catch_warnings):
    """Record every warning (none reaches the terminal) and silence numpy's floating-point messages."""

    def __init__(self):
        super().__init__(record=True)

    def __enter__(self):
        caught = super().__enter__()
        warnings.simplefilter("always")
        self._err = np.errstate(all="ignore")
        self._err.__enter__()
        return caught

    def __exit__(self, *exc):
        self._err.__exit__(*exc)
        return super().__exit__(*exc)


# ---- admissions model

def _fit(admissions: pd.DataFrame, population: pd.DataFrame, source=None, name: str = "admissions"):
    """(result, centring year, notes). Fits only the age bands with admissions; InputError if it cannot fit."""
    notes = _Notes()
    a = admissions[["year", "age_band", "admissions"]]
    totals = a.groupby("age_band").admissions.sum()
    empty = [b for b in AGE_BANDS if float(totals.get(b, 0)) <= 0]
    for b in empty:
        notes.add(f"{name}: age band {b} has no admissions; its projection is zero")
    a = a[~a.age_band.isin(empty)]
    d = a.merge(population[["year", "age_band", "population"]], on=["year", "age_band"], how="inner")
    if len(d) < len(a):
        lost = a.merge(d[["year", "age_band"]], how="left", indicator=True).query("_merge == 'left_only'")
        first = lost.iloc[0]
        notes.add(f"{name}: {len(lost)} row(s) have no population figure for their year and age band "
                  f"(first: {int(first.year)}, {first.age_band}) and are left out of the demand model")
        for b in sorted(set(a.age_band) - set(d.age_band)):
            notes.add(f"{name}: age band {b} has no population figures for its admission years; its projection is zero")
    if d.empty or float(d.admissions.sum()) <= 0:
        raise InputError(source, None, "no admissions in any age band (with population figures); the demand model "
                         "needs admissions for at least one age band in two or more years")
    years = sorted(d.year.unique())
    if len(years) < 2:
        raise InputError(source, f"year {int(years[0])}", "admissions for one year only; the demand model's "
                         "trend needs two or more years of admissions")
    centre = int(d.year.median())
    d = d.assign(t=d.year - centre, log_pop=np.log(d.population))
    import statsmodels.api as sm  # here, not at the top: it takes seconds to import, and most callers never fit
    import statsmodels.formula.api as smf
    with _Quiet() as caught:
        try:
            model = smf.glm("admissions ~ C(age_band) + t", data=d, family=sm.families.Poisson(), offset=d.log_pop)
            res = model.fit()
            if res.df_resid > 0:
                dispersion = res.pearson_chi2 / res.df_resid
                if dispersion > 1:
                    res = model.fit(scale="X2")
            else:
                notes.add(f"{name}: as many model terms as rows of admissions; over-dispersion cannot be estimated "
                          "and the intervals assume Poisson variation")
            ok = bool(np.isfinite(res.params).all() and np.isfinite(res.cov_params().to_numpy()).all())
        except (ValueError, ArithmeticError, np.linalg.LinAlgError, PatsyError) as exc:
            raise InputError(source, None, f"the demand model cannot be fitted to these admissions ({exc})") from None
    notes.from_warnings(caught, name, "fitting it")
    if not ok:
        raise InputError(source, None, "the demand model cannot be fitted to these admissions (its estimates are not "
                         "finite); check for an age band with very few admissions")
    return res, centre, notes


def fit_admissions(admissions: pd.DataFrame, population: pd.DataFrame, source=None):
    """Fit the GLM on the age bands with admissions; returns (result, centring year).

    Raises :class:`InputError` naming ``source`` (the admissions file) when it cannot be fitted.
    """
    res, centre, _ = _fit(admissions, population, source)
    return res, centre


def _fitted_bands(res) -> set[str]:
    return set(res.model.data.frame.age_band)


def _design(names: list[str], rows: pd.DataFrame) -> np.ndarray:
    """The GLM's design matrix for ``rows`` (age_band, t): intercept, age-band indicators, trend."""
    X = np.zeros((len(rows), len(names)))
    for j, term in enumerate(names):
        if term == "Intercept":
            X[:, j] = 1.0
        elif term == "t":
            X[:, j] = rows.t.to_numpy(dtype=float)
        elif term.startswith("C(age_band)[T.") and term.endswith("]"):
            X[:, j] = (rows.age_band == term[len("C(age_band)[T."):-1]).to_numpy(dtype=float)
        else:  # pragma: no cover - the formula is fixed above
            raise ValueError(f"unexpected model term {term!r}")
    return X


def _simulate(res, centre: int, population: pd.DataFrame, years: list[int], seed: int = SEED, sims: int = SIMS,
              notes: _Notes | None = None, name: str = "admissions"):
    """(future rows: year, age_band, population, mean; draws, one row per future row, one column per draw)."""
    notes = notes if notes is not None else _Notes()
    future = population[population.year.isin(years)][["year", "age_band", "population"]].reset_index(drop=True)
    future["t"] = future.year - centre
    fitted = future.age_band.isin(_fitted_bands(res)).to_numpy()
    mean = np.zeros(len(future))
    draws = np.zeros((len(future), sims))
    rng = np.random.default_rng(seed)
    with _Quiet() as caught:
        if fitted.any():
            f = future[fitted]
            names = list(res.model.exog_names)
            X = _design(names, f)
            offset = np.log(f.population.to_numpy(dtype=float))
            params = res.params[names].to_numpy()
            mean[fitted] = np.exp(X @ params + offset)
            beta = rng.multivariate_normal(params, res.cov_params().loc[names, names].to_numpy(), sims)
            lam = np.exp(X @ beta.T + offset[:, None])
            if not np.isfinite(lam).all() or (lam > MAX_DRAW).any():
                notes.add(f"{name}: the demand model's simulated admissions are extremely large in some draws; "
                          "the interval is not reliable")
                lam = np.nan_to_num(np.minimum(lam, MAX_DRAW), nan=MAX_DRAW)
            phi = float(res.scale)
            if phi > 1:  # quasi-Poisson: gamma-Poisson with variance phi x mean
                lam = rng.gamma(lam / (phi - 1), phi - 1)
            draws[fitted] = rng.poisson(lam)
    notes.from_warnings(caught, name, "projecting admissions")
    return future.drop(columns="t").assign(mean=mean), draws


def project_admissions(res, centre: int, population: pd.DataFrame, years: list[int], seed: int = SEED,
                       sims: int = SIMS) -> pd.DataFrame:
    """Projected admissions by year and age band with a 90% prediction interval (zero for a band not fitted)."""
    future, draws = _simulate(res, centre, population, years, seed, sims)
    return pd.DataFrame({"year": future.year, "age_band": future.age_band, "population": future.population,
                         "admissions": np.round(future["mean"], 1),
                         "pi90_low": np.percentile(draws, 5, axis=1), "pi90_high": np.percentile(draws, 95, axis=1)})


def coefficients(res) -> pd.DataFrame:
    ci = res.conf_int()
    return pd.DataFrame({"term": res.params.index, "coefficient": res.params.round(6).to_numpy(),
                         "ci_low": ci[0].round(6).to_numpy(), "ci_high": ci[1].round(6).to_numpy(),
                         "rate_ratio": np.exp(res.params).round(6).to_numpy()})


# ---- exit rates

def _council(book: Book) -> pd.DataFrame:
    p = book.placements
    if p is None:
        return pd.DataFrame({"client_group": pd.Series(dtype=str), "start_date": pd.Series(dtype="datetime64[ns]")})
    return p[p.funding == "council"]


def _exit_rates(scenario: Scenario, book: Book) -> tuple[pd.DataFrame, _Notes]:
    notes = _Notes()
    name = scenario.data_name("placements")
    as_at = pd.Timestamp(scenario.year_start)   # the book is as at 31 March: time in placement to 1 April
    council = _council(book)
    starts = pd.to_datetime(council.start_date)
    late = starts >= as_at
    if late.any():
        notes.add(f"{name}: {int(late.sum())} council-funded placement(s) start on or after {as_at.date()}; "
                  "they are left out of the exit-rate estimate")
    turnover = float(scenario.uplift.turnover.annual_exit_rate_pct)
    rows = []
    for g in GROUPS:
        stated = scenario.demand.exit_rate_pct.get(g)
        usable = starts[(council.client_group == g).to_numpy() & ~late.to_numpy()].dropna()  # a summary book has no start dates
        years = (as_at - usable).dt.days / DAYS_PER_YEAR
        mean_years = float(years.mean()) if len(years) else math.nan
        if stated is not None:
            rows.append((g, float(stated), "stated", 0, math.nan))
        elif len(usable) >= MIN_START_DATES and mean_years > 0:
            rate = 100 * (1 - math.exp(-1 / mean_years))
            rows.append((g, round(rate, 1), "start_dates", len(usable), round(mean_years, 2)))
        else:
            notes.add(f"{name}: {len(usable)} council-funded placement(s) of {GROUP_WORDS[g]} with start dates (fewer than "
                      f"{MIN_START_DATES}); their exit rate is the turnover assumption, {turnover:g}% a year")
            rows.append((g, turnover, "turnover", 0, math.nan))
    table = pd.DataFrame(rows, columns=["client_group", "exit_rate_pct", "source", "placements_used",
                                        "mean_years_in_placement"])
    return table, notes


def exit_rates(scenario: Scenario, book: Book) -> pd.DataFrame:
    """The annual exit rate used for each client group and where it comes from.

    Columns: client_group; exit_rate_pct (5 means 5% a year); source (``stated`` in the scenario,
    ``start_dates`` estimated from the book, ``turnover`` the scenario's turnover assumption);
    placements_used (start dates used, 0 unless estimated); mean_years_in_placement (time in
    placement so far, years, averaged over those placements; blank unless estimated).
    """
    return _exit_rates(scenario, book)[0]


# ---- placements

def project_placements(scenario: Scenario, book: Book, projected: pd.DataFrame, draws: np.ndarray,
                       rates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Council placements by year and client group, and for all groups together, with 90% intervals.

    ``projected``: rows of year, age_band and admissions (the central projection); ``draws``: simulated
    admissions, one row per row of ``projected`` and one column per draw. ``rates``: as from
    :func:`exit_rates` (computed when not given). The first year is the scenario's financial year, whose
    placements are the book's council-funded placements.
    """
    rates = exit_rates(scenario, book) if rates is None else rates
    e = rates.set_index("client_group").exit_rate_pct.astype(float) / 100
    share = scenario.demand.council_share_of_admissions_pct / 100
    council = _council(book)
    draws = np.asarray(draws, dtype=float).reshape(len(projected), -1)
    group = projected.age_band.map(BAND_GROUP).to_numpy()
    years = sorted(int(y) for y in projected.year.unique())
    if not years or years[0] != scenario.financial_year:
        raise ValueError(f"the projection must start in the scenario's financial year {scenario.financial_year}")
    sims = draws.shape[1]
    year_of = projected.year.to_numpy()
    central = {g: {} for g in GROUPS}   # group -> year -> (admissions, placements)
    sim = {g: {} for g in GROUPS}       # group -> year -> (admission draws, placement draws)
    for g in GROUPS:
        keep = 1 - float(e[g])
        r = retention(float(e[g]))
        n = float((council.client_group == g).sum())
        n_draws = np.full(sims, n)
        for k, y in enumerate(years):
            rows = (group == g) & (year_of == y)
            a = float(projected.admissions.to_numpy(dtype=float)[rows].sum())
            a_draws = draws[rows].sum(axis=0)
            if k > 0:  # last year's stock, less exits, plus last year's admissions still placed
                a_prev, a_prev_draws = central[g][years[k - 1]][0], sim[g][years[k - 1]][0]
                n = n * keep + a_prev * share * r
                n_draws = n_draws * keep + a_prev_draws * share * r
            central[g][y] = (a, n)
            sim[g][y] = (a_draws, n_draws)

    def row(y, name, a, n, a_draws, n_draws):
        lo_a, hi_a = np.percentile(a_draws, [5, 95])
        lo_n, hi_n = np.percentile(n_draws, [5, 95])
        return {"financial_year": int(y), "client_group": name, "admissions": round(a, 1),
                "admissions_pi90_low": round(float(lo_a), 1), "admissions_pi90_high": round(float(hi_a), 1),
                "placements": round(n, 1), "placements_pi90_low": round(float(lo_n), 1),
                "placements_pi90_high": round(float(hi_n), 1)}

    out = [row(y, g, *central[g][y], *sim[g][y]) for g in GROUPS for y in years]
    for y in years:
        out.append(row(y, "all", sum(central[g][y][0] for g in GROUPS), sum(central[g][y][1] for g in GROUPS),
                       sum(sim[g][y][0] for g in GROUPS), sum(sim[g][y][1] for g in GROUPS)))
    return pd.DataFrame(out, columns=PLACEMENT_COLUMNS)


# ---- the whole projection, and its notes

def _projection_years(scenario: Scenario) -> list[int]:
    return list(range(scenario.financial_year, scenario.financial_year + scenario.demand.projection_years))


def _demand(scenario: Scenario, book: Book):
    """(placements, coefficients, exit rates, notes); InputError where the inputs cannot support a projection."""
    name = scenario.data_name("admissions")
    res, centre, notes = _fit(book.admissions, book.population, scenario.data_path("admissions"), name)
    years = _projection_years(scenario)
    pop = book.population
    missing = sorted(set(years) - set(pop.year))
    if missing:
        raise InputError(scenario.data_path("population"), f"year {missing[0]}", "no population figures for a projection year")
    for b in sorted(_fitted_bands(res)):
        lacking = sorted(set(years) - set(pop.year[pop.age_band == b]))
        if lacking:
            raise InputError(scenario.data_path("population"), f"year {lacking[0]}, age band {b}",
                             "no population figure for a projection year of an age band with admissions")
    future, draws = _simulate(res, centre, pop, years, notes=notes, name=name)
    rates, rate_notes = _exit_rates(scenario, book)
    for n in rate_notes.items:
        notes.add(n)
    if len(_council(book)) == 0:
        notes.add(f"{scenario.data_name('placements')}: no council-funded placements; the projection starts from none")
    placements = project_placements(scenario, book, future.rename(columns={"mean": "admissions"}), draws, rates)
    return placements, coefficients(res), rates, notes.items


def demand_table(scenario: Scenario, book: Book) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(placements projection by year and client group, with ``all`` rows for the total; fitted coefficients)."""
    placements, coefs, _, _ = _demand(scenario, book)
    return placements, coefs


def check_demand(scenario: Scenario, book: Book) -> list[str]:
    """Notes and warnings about the demand projection, one line each, for ``feemodel check``.

    Raises :class:`InputError` (naming the file) exactly where ``feemodel run`` would fail on demand.
    Returns [] when the admissions or population file is absent (the demand tables are skipped then).
    """
    if book.admissions is None or book.population is None:
        return []
    return _demand(scenario, book)[3]

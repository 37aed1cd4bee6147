"""Yearly fee uplift index: a weighted blend of pay and price inflation plus step changes.

index(y) = staff share x staff growth(y) + (1 - staff share) x CPI(y) + step change(y), in % a year.

* Staff growth for a year is ``indexation.staff_growth_pct`` where the scenario states it (it takes
  precedence), else the year-on-year change in the National Living Wage (national parameters, then
  the scenario's ``future_nlw`` for years not yet set) or the scenario's ``earnings_growth_pct``.
* The staff share is ``staff_share_pct`` (``weights: stated``), or, with ``weights: build_up``, each
  band built from a cost category uses its own: (care staff + nursing staff + other staff) / its cost
  of care total, from its build-up at the scenario's rates date (stated bands keep ``staff_share_pct``).
* A component with zero weight needs no series (staff share 0: no NLW or earnings; 100: no CPI);
  a series a weighted component needs is an error when missing (:class:`InputError` naming the
  scenario key and the year, e.g. ``indexation.cpi_pct.2027``), never an assumed zero.
* A band's add-ons follow ``indexation.components``: ``blended`` (the band's index, the default),
  ``staff`` (staff growth alone) or ``cpi`` (CPI alone); step changes belong to the blended index.

Rates in later years are the first year's rate x the product of (1 + index / 100) over the later
years. With ``weights: stated`` and every component blended the index is one figure a year
(:func:`uplift_index`); otherwise each band (and add-on) has its own (:func:`band_index_pct`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..errors import InputError
from ..inputs.params import NationalParameters
from ..inputs.scenario import Band, Scenario

ADDONS = ("quality_premium", "supplementary_needs")
STAFF_LINES = ("care_staff", "nursing_staff", "other_staff")


def nlw_for_year(year: int, scenario: Scenario, params: NationalParameters) -> float:
    """NLW for a financial year: the scenario's assumption, else the parameter set for that April.

    A year with no NLW of its own is an error: the last known rate is not carried forward.
    """
    if year in scenario.indexation.future_nlw:
        return scenario.indexation.future_nlw[year]
    return params.get("wages.national_living_wage", dt.date(year, 4, 1))


def _src(scenario: Scenario) -> str:
    return str(scenario.path) if scenario.path else "scenario"


def staff_growth_pct(scenario: Scenario, params: NationalParameters, year: int) -> float:
    """The staff component for a financial year, % a year: ``staff_growth_pct`` where stated, else
    the NLW's change from the year before (``staff_index: nlw``) or ``earnings_growth_pct``.
    Raises :class:`InputError` naming the missing key and year."""
    ix = scenario.indexation
    if year in ix.staff_growth_pct:
        return float(ix.staff_growth_pct[year])
    if ix.staff_index == "nlw":
        try:
            return (nlw_for_year(year, scenario, params) / nlw_for_year(year - 1, scenario, params) - 1) * 100
        except InputError:
            raise InputError(_src(scenario), f"indexation.future_nlw.{year}",
                             "no National Living Wage set for this year; add it under indexation.future_nlw "
                             "(or state the staff component under indexation.staff_growth_pct)") from None
    if year not in ix.earnings_growth_pct:
        raise InputError(_src(scenario), f"indexation.earnings_growth_pct.{year}",
                         "missing; the index needs earnings growth for every year its staff component has weight")
    return float(ix.earnings_growth_pct[year])


def cpi_pct(scenario: Scenario, params: NationalParameters, year: int) -> float:
    """CPI for a financial year, % a year (``indexation.cpi_pct``); :class:`InputError` when missing."""
    ix = scenario.indexation
    if year not in ix.cpi_pct:
        raise InputError(_src(scenario), f"indexation.cpi_pct.{year}",
                         "missing; the index needs CPI for every year its non-staff component has weight")
    return float(ix.cpi_pct[year])


def _series(fn, scenario, params, year, needed: bool) -> float:
    """A component's % for the year; NaN where it has no weight and is not given."""
    if needed:
        return fn(scenario, params, year)
    try:
        return fn(scenario, params, year)
    except InputError:
        return np.nan


def year_index(scenario: Scenario, params: NationalParameters, year: int, staff_share: float | None = None) -> dict:
    """The index for one financial year (% a year): staff share x staff growth + other share x CPI
    + step change. ``staff_share`` is a fraction (default ``staff_share_pct`` / 100). A component
    with zero weight contributes nothing and needs no series (shown as NaN when not given); a
    missing series with weight is an :class:`InputError` naming the scenario key and year."""
    ix = scenario.indexation
    share = ix.staff_share_pct / 100 if staff_share is None else float(staff_share)
    staff = _series(staff_growth_pct, scenario, params, year, share > 0)
    cpi = _series(cpi_pct, scenario, params, year, share < 1)
    step = ix.step_changes_pct.get(year, 0.0)
    index = (share * staff if share > 0 else 0.0) + ((1 - share) * cpi if share < 1 else 0.0) + step
    return {"staff_growth_pct": staff, "cpi_pct": cpi, "step_change_pct": step, "index_pct": index}


def scalar_index(scenario: Scenario) -> bool:
    """True where one index a year serves every band and add-on (``weights: stated``, every
    component blended): today's behaviour, costed with :func:`uplift_index`'s factors."""
    ix = scenario.indexation
    return ix.weights == "stated" and all(v == "blended" for v in ix.components.values())


def band_index_pct(scenario: Scenario, params: NationalParameters, year: int, band: Band, staff_share: float) -> dict[str, float]:
    """The % a year each part of a band's rate moves by in ``year``: ``core`` (the band's cost of
    care or stated rate: its blended index, with its own staff share under ``weights: build_up``),
    ``quality_premium`` and ``supplementary_needs`` (the core's % when ``blended``, else staff
    growth or CPI alone, as ``indexation.components`` names). ``staff_share``: the band's staff
    share, a fraction (see :func:`feemodel.model.uplift.band_staff_share`). Errors as :func:`year_index`."""
    core = year_index(scenario, params, year, staff_share)["index_pct"]
    out = {"core": core}
    for addon in ADDONS:
        rule = scenario.indexation.components.get(addon, "blended")
        out[addon] = core if rule == "blended" else (
            staff_growth_pct(scenario, params, year) if rule == "staff" else cpi_pct(scenario, params, year))
    return out


def uplift_index(scenario: Scenario, params: NationalParameters, years: int | None = None) -> pd.DataFrame:
    """Index for each year after the scenario's first: one row a year, % a year and cumulative factor.

    The first row is the scenario's own year (cumulative factor 1: later years' rates are the
    first year's x the product of (1 + index)); its index is shown where its inputs are given.
    The figures use ``staff_share_pct`` (the stated weights); under ``weights: build_up`` or
    component rules each band's own index is in :func:`feemodel.model.uplift.rate_card_by_year`.
    """
    years = years if years is not None else scenario.demand.projection_years
    first = scenario.financial_year
    try:
        own = year_index(scenario, params, first)
    except InputError:
        own = {"staff_growth_pct": np.nan, "cpi_pct": np.nan, "step_change_pct": np.nan, "index_pct": np.nan}
    rows = [{"financial_year": first, **{k: round(v, 4) for k, v in own.items()}, "cumulative_factor": 1.0}]
    factor = 1.0
    for year in range(first + 1, first + years):
        ix = year_index(scenario, params, year)
        factor *= 1 + ix["index_pct"] / 100
        rows.append({"financial_year": year, "staff_growth_pct": round(ix["staff_growth_pct"], 4), "cpi_pct": ix["cpi_pct"],
                     "step_change_pct": ix["step_change_pct"], "index_pct": round(ix["index_pct"], 4),
                     "cumulative_factor": round(factor, 8)})
    return pd.DataFrame(rows)

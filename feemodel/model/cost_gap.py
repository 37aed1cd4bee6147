"""Does the rate cover the cost? The gap between the fees paid now, the proposed rates and the cost
of care, band by band.

:func:`cost_gap` gives one row per proposed band (per current band where the uplift is a %, since
the bands then stay as they are):

* ``placements``: the council placements that move to the band (every council placement of the
  placement book, in county or out; where a band splits across proposed bands, its share of them,
  an expected count to 1 decimal, as in the band mapping table);
* ``average_fee_now_gbp_pw``: their average weekly fee paid now (the book's ``weekly_fee``,
  excluding FNC and top-ups), rounded to the penny once;
* ``survey_median_gbp_pw``: the provider cost survey's median total for the band's cost category
  (the scenario's ``survey_statistic``, at the scenario's prices: uprated from the
  ``survey_price_base`` where one is stated). A band with a stated rate is compared with the survey
  category its setting's homes are costed with (:func:`feemodel.model.market.cost_categories`:
  ``market.cost_category``, else the scenario's only category of that setting, else the one named
  ``standard_<setting>``); where the category was not named by the council (its own category or
  ``market.cost_category``), ``benchmark`` says which category and why, ``category_named`` is False,
  and the summary's sentence leaves the band out;
* ``built_rate_gbp_pw``: the cost of care the council built (its build-up's total, uprated from the
  ``cost_of_care.price_base``), blank for a stated rate;
* ``proposed_rate_gbp_pw``: the proposed weekly rate (the full target, excluding FNC);
* ``category_named``: True where the cost of care is the council's own evidence for the band (its
  built rate, or the survey category the band or ``market.cost_category`` names); False where a
  stated band is compared with a survey category picked for its setting;
* ``cost_of_care_gbp_pw`` and ``benchmark``: the figure the gap is measured against: the survey
  median where the survey has the band's category (the providers' own evidence), else the built
  rate; blank where there is neither;
* ``gap_now_gbp_pw`` = cost of care - average fee now, ``gap_now_pct`` = that / cost of care x 100
  (how far below the cost of care the fee is, as a share of the cost);
  ``gap_proposed_gbp_pw`` = cost of care - proposed rate, ``gap_proposed_pct`` = that / cost of care
  x 100 (a negative gap: the fee is above the cost of care);
* ``close_at_once_gbp_pa`` = the gap now (where positive; 0 where the fee already covers the cost)
  x placements x 365/7: the cost a year of paying every placement the cost of care at once, rounded
  to the penny once; ``close_phased_first_year_gbp_pa`` = that / ``uplift.phasing_years``, the
  first year's cost when the gap closes in equal steps over the scenario's phasing years.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..money import pounds, round_half_up, to_pounds
from .case import Case
from .funding import WEEKS_PER_YEAR
from .market import cost_categories
from .rates import band_rate_pence
from .uplift import band_rates_costed

COLUMNS = ["band", "setting", "client_group", "placements", "average_fee_now_gbp_pw", "survey_category", "survey_median_gbp_pw",
           "built_rate_gbp_pw", "proposed_rate_gbp_pw", "benchmark", "category_named", "cost_of_care_gbp_pw", "gap_now_gbp_pw", "gap_now_pct",
           "gap_proposed_gbp_pw", "gap_proposed_pct", "close_at_once_gbp_pa", "close_phased_first_year_gbp_pa"]


def placement_weights(case: Case) -> dict[str, np.ndarray]:
    """{band the gap is reported for: weight of each council placement (book order, 0 to 1)}: the
    current band itself under a % uplift; else the placement's own ``proposed_band`` where given,
    else the band ``band_mapping`` names (a split band: each share / 100)."""
    s = case.scenario
    council = case.council_placements
    if s.uplift.pct_method:
        return {b.name: council.band.eq(b.name).to_numpy(dtype=float) for b in s.bands("current")}
    own = council.proposed_band if "proposed_band" in council else pd.Series("", index=council.index)
    out = {b.name: np.zeros(len(council)) for b in s.bands("proposed")}
    for old, new in s.band_mapping.items():
        in_band = council.band.eq(old).to_numpy()
        mapped = in_band & own.eq("").to_numpy()
        for to_band, share in ({new: 100.0} if isinstance(new, str) else dict(new)).items():
            out[to_band] += mapped * share / 100
    for b in out:
        out[b] += own.eq(b).to_numpy(dtype=float)
    return out


def _survey_median(summary: pd.DataFrame | None, category: str | None, statistic: str) -> float:
    if summary is None or category is None:
        return np.nan
    s = summary[(summary.category == category) & (summary.cost_line == "total") & (summary.convention == statistic)]
    return float(s["median"].iloc[0]) if len(s) and pd.notna(s["median"].iloc[0]) else np.nan


def cost_gap(case: Case, summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """The cost gap per band (columns :data:`COLUMNS`; see the module's docstring for each rule).
    ``summary``: the survey quartiles (:func:`feemodel.model.survey.summarise`), or None without a survey."""
    s = case.scenario
    uplifting = s.uplift.pct_method
    bands = s.bands("current" if uplifting else "proposed")
    rates = band_rates_costed(case) if uplifting else case.proposed_rates
    weights = placement_weights(case)
    fees = case.council_placements.weekly_fee.to_numpy(dtype=float)
    split = not uplifting and any(w.size and np.any((w > 0) & (w < 1)) for w in weights.values())
    by_setting = cost_categories(s)
    rows = []
    for band in bands:
        w = weights[band.name]
        n = float(w.sum())
        avg = pounds(float((w * fees).sum()) / n) if n else np.nan
        category, how = (band.category, "") if band.category else by_setting.get(band.setting, (None, ""))
        median = _survey_median(summary, category, s.survey_statistic)
        built = np.nan
        if band.category and not uplifting:
            built = to_pounds(band_rate_pence(band, s, case.params, s.rates_date)["cost_of_care_total"])
        proposed = to_pounds(rates[band.name])
        named = True
        if not np.isnan(median):
            named = bool(band.category) or how == "market.cost_category"  # the council said which category's costs apply
            benchmark, cost = ("survey median" if named else f"survey median of {category} ({how})"), median
        elif not np.isnan(built):
            benchmark, cost = "built rate", built
        else:
            benchmark, cost = "", np.nan
        gap_now = pounds(cost - avg) if not (np.isnan(cost) or np.isnan(avg)) else np.nan
        gap_prop = pounds(cost - proposed) if not np.isnan(cost) else np.nan
        at_once = pounds(max(gap_now, 0.0) * n * WEEKS_PER_YEAR) if not np.isnan(gap_now) else np.nan
        rows.append({
            "band": band.name, "setting": band.setting, "client_group": band.client_group,
            "placements": round(n, 1) if split else int(round(n)),
            "average_fee_now_gbp_pw": avg, "survey_category": category if not np.isnan(median) else "",
            "survey_median_gbp_pw": median, "built_rate_gbp_pw": built, "proposed_rate_gbp_pw": proposed,
            "benchmark": benchmark, "category_named": named, "cost_of_care_gbp_pw": cost,
            "gap_now_gbp_pw": gap_now, "gap_now_pct": round_half_up(gap_now / cost * 100, 2) if not np.isnan(gap_now) and cost else np.nan,
            "gap_proposed_gbp_pw": gap_prop,
            "gap_proposed_pct": round_half_up(gap_prop / cost * 100, 2) if not np.isnan(gap_prop) and cost else np.nan,
            "close_at_once_gbp_pa": at_once,
            "close_phased_first_year_gbp_pa": pounds(at_once / s.uplift.phasing_years) if not np.isnan(at_once) else np.nan,
        })
    return pd.DataFrame(rows, columns=COLUMNS)


LINE_COLUMNS = ["band", "category", "cost_line", "council_gbp_pw", "homes", "survey_lower_quartile_gbp_pw", "survey_median_gbp_pw",
                "survey_upper_quartile_gbp_pw", "council_less_median_gbp_pw"]


def cost_line_gap(case: Case, card: pd.DataFrame, summary: pd.DataFrame | None) -> pd.DataFrame:
    """The council's build-up against the provider survey, line by line, so a provider can see where
    the two part: one row per built proposed band and cost line (the build-up's lines in order, then
    the total), with the council's figure (£ per resident per week, from the rate card ``card``), the
    survey's homes and quartiles for the band's category and line (``summary``: the survey summary at
    the scenario's prices; the total by the scenario's ``survey_statistic``), and the council's figure
    less the survey median (negative: the council allows less than the median home reports).

    Raises :class:`feemodel.errors.NotComputed` without a survey or without a built band."""
    from ..errors import NotComputed
    from .rates import COST_LINES

    if summary is None:
        raise NotComputed("no provider cost survey to set the build-up against")
    s = case.scenario
    rows = []
    for band in s.bands("proposed"):
        if not band.category or band.name not in set(card.band):
            continue
        c = card[card.band == band.name].iloc[0]
        for line in [*COST_LINES, "total"]:
            conv = s.survey_statistic if line == "total" else "per_line"
            q = summary[(summary.category == band.category) & (summary.cost_line == line) & (summary.convention == conv)]
            council = float(c["cost_of_care_total_gbp_pw" if line == "total" else f"{line}_gbp_pw"])
            median = float(q["median"].iloc[0]) if len(q) else np.nan
            rows.append({"band": band.name, "category": band.category, "cost_line": line, "council_gbp_pw": council,
                         "homes": int(q.homes.iloc[0]) if len(q) else 0,
                         "survey_lower_quartile_gbp_pw": float(q.lower_quartile.iloc[0]) if len(q) else np.nan,
                         "survey_median_gbp_pw": median,
                         "survey_upper_quartile_gbp_pw": float(q.upper_quartile.iloc[0]) if len(q) else np.nan,
                         "council_less_median_gbp_pw": pounds(council - median) if not np.isnan(median) else np.nan})
    if not rows:
        raise NotComputed("no proposed band is built from a cost-of-care category, so there is no build-up to set against the survey")
    return pd.DataFrame(rows, columns=LINE_COLUMNS)

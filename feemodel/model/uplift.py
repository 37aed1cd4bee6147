"""The cost of a fee change, year by year, against a baseline of today's fees held flat.

New council fee for a placement in scenario year k (0 = the scenario's financial year):

* ``uniform`` / ``per_band``: its own fee x (1 + %) x the uplift index for later years;
* ``target_rates``: the band rate moves from the current rate towards the proposed rate card (which
  is itself indexed for later years), a share (k + 1) / phasing_years of the way each year.
  A placement already paid above the new rate is *protected*: ``keep_fee`` keeps its fee, ``pct``
  gives it ``protection_pct``, ``none`` moves it to the band rate. An out-of-area placement is paid
  at the host council's price, so it gets its band's % change on its own fee instead.

Top-ups (Annex A): the agreed price P = fee + FNC + top-up. Homes add ``provider_pass_through_pct``
of the council's rise to P; the new top-up is max(0, P' - new fee - FNC), so when the council rate
passes the price the top-up vanishes and the council pays the rate. Self-funder prices rise by
``self_funder_pass_through_pct`` of the average council rise in their setting (nothing where the
council's fees there fall on average: pass-through applies to rises only, as for top-ups). Residents'
contributions are re-assessed with the same rules on both sides, so they change only where the cap
at the fee binds. FNC is national and does not move with council fees.

Money over time: placements leave at ``annual_exit_rate_pct`` (survival (1 - r)^t, t in years from
1 April of the first year); with ``replace_leavers`` each leaver is replaced by an admission at the
band rate, so the book stays the same size. Weekly changes (whole pence) are multiplied by the
expected placement-weeks on or after the effective date ("part year") or over the whole financial
year ("full year"), summed, and each reported annual figure is rounded to the penny once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..inputs.params import NationalParameters
from ..inputs.scenario import Band, Scenario
from ..money import pounds, round_half_up, round_rate, to_pence, to_pounds
from .case import Case
from .charging import ChargingRules, assess_pence
from .funding import BookArrays, split_pence
from .indexation import STAFF_LINES, band_index_pct, scalar_index, year_index
from .rates import band_rate_pence

GROUPS = ["band", "client_group", "area"]


@dataclass
class YearFees:
    """Per-placement weekly amounts (pence) before and after the change, for one scenario year."""

    year: int
    fee_old: np.ndarray
    fee_new: np.ndarray
    band_old: np.ndarray
    band_new: np.ndarray
    protected: np.ndarray
    base: dict
    new: dict
    self_price_change: np.ndarray


def phased_rate(current, target, share: float, rounding: str = "penny"):
    """Band rate a share of the way from the current to the target rate (pence in, pence out),
    rounded once by :func:`round_rate`."""
    return round_rate((current + (target - current) * share) / 100, rounding)


def band_staff_share(band: Band, scenario: Scenario, params: NationalParameters) -> float:
    """A band's staff share (fraction): ``staff_share_pct`` / 100, or with ``weights: build_up`` and a
    band built from a cost category, (care + nursing + other staff) / its cost of care total, from
    the build-up in pence at the scenario's rates date (0 where the total is 0)."""
    ix = scenario.indexation
    if ix.weights != "build_up" or band.category is None:
        return ix.staff_share_pct / 100
    p = band_rate_pence(band, scenario, params, scenario.rates_date)
    total = p["cost_of_care_total"]
    return sum(p[k] for k in STAFF_LINES) / total if total else 0.0


def mapping_shares(target) -> dict[str, float]:
    """A ``band_mapping`` value as {proposed band: fraction of the current band's placements}: a
    name maps all of them (1.0); {band: %} splits them (shares add to 100, checked on loading)."""
    return {target: 1.0} if isinstance(target, str) else {b: pct / 100 for b, pct in target.items()}


def out_of_area_factor(case: Case, index_factor: float, overrides: dict | None = None) -> float | None:
    """Factor on an out-of-area placement's own fee in a year with ``index_factor`` (the product of
    later years' indices): (1 + the first year's %) x index_factor, where the first year's % is the
    index for the scenario's own year (``out_of_area.method: index``) or a stated % (``pct``).
    None for ``band_change`` (the placement's band's % change applies instead)."""
    u = case.scenario.uplift if not overrides else case.scenario.uplift.model_copy(update=overrides)
    oa = u.out_of_area
    if oa.method == "band_change":
        return None
    first = oa.pct if oa.method == "pct" else case.derive(
        "first_year_index_pct", lambda c: year_index(c.scenario, c.params, c.scenario.financial_year)["index_pct"])
    return (1 + first / 100) * index_factor


def _in_area_target(u, fee_old, band_old, band_new):
    """In-county fee under ``target_rates``: the new band rate, except placements paid above the rate
    the reach rule compares with (the new rate for ``protect_above_new_rate``, the current rate for
    ``protect_above_current_rate``), which keep their fee, get ``protection_pct`` or (``none``) the
    band rate. Returns (fee, compared above)."""
    compare = band_old if u.reach_rule == "protect_above_current_rate" else band_new
    above = fee_old > compare
    if u.protection == "keep_fee":
        protected_fee = fee_old
    elif u.protection == "pct":
        protected_fee = to_pence(fee_old / 100 * (1 + u.protection_pct / 100))
    else:
        protected_fee = band_new
    return np.where(above, protected_fee, band_new), above


def _out_of_area(fee_old, band_old, band_new, out_factor):
    """Out-of-county fee: ``out_factor`` on the placement's own fee, or, where it is None, the band's %
    change (new rate / current rate) on it, rounded to the penny."""
    if out_factor is None:
        out_factor = np.divide(band_new, band_old, out=np.ones(np.broadcast_shapes(np.shape(band_new), np.shape(band_old))),
                               where=band_old > 0)
    return to_pence(fee_old / 100 * out_factor)


def target_fees(u, fee_old, band_old, band_new, in_area, out_factor: float | None = None):
    """New fee under ``target_rates`` (pence), for arrays that broadcast (placements, or draws x placements).

    In county: the band rate, unless the fee is above the rate ``uplift.reach`` compares with
    (``protect_above_new_rate``: the new rate; ``protect_above_current_rate``: the current rate),
    when protection applies (keep the fee, a stated %, or none). Out of county: ``out_factor`` on
    the placement's own fee (the host council's price moves by the index or a stated %), or, where
    it is None, the band's % change. Returns (new fee, fee above the compared rate).
    """
    fee_in, above = _in_area_target(u, fee_old, band_old, band_new)
    return np.where(in_area, fee_in, _out_of_area(fee_old, band_old, band_new, out_factor)), above


def split_fees(u, fee_old, band_old, weights, rates, in_area, out_factor: float | None = None):
    """New fee under ``target_rates`` where a placement may move to several proposed bands (a band
    split, a reassessed band or its own supplementary hours): ``weights`` is a list, one per
    proposed band, of each placement's share (fractions adding to 1), ``rates`` the matching list of
    band rates (pence, arrays that broadcast with ``fee_old``). In county the new fee is
    sum(share x the fee :func:`target_fees` gives under that band), rounded to the penny once; the
    placement's band rate (for replacement admissions and the out-of-county band change) is
    sum(share x rate), rounded once. Returns (new fee, above the compared rate under any band it
    may move to, band rate)."""
    fee_acc = rate_acc = 0.0
    above = np.zeros(np.broadcast_shapes(np.shape(fee_old), *(np.shape(r) for r in rates)), dtype=bool)
    for w, r in zip(weights, rates, strict=True):
        if not np.any(w):
            continue
        fee_j, above_j = _in_area_target(u, fee_old, band_old, r)
        fee_acc = fee_acc + w * fee_j
        rate_acc = rate_acc + w * r
        above |= above_j & (w > 0)
    band_new = to_pence(np.asarray(rate_acc, dtype=float) / 100)
    fee_in = to_pence(np.asarray(fee_acc, dtype=float) / 100)
    return np.where(in_area, fee_in, _out_of_area(fee_old, band_old, band_new, out_factor)), above, band_new


def percent_fees(u, fee_old, band_old, band_new, in_area, factor, out_factor: float | None = None):
    """New fee under a % (``uniform``, ``per_band``, ``index``), pence, for arrays that broadcast.

    ``every_fee``: every fee x ``factor``, rounded to the penny. ``at_or_below_rate``: in county,
    a placement paid at or below its band's current rate moves to the new band rate, one paid above
    keeps its fee. Out of county: ``out_factor`` (or, where None, ``factor``) on the placement's own
    fee. Returns (new fee, kept its fee because paid above the current rate)."""
    f = factor if out_factor is None else np.where(in_area, factor, out_factor)
    own = to_pence(fee_old / 100 * f)
    if u.reach_rule != "at_or_below_rate":
        return own, np.zeros(np.shape(own), dtype=bool)
    kept = fee_old > band_old
    return np.where(in_area, np.where(kept, fee_old, band_new), own), in_area & kept


# ---- rates by band and year

PARTS3 = ("core", "quality_premium", "supplementary_needs")


def band_parts(case: Case, which: str) -> dict[str, dict[str, int]]:
    """Each band's rate (pence, excluding FNC) in parts that may follow different indices: ``core``
    (cost of care, or the stated rate less FNC included), ``quality_premium``, ``supplementary_needs``."""
    def build(c: Case):
        s = c.scenario
        out = {}
        for band in s.bands(which):
            p = band_rate_pence(band, s, c.params, s.rates_date)
            out[band.name] = {"core": p["cost_of_care_total"], "quality_premium": p["quality_premium"],
                              "supplementary_needs": p["supplementary_needs"]}
        return out
    return case.derive(f"band_parts:{which}", build)


def later_factors(case: Case, which: str, k: int) -> dict[str, dict[str, float]]:
    """{band: {part: cumulative factor}} over the later years 1..k: the product of (1 + that year's
    % / 100) for each part of each band (:func:`feemodel.model.indexation.band_index_pct`), rounded
    to 8 decimals as the index table's factor is. Year 0: every factor 1."""
    def build(c: Case):
        s = c.scenario
        out = {}
        for band in s.bands(which):
            f = dict.fromkeys(PARTS3, 1.0)
            for year in range(s.financial_year + 1, s.financial_year + k + 1):
                pct = band_index_pct(s, c.params, year, band, band_staff_share(band, s, c.params))
                f = {part: f[part] * (1 + pct[part] / 100) for part in PARTS3}
            out[band.name] = {part: round(v, 8) for part, v in f.items()}
        return out
    return case.derive(f"later_factors:{which}:{k}", build)


def first_year_pct(case: Case, u) -> dict[str, dict[str, float]]:
    """{current band: {part: % in the first year}} for a % method: ``uniform_pct`` or the band's
    ``per_band_pct`` on every part, or (``index``) the uplift index for the scenario's own year (one
    figure, or each band's and add-on's own under ``weights: build_up`` / ``components``)."""
    s = case.scenario
    out = {}
    for band in s.bands("current"):
        if u.method == "index":
            if scalar_index(s):
                pct = dict.fromkeys(PARTS3, case.derive(
                    "first_year_index_pct", lambda c: year_index(c.scenario, c.params, c.scenario.financial_year)["index_pct"]))
            else:
                pct = band_index_pct(s, case.params, s.financial_year, band, band_staff_share(band, s, case.params))
        else:
            pct = dict.fromkeys(PARTS3, u.uniform_pct if u.method == "uniform" else u.per_band_pct.get(band.name, 0.0))
        out[band.name] = pct
    return out


def _indexed(total: int, parts: dict[str, int], mult: dict[str, float]) -> float:
    """A rate in £ (unrounded) from its total and parts in pence, each part x its own multiplier;
    the plain product where every part moves alike (so one index gives exactly the figure it always
    gave)."""
    if len(set(mult.values())) == 1:
        return total / 100 * mult["core"]
    core = total - parts["quality_premium"] - parts["supplementary_needs"]
    return (core * mult["core"] + parts["quality_premium"] * mult["quality_premium"]
            + parts["supplementary_needs"] * mult["supplementary_needs"]) / 100


def proposed_targets_gbp(case: Case, k: int, index_factor: float, proposed: dict[str, int]) -> dict[str, float]:
    """Each proposed band's target rate in scenario year k, £ unrounded: the proposed rate (pence)
    indexed for the later years (one index: x ``index_factor``; else each part by its own factors)."""
    s = case.scenario
    if scalar_index(s):
        return {j: proposed[j] / 100 * index_factor for j in proposed}
    parts, f = band_parts(case, "proposed"), later_factors(case, "proposed", k)
    return {j: _indexed(proposed[j], parts[j], f[j]) for j in proposed}


def target_pence(amount_gbp, rounding: str):
    """A target rate held in pence before phasing: to the penny under ``penny`` rounding (as always),
    unrounded under ``pound`` so the rate costed is rounded once, to the pound."""
    return to_pence(amount_gbp) if rounding == "penny" else np.asarray(amount_gbp, dtype=float) * 100


def band_rates_costed(case: Case, k: int = 0, index_factor: float = 1.0, proposed_rates: dict[str, int] | None = None,
                      overrides: dict | None = None) -> dict[str, int]:
    """The band rate each current band is costed at in scenario year k (pence a week, excluding FNC):
    the rate new admissions are paid and the rate placements at the band rate move to.

    * ``uniform`` / ``per_band`` / ``index``: the current rate x (1 + the first year's %) x the index
      for later years, rounded once by ``uplift.rounding`` (:func:`round_rate`). With one index a
      year, ``index_factor`` is its cumulative factor for year k; under ``weights: build_up`` or
      ``components`` each band's parts move by their own factors (:func:`later_factors`).
    * ``target_rates``: a share (k + 1) / phasing_years of the way from the current rate to the
      proposed band's rate (indexed for later years), rounded once by ``uplift.rounding``. A band
      split across proposed bands is costed at sum(share x that rate), rounded to the penny once.
    """
    scenario = case.scenario
    u = scenario.uplift if not overrides else scenario.uplift.model_copy(update=overrides)
    current = case.current_rates
    if u.pct_method:
        first = first_year_pct(case, u)
        if scalar_index(scenario):
            return {b: int(round_rate(current[b] / 100 * ((1 + first[b]["core"] / 100) * index_factor), u.rounding)) for b in current}
        parts, f = band_parts(case, "current"), later_factors(case, "current", k)
        return {b: int(round_rate(_indexed(current[b], parts[b], {p: (1 + first[b][p] / 100) * f[b][p] for p in PARTS3}),
                                  u.rounding)) for b in current}
    gbp = proposed_targets_gbp(case, k, index_factor, proposed_rates or case.proposed_rates)
    targets = {j: target_pence(v, u.rounding) for j, v in gbp.items()}
    share = min(1.0, (k + 1) / u.phasing_years)
    out = {}
    for b in current:
        split = mapping_shares(scenario.band_mapping[b])
        if len(split) == 1:
            out[b] = int(phased_rate(current[b], targets[next(iter(split))], share, u.rounding))
        else:
            out[b] = int(to_pence(sum(w * phased_rate(current[b], targets[j], share, u.rounding) for j, w in split.items()) / 100))
    return out


def needs_options(case: Case, arrays: BookArrays | None = None) -> bool:
    """Whether ``target_rates`` must cost placements over several proposed bands: a band split in
    ``band_mapping``, or a placement's own ``proposed_band`` or ``supplementary_hours``."""
    a = case.arrays if arrays is None else arrays
    return any(isinstance(v, dict) for v in case.scenario.band_mapping.values()) or a.has_reassessment


def placement_options(scenario: Scenario, a: BookArrays) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(proposed band names, weights, supplement change): ``weights`` (placements x proposed bands)
    is each placement's share of each proposed band: its own ``proposed_band`` where given, else its
    current band's ``band_mapping`` (a name, or {band: %}); ``supplement`` (pence, placements x
    proposed bands) is, where a placement gives its own ``supplementary_hours``, hours x the proposed
    band's ``supplementary_hourly_rate`` (to the penny) less the band's own supplementary allowance,
    and 0 elsewhere. Every ``proposed_band`` is a band of the proposed structure (checked when the
    book is read, :func:`feemodel.inputs.data.check_consistency`)."""
    bands = scenario.bands("proposed")
    names = [b.name for b in bands]
    col = {n: j for j, n in enumerate(names)}
    by_current = np.zeros((len(a.band_names) + 1, len(names)))
    for i, b in enumerate(a.band_names):
        for j, w in mapping_shares(scenario.band_mapping.get(b, {})).items():
            by_current[i, col[j]] = w
    weights = by_current[a.band_code]                     # code -1 picks the trailing zero row
    own = a.proposed_band_code >= 0
    if own.any():   # the data reader refuses a proposed_band outside the proposed structure
        one_hot = np.zeros((len(a.proposed_band_names) + 1, len(names)))
        for code, name in enumerate(a.proposed_band_names):
            if name in col:
                one_hot[code, col[name]] = 1.0
        weights = np.where(own[:, None], one_hot[a.proposed_band_code], weights)
    supplement = np.zeros((a.n, len(names)), dtype=np.int64)
    hours = a.supplementary_hours
    given = np.isfinite(hours)
    if given.any():
        for j, b in enumerate(bands):
            own_p = to_pence(np.where(given, hours, 0.0) * b.supplementary_hourly_rate)
            supplement[:, j] = np.where(given, own_p - to_pence(b.supplementary_hours * b.supplementary_hourly_rate), 0)
    return names, weights, supplement


def year_fees(case: Case, k: int, index_factor: float, proposed_rates: dict[str, int] | None = None,
              overrides: dict | None = None, arrays: BookArrays | None = None) -> YearFees:
    """Old and new fees (pence a week) for scenario year k with the index factor for that year.

    ``arrays``: the placements to cost (default: the case's whole book). ``proposed_rates``
    (pence, by proposed band) and ``overrides`` (uplift settings) vary the scenario's own.
    ``uplift.reach`` says who a change reaches (:func:`percent_fees`, :func:`target_fees`).
    """
    scenario, params = case.scenario, case.params
    u = scenario.uplift if not overrides else scenario.uplift.model_copy(update=overrides)
    a = case.arrays if arrays is None else arrays
    year = scenario.financial_year + k
    when = scenario.year_date(k)  # national figures (FNC, the means test) as in force for year k
    council, in_area = a.council, a.in_area
    fee_old = np.where(council, a.fee, 0)
    current = case.current_rates
    band_old = a.band_values(current)
    costed = band_rates_costed(case, k, index_factor, proposed_rates, overrides)
    band_new = a.band_values(costed)
    out_factor = out_of_area_factor(case, index_factor, overrides) if (council & ~in_area).any() else None
    if u.pct_method:
        first = first_year_pct(case, u)
        pct = np.full(a.n, u.uniform_pct) if u.method == "uniform" else a.band_values({b: v["core"] for b, v in first.items()}, 0.0, float)
        if scalar_index(scenario):
            factor = (1 + pct / 100) * index_factor
        else:
            f = later_factors(case, "current", k)
            factor = (1 + pct / 100) * a.band_values({b: v["core"] for b, v in f.items()}, 1.0, float)
        fee_pct, kept = percent_fees(u, fee_old, band_old, band_new, in_area, factor, out_factor)
        fee_new = np.where(council, fee_pct, 0)
        protected = council & kept
    else:
        if needs_options(case, a):
            names, weights, supplement = placement_options(scenario, a)
            gbp = proposed_targets_gbp(case, k, index_factor, proposed_rates or case.proposed_rates)
            share = min(1.0, (k + 1) / u.phasing_years)
            rates = []
            for j, name in enumerate(names):
                fj = index_factor if scalar_index(scenario) else later_factors(case, "proposed", k)[name]["supplementary_needs"]
                t = target_pence(gbp[name] + supplement[:, j] / 100 * fj, u.rounding)
                rates.append(phased_rate(band_old, t, share, u.rounding))
            fee_target, above, band_new = split_fees(u, fee_old, band_old, [weights[:, j] for j in range(len(names))],
                                                     rates, in_area, out_factor)
        else:
            fee_target, above = target_fees(u, fee_old, band_old, band_new, in_area, out_factor)
        fee_new = np.where(council, fee_target, 0)
        protected = council & in_area & above & (u.protection != "none")

    fnc_p = to_pence(params.get("nhs.fnc_standard_rate", when))
    fnc = np.where(a.fnc_eligible & ~a.chc, fnc_p, 0)
    topup_old = np.where(council, a.topup, 0)
    price_old = fee_old + fnc + topup_old
    rise = fee_new - fee_old
    price_new = price_old + to_pence(np.clip(rise, 0, None) / 100 * u.provider_pass_through_pct / 100)
    topup_new = np.where(topup_old > 0, np.clip(price_new - fee_new - fnc, 0, None), 0)

    # self-funders: pass-through of the average council rise in their setting (in-area placements);
    # as for top-ups, a rise only: where the council's fees in a setting fall on average, their prices hold
    setting = a.nursing.astype(np.intp)
    m = council & in_area
    counts = np.bincount(setting[m], minlength=2)
    sums = np.bincount(setting[m], weights=rise[m], minlength=2)
    avg = np.clip(np.divide(sums, counts, out=np.zeros(2), where=counts > 0), 0, None)
    per_setting = to_pence(avg / 100 * u.self_funder_pass_through_pct / 100)
    self_change = np.where(a.self_funded, per_setting[setting], 0)

    rules = ChargingRules.on(when, params)
    # NHS CHC placements keep their own fee (the NHS pays it; council fee changes do not touch it)
    uncapped = assess_pence(a.income, a.capital, rules)  # the same residents on both sides: assess once
    base = split_pence(a, rules, fnc_p, fee_p=np.where(a.chc, a.fee, fee_old), topup_p=topup_old, price_p=a.price, uncapped=uncapped)
    new = split_pence(a, rules, fnc_p, fee_p=np.where(a.chc, a.fee, fee_new), topup_p=topup_new,
                      price_p=a.price + self_change, uncapped=uncapped)
    return YearFees(year, fee_old, fee_new, band_old, band_new, protected, base, new, self_change)


def rate_card_by_year(case: Case) -> pd.DataFrame:
    """The indexed rate card: one row per band and financial year over the projection years.

    Bands: the current bands for a % method (``uniform``, ``per_band``, ``index``: the rate each is
    costed at, :func:`band_rates_costed`), the proposed bands for ``target_rates`` (the full
    proposed rate indexed for later years, before any phasing; the rate a current band is costed
    at while phasing is in the band mapping table). Columns:

    * ``financial_year``: the year it starts in (2026 = 2026/27);
    * ``weekly_rate_gbp``: £ a week excluding FNC, rounded once by ``uplift.rounding``;
    * ``index_pct``: % a year applied to the band's cost of care (or stated rate) that year: the
      first year's % for a % method (NaN for ``target_rates``, a move to a rate card), then the
      band's index (its own staff share under ``weights: build_up``);
    * ``rate_change_pct``: the weekly rate's change from the year before (the first year: from the
      current rate; NaN for ``target_rates``), 2 decimals, half up;
    * ``cumulative_factor``: the product of (1 + index / 100) over the years after the first;
    * ``supplementary_needs_gbp_pw``: the band's supplementary needs allowance that year (£ a week,
      to the penny, for information: the rate is rounded once from unrounded parts), following
      ``indexation.components.supplementary_needs``.
    """
    s, params = case.scenario, case.params
    u = s.uplift
    which = "current" if u.pct_method else "proposed"
    bands = s.bands(which)
    parts = band_parts(case, which)
    scalar = scalar_index(s)
    first = first_year_pct(case, u) if u.pct_method else None
    previous = dict(case.current_rates) if u.pct_method else {}
    rows = []
    for k in range(len(case.index)):
        year = s.financial_year + k
        factor = float(case.index.cumulative_factor[k])
        if u.pct_method:
            rates_k = band_rates_costed(case, k, factor)
        else:
            rates_k = {j: int(round_rate(v, u.rounding)) for j, v in proposed_targets_gbp(case, k, factor, case.proposed_rates).items()}
        f = None if scalar else later_factors(case, which, k)
        for band in bands:
            b = band.name
            if k == 0:
                pct = first[b]["core"] if u.pct_method else np.nan
            else:
                pct = year_index(s, params, year)["index_pct"] if scalar else band_index_pct(s, params, year, band, band_staff_share(band, s, params))["core"]
            cumulative = factor if scalar else f[b]["core"]
            supp_factor = (1 + first[b]["supplementary_needs"] / 100) if u.pct_method else 1.0
            supp_factor *= factor if scalar else f[b]["supplementary_needs"]
            rate = rates_k[b]
            before = previous.get(b)
            rows.append({
                "financial_year": year, "band": b, "weekly_rate_gbp": to_pounds(rate),
                "index_pct": round(pct, 4) if np.isfinite(pct) else np.nan,
                "rate_change_pct": round_half_up((rate - before) / before * 100, 2) if before else np.nan,
                "cumulative_factor": round(cumulative, 8),
                "supplementary_needs_gbp_pw": pounds(parts[b]["supplementary_needs"] / 100 * supp_factor),
            })
            previous[b] = rate
    return pd.DataFrame(rows, columns=["financial_year", "band", "weekly_rate_gbp", "index_pct", "rate_change_pct",
                                       "cumulative_factor", "supplementary_needs_gbp_pw"])


def exposure_weeks(scenario: Scenario, k: int, from_date: dt.date | None = None) -> tuple[float, float]:
    """Expected placement-weeks per placement in year k, on or after ``from_date``:
    (original placement still there, replacement admission in its place)."""
    start0 = scenario.year_start
    start = dt.date(scenario.financial_year + k, 4, 1)
    end = dt.date(scenario.financial_year + k + 1, 4, 1)
    first = max(start, from_date) if from_date else start
    days = np.arange((first - start0).days, (end - start0).days)
    survival = (1 - scenario.uplift.turnover.annual_exit_rate_pct / 100) ** (days / 365.25)
    w_surv = float(survival.sum() / 7)
    w_repl = float((1 - survival).sum() / 7) if scenario.uplift.turnover.replace_leavers else 0.0
    return w_surv, w_repl


def group_cost(stayers_p, replacements_p, ws, wr):
    """A group's cost in pence over a period: summed weekly changes (whole pence) of the original
    residents x their expected weeks, plus those of replacement admissions x theirs. The one formula
    the cost table and the vectorised engine share, so both round the same figure."""
    return ws * stayers_p + wr * replacements_p


def uplift_cost(case: Case, proposed_rates: dict[str, int] | None = None, overrides: dict | None = None,
                years: int | None = None) -> pd.DataFrame:
    """Annual cost change of council-arranged placements by financial year, period, band, client
    group and area (£ a year). Self-funders' price changes are in :func:`self_funder_change`.

    The first year has a ``part_year`` row set (from the effective date) and a ``full_year`` set;
    later years are full years. Identity per row: gross = council + resident + families' top-ups +
    residents' own (first-party) top-ups + FNC change.
    """
    scenario = case.scenario
    p = case.council_placements
    index = case.index
    rows = []
    groups = p[GROUPS]
    for k, factor in enumerate(index.cumulative_factor[: years or len(index)]):
        yf = year_fees(case, k, float(factor), proposed_rates, overrides, arrays=case.council_arrays)
        d_fee = yf.new["council"] + yf.new["resident"] - (yf.base["council"] + yf.base["resident"])
        d_res = yf.new["resident"] - yf.base["resident"]
        d_top = yf.new["third_party"] - yf.base["third_party"]
        d_own = yf.new["first_party"] - yf.base["first_party"]
        d_fnc = yf.new["nhs_fnc"] - yf.base["nhs_fnc"]
        d_repl = np.where(p["funding"].eq("council").to_numpy(),
                          np.where(p["area"].eq("in").to_numpy(), yf.band_new - yf.band_old, d_fee), 0)
        periods = [("part_year", scenario.uplift.effective_date), ("full_year", None)] if k == 0 else [("full_year", None)]
        # weekly changes summed per group in whole pence (exact), then x the year's placement-weeks
        sums = groups.assign(
            placements=1,
            placements_affected=(d_fee != 0) | (d_top != 0) | (d_own != 0),
            protected=yf.protected,
            council_s=d_fee - d_res,
            repl=d_repl,
            resident_s=d_res,
            topup_s=d_top,
            first_s=d_own,
            fnc_s=d_fnc,
        ).groupby(GROUPS, sort=True).sum(numeric_only=True)
        for period, from_date in periods:
            ws, wr = exposure_weeks(scenario, k, from_date)
            agg = sums[["placements", "placements_affected", "protected"]].copy()
            agg["council"] = group_cost(sums.council_s.to_numpy(), sums.repl.to_numpy(), ws, wr)
            agg["resident"] = ws * sums.resident_s
            agg["topup"] = ws * sums.topup_s
            agg["first_party"] = ws * sums.first_s
            agg["fnc"] = ws * sums.fnc_s
            agg = agg.reset_index()
            agg.insert(0, "period", period)
            agg.insert(0, "financial_year", f"{yf.year}/{(yf.year + 1) % 100:02d}")
            rows.append(agg)
    out = pd.concat(rows, ignore_index=True)
    # each payer's change is rounded to the penny once; the gross change is their exact sum, so
    # every row balances: gross = council + residents' contributions + top-ups (families' and residents' own) + FNC
    parts = {}
    for c, name in [("council", "council_net_change_gbp"), ("resident", "resident_contribution_change_gbp"),
                    ("topup", "topup_change_gbp"), ("first_party", "first_party_topup_change_gbp"), ("fnc", "fnc_change_gbp")]:
        parts[name] = to_pence(out.pop(c).to_numpy(dtype=float) / 100)
    out["gross_change_gbp"] = to_pounds(sum(parts.values()))
    for name, pence in parts.items():
        out[name] = to_pounds(pence)
    out["placements_affected"] = out.placements_affected.astype(int)
    out["protected"] = out.protected.astype(int)
    return out


def headline(cost: pd.DataFrame) -> dict:
    """The one-line headline: first year's council cost, part year and full year, and later years."""
    first = cost.financial_year.iloc[0]
    f = cost[cost.financial_year == first]
    part = f[f.period == "part_year"]
    full = f[f.period == "full_year"]
    by_year = cost[cost.period == "full_year"].groupby("financial_year", sort=True).council_net_change_gbp.sum()
    return {
        "financial_year": first,
        "council_net_change_part_year_gbp": pounds(float(part.council_net_change_gbp.sum())),
        "council_net_change_full_year_gbp": pounds(float(full.council_net_change_gbp.sum())),
        "gross_change_part_year_gbp": pounds(float(part.gross_change_gbp.sum())),
        "topup_change_part_year_gbp": pounds(float(part.topup_change_gbp.sum())),
        "placements_affected": int(full.placements_affected.sum()),
        "placements_protected": int(full.protected.sum()),
        "council_net_change_by_year_gbp": {k: pounds(float(v)) for k, v in by_year.items()},
    }


def first_year(case: Case) -> YearFees:
    """Fees before and after in the scenario's first year (index factor 1), for every placement;
    computed once per case."""
    return case.derive("first_year", lambda c: year_fees(c, 0, 1.0))


def self_funder_change(case: Case, yf: YearFees | None = None) -> dict:
    """First-year change in what self-funders pay, under the pass-through assumption (£)."""
    scenario, p = case.scenario, case.book.placements
    yf = yf or first_year(case)
    self_f = p.funding.eq("self").to_numpy()
    weekly = int(yf.self_price_change[self_f].sum())
    ws, wr = exposure_weeks(scenario, 0, scenario.uplift.effective_date)
    return {
        "self_funders": int(self_f.sum()),
        "pass_through_pct": scenario.uplift.self_funder_pass_through_pct,
        "average_change_gbp_pw": pounds(weekly / 100 / max(int(self_f.sum()), 1)),
        "total_change_gbp_pw": to_pounds(weekly),
        "total_change_part_year_gbp": to_pounds(to_pence(weekly * (ws + wr) / 100)),
    }


def topups_table(case: Case, yf: YearFees | None = None) -> pd.DataFrame:
    """Placements with top-ups in the first year: how many fall, rise, vanish or stay, by band."""
    p = case.book.placements
    yf = yf or first_year(case)
    has = yf.base["third_party"] > 0
    d = yf.new["third_party"] - yf.base["third_party"]
    frame = pd.DataFrame({
        "band": p.band[has].to_numpy(),
        "outcome": np.select([yf.new["third_party"][has] == 0, d[has] < 0, d[has] > 0], ["vanishes", "falls", "rises"], "unchanged"),
        "old": yf.base["third_party"][has] / 100, "new": yf.new["third_party"][has] / 100, "change": d[has] / 100,
    })
    rows = []
    for (band, outcome), g in frame.groupby(["band", "outcome"], sort=True):
        rows.append({"band": band, "outcome": outcome, "placements": len(g),
                     "average_topup_before_gbp_pw": pounds(g.old.mean()),
                     "average_topup_after_gbp_pw": pounds(g.new.mean()),
                     "average_change_gbp_pw": pounds(g.change.mean())})
    for outcome, g in frame.groupby("outcome", sort=True):
        rows.append({"band": "All bands", "outcome": outcome, "placements": len(g),
                     "average_topup_before_gbp_pw": pounds(g.old.mean()),
                     "average_topup_after_gbp_pw": pounds(g.new.mean()),
                     "average_change_gbp_pw": pounds(g.change.mean())})
    return pd.DataFrame(rows, columns=["band", "outcome", "placements", "average_topup_before_gbp_pw",
                                       "average_topup_after_gbp_pw", "average_change_gbp_pw"])


def provider_income(case: Case, yf: YearFees | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Change in each home's weekly income (council fees, top-ups, self-funder prices; FNC fixed).

    Returns (per-home table, distribution table). The per-home table names homes only when the
    scenario's ``publication.name_homes`` is true; otherwise it carries the home id only and is not
    for publication.
    """
    scenario, book = case.scenario, case.book
    p = book.placements
    yf = yf or first_year(case)
    gross_old = yf.base["gross"]
    gross_new = yf.new["gross"]
    frame = pd.DataFrame({"home_id": p.home_id, "old": gross_old, "new": gross_new})
    per_home = frame.groupby("home_id", sort=True).sum()
    per_home["change_gbp_pw"] = (per_home.new - per_home.old) / 100
    per_home["change_pct"] = np.round((per_home.new - per_home.old) / per_home.old * 100, 2)
    per_home["weekly_income_before_gbp"] = per_home.old / 100
    per_home = per_home.drop(columns=["old", "new"]).reset_index()
    homes = book.homes.set_index("home_id")
    per_home.insert(1, "area", per_home.home_id.map(homes.area))
    per_home.insert(2, "setting", per_home.home_id.map(homes.setting))
    if scenario.publication.name_homes:
        per_home.insert(1, "home_name", per_home.home_id.map(homes.home_name))
    ch = per_home.change_gbp_pw
    bins = [(-np.inf, -0.005, "lose"), (-0.005, 0.005, "no change"), (0.005, 500, "gain up to £500 a week"),
            (500, 2000, "gain £500 to £2,000 a week"), (2000, np.inf, "gain over £2,000 a week")]
    dist = []
    for lo, hi, label in bins:
        m = (ch > lo) & (ch <= hi)
        dist.append({"group": label, "homes": int(m.sum()), "total_change_gbp_pw": pounds(float(ch[m].sum()))})
    for q in (0.1, 0.25, 0.5, 0.75, 0.9):
        dist.append({"group": f"P{int(q * 100)} change per home (£/week)", "homes": np.nan,
                     "total_change_gbp_pw": pounds(float(ch.quantile(q)))})
    return per_home, pd.DataFrame(dist)

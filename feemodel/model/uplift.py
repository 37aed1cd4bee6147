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
``self_funder_pass_through_pct`` of the average council rise in their setting. Residents'
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

from ..inputs.scenario import Scenario
from ..money import to_pence, to_pounds
from .case import Case
from .charging import ChargingRules, assess_pence
from .funding import BookArrays, split_pence

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


def phased_rate(current, target, share: float):
    """Band rate a share of the way from the current to the target rate (pence, rounded once)."""
    return to_pence((current + (target - current) * share) / 100)


def target_fees(u, fee_old, band_old, band_new, in_area):
    """New fee under ``target_rates`` (pence), for arrays that broadcast (placements, or draws x placements).

    In county: the band rate, unless the fee is already above it (protection: keep the fee, a stated
    %, or none). Out of county: the band's % change applied to the placement's own fee.
    Returns (new fee, fee above the new rate).
    """
    above = fee_old > band_new
    if u.protection == "keep_fee":
        protected_fee = fee_old
    elif u.protection == "pct":
        protected_fee = to_pence(fee_old / 100 * (1 + u.protection_pct / 100))
    else:
        protected_fee = band_new
    ratio = np.divide(band_new, band_old, out=np.ones(np.broadcast_shapes(np.shape(band_new), np.shape(band_old))),
                      where=band_old > 0)
    fee_in = np.where(above, protected_fee, band_new)
    fee_out = to_pence(fee_old / 100 * ratio)
    return np.where(in_area, fee_in, fee_out), above


def year_fees(case: Case, k: int, index_factor: float, proposed_rates: dict[str, int] | None = None,
              overrides: dict | None = None, arrays: BookArrays | None = None) -> YearFees:
    """Old and new fees (pence a week) for scenario year k with the index factor for that year.

    ``arrays``: the placements to cost (default: the case's whole book). ``proposed_rates``
    (pence, by proposed band) and ``overrides`` (uplift settings) vary the scenario's own.
    """
    scenario, params = case.scenario, case.params
    u = scenario.uplift if not overrides else scenario.uplift.model_copy(update=overrides)
    a = case.arrays if arrays is None else arrays
    year = scenario.financial_year + k
    when = dt.date(year, 4, 1)
    council, in_area = a.council, a.in_area
    fee_old = np.where(council, a.fee, 0)
    current = case.current_rates
    band_old = a.band_values(current)
    if u.method in ("uniform", "per_band"):
        pct = np.full(a.n, u.uniform_pct) if u.method == "uniform" else a.band_values(u.per_band_pct, 0.0, float)
        factor = (1 + pct / 100) * index_factor
        fee_new = np.where(council, to_pence(fee_old / 100 * factor), 0)
        band_new = to_pence(band_old / 100 * factor)
        protected = np.zeros(a.n, dtype=bool)
    else:
        proposed = proposed_rates or case.proposed_rates
        target = {old: to_pence(proposed[new] / 100 * index_factor) for old, new in scenario.band_mapping.items()}
        share = min(1.0, (k + 1) / u.phasing_years)
        rate_k = {b: phased_rate(current[b], target[b], share) for b in current}
        band_new = a.band_values(rate_k)
        fee_target, above = target_fees(u, fee_old, band_old, band_new, in_area)
        fee_new = np.where(council, fee_target, 0)
        protected = council & in_area & above & (u.protection != "none")

    fnc_p = to_pence(params.get("nhs.fnc_standard_rate", when))
    fnc = np.where(a.fnc_eligible & ~a.chc, fnc_p, 0)
    topup_old = np.where(council, a.topup, 0)
    price_old = fee_old + fnc + topup_old
    rise = fee_new - fee_old
    price_new = price_old + to_pence(np.clip(rise, 0, None) / 100 * u.provider_pass_through_pct / 100)
    topup_new = np.where(topup_old > 0, np.clip(price_new - fee_new - fnc, 0, None), 0)

    # self-funders: pass-through of the average council rise in their setting (in-area placements)
    setting = a.nursing.astype(np.intp)
    m = council & in_area
    counts = np.bincount(setting[m], minlength=2)
    sums = np.bincount(setting[m], weights=rise[m], minlength=2)
    avg = np.divide(sums, counts, out=np.zeros(2), where=counts > 0)
    per_setting = to_pence(avg / 100 * u.self_funder_pass_through_pct / 100)
    self_change = np.where(a.self_funded, per_setting[setting], 0)

    rules = ChargingRules.on(when, params)
    # NHS CHC placements keep their own fee (the NHS pays it; council fee changes do not touch it)
    uncapped = assess_pence(a.income, a.capital, rules)  # the same residents on both sides: assess once
    base = split_pence(a, rules, fnc_p, fee_p=np.where(a.chc, a.fee, fee_old), topup_p=topup_old, price_p=a.price, uncapped=uncapped)
    new = split_pence(a, rules, fnc_p, fee_p=np.where(a.chc, a.fee, fee_new), topup_p=topup_new,
                      price_p=a.price + self_change, uncapped=uncapped)
    return YearFees(year, fee_old, fee_new, band_old, band_new, protected, base, new, self_change)


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


def uplift_cost(case: Case, proposed_rates: dict[str, int] | None = None, overrides: dict | None = None,
                years: int | None = None) -> pd.DataFrame:
    """Annual cost change of council-arranged placements by financial year, period, band, client
    group and area (£ a year). Self-funders' price changes are in :func:`self_funder_change`.

    The first year has a ``part_year`` row set (from the effective date) and a ``full_year`` set;
    later years are full years. Identity per row: gross = council + resident + top-up + FNC change.
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
        d_fnc = yf.new["nhs_fnc"] - yf.base["nhs_fnc"]
        d_repl = np.where(p["funding"].eq("council").to_numpy(),
                          np.where(p["area"].eq("in").to_numpy(), yf.band_new - yf.band_old, d_fee), 0)
        periods = [("part_year", scenario.uplift.effective_date), ("full_year", None)] if k == 0 else [("full_year", None)]
        for period, from_date in periods:
            ws, wr = exposure_weeks(scenario, k, from_date)
            frame = groups.assign(
                placements=1,
                placements_affected=(d_fee != 0) | (d_top != 0),
                protected=yf.protected,
                gross=ws * (d_fee + d_top + d_fnc) + wr * d_repl,
                council=ws * (d_fee - d_res) + wr * d_repl,
                resident=ws * d_res,
                topup=ws * d_top,
                fnc=ws * d_fnc,
            )
            agg = frame.groupby(GROUPS, sort=True).sum(numeric_only=True).reset_index()
            agg.insert(0, "period", period)
            agg.insert(0, "financial_year", f"{yf.year}/{(yf.year + 1) % 100:02d}")
            rows.append(agg)
    out = pd.concat(rows, ignore_index=True)
    for c, name in [("gross", "gross_change_gbp"), ("council", "council_net_change_gbp"),
                    ("resident", "resident_contribution_change_gbp"), ("topup", "topup_change_gbp"),
                    ("fnc", "fnc_change_gbp")]:
        out[name] = to_pounds(to_pence(out.pop(c).to_numpy() / 100))
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
        "council_net_change_part_year_gbp": round(float(part.council_net_change_gbp.sum()), 2),
        "council_net_change_full_year_gbp": round(float(full.council_net_change_gbp.sum()), 2),
        "gross_change_part_year_gbp": round(float(part.gross_change_gbp.sum()), 2),
        "topup_change_part_year_gbp": round(float(part.topup_change_gbp.sum()), 2),
        "placements_affected": int(full.placements_affected.sum()),
        "placements_protected": int(full.protected.sum()),
        "council_net_change_by_year_gbp": {k: round(float(v), 2) for k, v in by_year.items()},
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
        "average_change_gbp_pw": round(weekly / 100 / max(int(self_f.sum()), 1), 2),
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
                     "average_topup_before_gbp_pw": round(g.old.mean(), 2),
                     "average_topup_after_gbp_pw": round(g.new.mean(), 2),
                     "average_change_gbp_pw": round(g.change.mean(), 2)})
    for outcome, g in frame.groupby("outcome", sort=True):
        rows.append({"band": "All bands", "outcome": outcome, "placements": len(g),
                     "average_topup_before_gbp_pw": round(g.old.mean(), 2),
                     "average_topup_after_gbp_pw": round(g.new.mean(), 2),
                     "average_change_gbp_pw": round(g.change.mean(), 2)})
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
        dist.append({"group": label, "homes": int(m.sum()), "total_change_gbp_pw": round(float(ch[m].sum()), 2)})
    for q in (0.1, 0.25, 0.5, 0.75, 0.9):
        dist.append({"group": f"P{int(q * 100)} change per home (£/week)", "homes": np.nan,
                     "total_change_gbp_pw": round(float(ch.quantile(q)), 2)})
    return per_home, pd.DataFrame(dist)

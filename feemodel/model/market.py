"""The care home market: capacity, payer mix, provider sustainability and self-funder premiums.

* Capacity: beds and occupancy of open in-county homes by setting; payer shares of occupied beds
  (from the placement book); beds opened and closed by year (from homes' opened/closed dates).
* Sustainability: for each open in-county home, average income per occupied bed-week from its
  payer mix (gross fees incl. FNC and top-ups), now and under the scenario's first year, against
  its cost of care at its own occupancy (the scenario's standard category for its setting, plus FNC
  for nursing so both sides include it). Margin = (income - cost) / income. Published tables are
  aggregates; homes are named only if ``publication.name_homes`` is true.
* Self-funder premium: self-funder price minus the average council gross fee in the same home
  (homes without council placements use the setting's average), £/week and £ a year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..inputs.data import Book
from ..money import pounds, to_pounds
from .case import Case
from .rates import cost_at_occupancy, fnc_rate
from .uplift import YearFees

WEEKS_PER_YEAR = 365 / 7
STANDARD_CATEGORY = {"residential": ("standard_residential", "Standard residential"),
                     "nursing": ("standard_nursing", "Standard nursing")}


def open_in_area(homes: pd.DataFrame) -> pd.DataFrame:
    return homes[(homes.area == "in") & homes.closed.isna()]


def capacity(book: Book) -> pd.DataFrame:
    """Beds, occupancy and payer shares of occupied beds by setting (in-county open homes)."""
    h = open_in_area(book.homes)
    p = book.placements[book.placements.home_id.isin(h.home_id)]
    rows = []
    for setting in ("residential", "nursing", "all"):
        hs = h if setting == "all" else h[h.setting == setting]
        ps = p if setting == "all" else p[p.setting == setting]
        occ = hs.occupied_beds.sum()
        row = {"setting": setting, "homes": len(hs), "beds": int(hs.beds.sum()), "occupied_beds": int(occ),
               "occupancy_pct": round(occ / hs.beds.sum() * 100, 1) if len(hs) else np.nan}
        for funding in ("council", "self", "chc"):
            row[f"{funding}_share_of_occupied_pct"] = round((ps.funding == funding).sum() / occ * 100, 1) if occ else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def beds_over_time(book: Book) -> pd.DataFrame:
    """Beds opened and closed by calendar year (in-county homes), where the dates are known."""
    h = book.homes[book.homes.area == "in"]
    opened = h.groupby(h.opened.dt.year).beds.sum()
    closed = h[h.closed.notna()].groupby(h.closed.dt.year).beds.sum()
    years = range(int(max(opened.index.min(), 2016)), int(max(opened.index.max(), closed.index.max() if len(closed) else 0)) + 1)
    return pd.DataFrame({"year": list(years), "beds_opened": [int(opened.get(y, 0)) for y in years],
                         "beds_closed": [int(closed.get(y, 0)) for y in years]})


def sustainability(case: Case, yf: YearFees) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-home table, aggregate table) of income against cost at the home's occupancy."""
    scenario, params, book = case.scenario, case.params, case.book
    h = open_in_area(book.homes).copy()
    p = book.placements
    frame = pd.DataFrame({"home_id": p.home_id, "now": yf.base["gross"], "new": yf.new["gross"]})
    income = frame.groupby("home_id").agg(placements=("now", "size"), now=("now", "sum"), new=("new", "sum"))
    h = h.join(income, on="home_id")
    h = h[h.placements > 0]
    h["occupancy_pct"] = (h.occupied_beds / h.beds * 100).clip(upper=100)
    h["income_now_gbp_pobw"] = to_pounds(h.now) / h.placements
    h["income_new_gbp_pobw"] = to_pounds(h.new) / h.placements
    cost = np.zeros(len(h))
    when = scenario.rates_date
    for setting, (cat_key, _) in STANDARD_CATEGORY.items():
        m = (h.setting == setting).to_numpy()
        if cat_key in scenario.cost_of_care.categories and m.any():
            cat = scenario.cost_of_care.categories[cat_key]
            cost[m] = cost_at_occupancy(cat, scenario.cost_of_care.return_convention, params, when, h.occupancy_pct.to_numpy()[m])
            if setting == "nursing":
                cost[m] += fnc_rate(params, when)
    h["cost_gbp_pobw"] = pounds(cost)
    h["margin_now_pct"] = np.round((h.income_now_gbp_pobw - h.cost_gbp_pobw) / h.income_now_gbp_pobw * 100, 1)
    h["margin_new_pct"] = np.round((h.income_new_gbp_pobw - h.cost_gbp_pobw) / h.income_new_gbp_pobw * 100, 1)
    for c in ("income_now_gbp_pobw", "income_new_gbp_pobw"):
        h[c] = pounds(h[c])
    cols = ["home_id"] + (["home_name"] if scenario.publication.name_homes else []) + [
        "setting", "beds", "occupancy_pct", "income_now_gbp_pobw", "income_new_gbp_pobw", "cost_gbp_pobw", "margin_now_pct", "margin_new_pct"]
    per_home = h[cols].reset_index(drop=True)
    rows = []
    for setting in ("residential", "nursing", "all"):
        g = per_home if setting == "all" else per_home[per_home.setting == setting]
        rows.append({"setting": setting, "homes": len(g),
                     "below_cost_now": int((g.margin_now_pct < 0).sum()), "below_cost_proposed": int((g.margin_new_pct < 0).sum()),
                     "median_margin_now_pct": round(float(g.margin_now_pct.median()), 1),
                     "median_margin_proposed_pct": round(float(g.margin_new_pct.median()), 1),
                     "p10_margin_proposed_pct": round(float(g.margin_new_pct.quantile(0.1)), 1),
                     "p90_margin_proposed_pct": round(float(g.margin_new_pct.quantile(0.9)), 1)})
    return per_home, pd.DataFrame(rows)


def self_funder_premium(book: Book, yf: YearFees) -> pd.DataFrame:
    """Premium self-funders pay over the council's average gross fee, now and under the scenario."""
    p = book.placements
    council = p.funding.eq("council").to_numpy()
    self_f = p.funding.eq("self").to_numpy()
    rows = []
    for label, split in (("now", yf.base), ("proposed", yf.new)):
        gross = pd.Series(split["gross"] / 100, index=p.index)
        by_home = gross[council].groupby(p.home_id[council]).mean()
        by_setting = gross[council & p.area.eq("in").to_numpy()].groupby(p.setting[council & p.area.eq("in").to_numpy()]).mean()
        ref = p.home_id.map(by_home).fillna(p.setting.map(by_setting))
        premium = (gross - ref)[self_f]
        for setting in ("residential", "nursing", "all"):
            m = premium if setting == "all" else premium[p.setting[self_f] == setting]
            rows.append({"case": label, "setting": setting, "self_funders": int(m.size),
                         "average_premium_gbp_pw": pounds(float(m.mean())),
                         "average_premium_pct": round(float((m / ref[self_f][m.index]).mean() * 100), 1),
                         "total_premium_gbp_pa": pounds(float(m.sum() * WEEKS_PER_YEAR))})
    return pd.DataFrame(rows)

"""The care home market: capacity, payer mix, provider sustainability and self-funder premiums.

* Capacity: beds and occupancy of open in-county homes by setting; payer shares of occupied beds
  (from the placement book); beds opened and closed by year (from homes' opened/closed dates).
* Sustainability: for each open in-county home, average income per occupied bed-week from its
  payer mix (gross fees incl. FNC and top-ups), now and under the scenario's first year, against
  its cost of care at its own occupancy (the cost category below, plus FNC for nursing so both
  sides include it). Margin = (income - cost) / income. Published tables are aggregates; homes are
  named only if ``publication.name_homes`` is true. Which category a home's cost comes from
  (:func:`cost_categories`): the home's own ``cost_category`` in the homes file where given; else
  ``market.cost_category`` for its setting; else the scenario's only category of that setting;
  else a category named ``standard_<setting>``; else none, and the setting's homes are left out
  (never costed at zero).
* Self-funder premium: self-funder price minus the average council gross fee in the same home
  (homes without council placements use the setting's average), £/week and £ a year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import NotComputed
from ..inputs.data import Book
from ..inputs.scenario import Scenario
from ..money import pounds, to_pounds
from .case import Case
from .rates import cost_at_occupancy, cost_settings, fnc_rate
from .uplift import YearFees

WEEKS_PER_YEAR = 365 / 7
SETTINGS = ("residential", "nursing")


def cost_categories(scenario: Scenario) -> dict[str, tuple[str | None, str]]:
    """{setting: (category or None, how it was chosen)} for homes that do not name their own.

    In order: ``market.cost_category[setting]``; the scenario's only category of that setting; a
    category named ``standard_<setting>`` (the example council's naming); else None."""
    cats = scenario.cost_of_care.categories
    out = {}
    for setting in SETTINGS:
        of_setting = [k for k, c in cats.items() if c.setting == setting]
        if setting in scenario.market.cost_category:
            out[setting] = (scenario.market.cost_category[setting], "market.cost_category")
        elif len(of_setting) == 1:
            out[setting] = (of_setting[0], f"the scenario's only {setting} category")
        elif f"standard_{setting}" in cats:
            out[setting] = (f"standard_{setting}", f"the category named standard_{setting}")
        else:
            out[setting] = (None, f"no cost category for {setting} homes" + (
                f" (the scenario has {len(of_setting)}: {', '.join(of_setting)})" if of_setting else ""))
    return out


def home_categories(homes: pd.DataFrame) -> pd.Series:
    """Each home's own ``cost_category`` from the homes file ('' where not given). The data reader
    has checked it (a category of the scenario, of the home's setting:
    :func:`feemodel.inputs.data.check_consistency`)."""
    if "cost_category" not in homes:
        return pd.Series("", index=homes.index, dtype=object)
    return homes["cost_category"].fillna("")


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
    own = home_categories(book.homes).reindex(h.index).fillna("")
    default = cost_categories(scenario)
    h["cost_category"] = [o or default[st][0] or "" for o, st in zip(own, h.setting, strict=True)]
    uncosted = [st for st in SETTINGS if ((h.setting == st) & (h.cost_category == "")).any()]
    if uncosted and (h.cost_category != "").sum() == 0:
        raise NotComputed(f"no cost category for {uncosted[0]} homes: say which category their cost comes from under "
                          f"market.cost_category")
    left_out = {st: int(((h.setting == st) & (h.cost_category == "")).sum()) for st in uncosted}
    h = h[h.cost_category != ""]
    cost = np.zeros(len(h))
    when = scenario.rates_date
    settings = cost_settings(scenario, params)
    for key in dict.fromkeys(h.cost_category):
        m = (h.cost_category == key).to_numpy()
        cat = scenario.cost_of_care.categories[key]
        cost[m] = cost_at_occupancy(cat, scenario.cost_of_care.return_convention, params, when, h.occupancy_pct.to_numpy()[m], **settings)
    cost += np.where(h.setting.eq("nursing").to_numpy(), fnc_rate(params, when), 0.0)
    h["cost_gbp_pobw"] = pounds(cost)
    h["margin_now_pct"] = np.round((h.income_now_gbp_pobw - h.cost_gbp_pobw) / h.income_now_gbp_pobw * 100, 1)
    h["margin_new_pct"] = np.round((h.income_new_gbp_pobw - h.cost_gbp_pobw) / h.income_new_gbp_pobw * 100, 1)
    for c in ("income_now_gbp_pobw", "income_new_gbp_pobw"):
        h[c] = pounds(h[c])
    # which category each setting's homes are costed on, said in a column unless every setting used
    # the category named standard_<setting> (the examples' tables are unchanged)
    said = _cost_category_words(h, own.reindex(h.index).fillna(""), default, left_out)
    cols = ["home_id"] + (["home_name"] if scenario.publication.name_homes else []) + [
        "setting", "beds", "occupancy_pct", "income_now_gbp_pobw", "income_new_gbp_pobw", "cost_gbp_pobw", "margin_now_pct", "margin_new_pct"]
    if said is not None:
        cols.append("cost_category")
    per_home = h[cols].reset_index(drop=True)
    rows = []
    for setting in ("residential", "nursing", "all"):
        g = per_home if setting == "all" else per_home[per_home.setting == setting]
        extra = {"cost_category": said[setting]} if said is not None else {}
        if setting in left_out:
            # this setting's homes are left out of the table: no figures, and the row says why
            rows.append({"setting": setting, "homes": 0, "below_cost_now": 0, "below_cost_proposed": 0,
                         "median_margin_now_pct": np.nan, "median_margin_proposed_pct": np.nan,
                         "p10_margin_proposed_pct": np.nan, "p90_margin_proposed_pct": np.nan, **extra})
            continue
        rows.append({"setting": setting, "homes": len(g),
                     "below_cost_now": int((g.margin_now_pct < 0).sum()), "below_cost_proposed": int((g.margin_new_pct < 0).sum()),
                     "median_margin_now_pct": round(float(g.margin_now_pct.median()), 1),
                     "median_margin_proposed_pct": round(float(g.margin_new_pct.median()), 1),
                     "p10_margin_proposed_pct": round(float(g.margin_new_pct.quantile(0.1)), 1),
                     "p90_margin_proposed_pct": round(float(g.margin_new_pct.quantile(0.9)), 1), **extra})
    return per_home, pd.DataFrame(rows)


def _cost_category_words(h: pd.DataFrame, own: pd.Series, default: dict, left_out: dict) -> dict[str, str] | None:
    """{setting row: which category its homes' cost comes from, in words}, or None where every
    setting's homes are costed on the category named standard_<setting> (nothing to add)."""
    plain = not left_out and not (own != "").any() and all(
        how == f"the category named standard_{st}" for st, (_, how) in default.items() if (h.setting == st).any())
    if plain:
        return None
    words = {}
    for st in SETTINGS:
        key, how = default[st]
        if st in left_out:
            words[st] = (f"none: {st} homes are left out of this table ({how}); say which category their cost comes from "
                         f"under market.cost_category.{st}")
            continue
        mine = sorted(set(own[(h.setting == st) & (own != "")]))
        parts = ([f"the homes file's cost_category column ({', '.join(mine)})"] if mine else []) + (
            [f"{key} ({how})"] if key is not None and ((h.setting == st) & (own == "")).any() else [])
        words[st] = "; else ".join(parts) if parts else "no homes"
    words["all"] = "as the rows above" + (f"; {', '.join(left_out)} homes left out" if left_out else "")
    return words


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

"""Who gets what uplift, and what the market shows: the first year's change by group, in real terms.

:func:`by_uplift` puts each council placement in one group by its first year's fee (the cost
table's fees, :func:`feemodel.model.uplift.first_year`):

* ``protected``: kept at its own fee, or given the protection %, because it is paid above the rate
  the rule compares with (the cost table's protected placements);
* ``none``: not protected and its fee does not change; ``falls``: its fee falls;
* ``capped``: its fee rises, but only part of the way to the proposed rate (``target_rates`` phased
  over more than one year);
* ``full``: its fee rises by the whole change the proposal gives it.

A group with no placement is left out, except ``protected`` (shown with 0).

For each group: placements, homes with at least one of them, the average fee now and in the first
year (£ a week, excluding FNC and top-ups, each rounded once), the change in % (the sum of new fees
over the sum of fees now), the cost pressure (the offer table's ``all`` row, % a year) and the
real-terms change, (1 + change) / (1 + pressure) - 1, in %.

:func:`market_access` gives, by setting, the open in-county homes, their beds and the beds vacant
(beds less occupied beds, where the homes file gives occupied beds), and the council's in-county
placements with the share paid at or below their band's current rate with no top-up (third party
or the resident's own): the placements a home takes at the council's rate alone.

:func:`homes_over_time` counts homes opened and closed by calendar year (in-county homes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..money import pounds, round_half_up
from .case import Case
from .market import open_in_area
from .uplift import first_year

GROUPS = ("full", "capped", "protected", "none", "falls")


def by_uplift(case: Case, pressure_pct: float | None) -> pd.DataFrame:
    yf = first_year(case)
    a = case.arrays
    council = a.council
    old, new = yf.fee_old, yf.fee_new
    u = case.scenario.uplift
    phased = u.method == "target_rates" and u.phasing_years > 1
    group = np.where(yf.protected, "protected", np.where(new == old, "none", np.where(new < old, "falls",
                     "capped" if phased else "full")))
    homes = case.book.placements.home_id.to_numpy()
    rows = []
    for g in GROUPS:
        m = council & (group == g)
        n = int(m.sum())
        if not n and g != "protected":   # an empty group is left out; protection is always shown
            continue
        s_old, s_new = float(old[m].sum()), float(new[m].sum())
        change = (s_new / s_old - 1) * 100 if s_old else np.nan
        real = ((1 + change / 100) / (1 + pressure_pct / 100) - 1) * 100 if pressure_pct is not None and n else np.nan
        rows.append({"uplift_group": g, "placements": n, "homes": int(len({h for h in homes[m] if h})),
                     "average_fee_now_gbp_pw": pounds(s_old / n / 100) if n else np.nan,
                     "average_fee_new_gbp_pw": pounds(s_new / n / 100) if n else np.nan,
                     "change_pct": round_half_up(change, 2) if n else np.nan,
                     "pressure_pct": round_half_up(pressure_pct, 2) if pressure_pct is not None else np.nan,
                     "real_terms_change_pct": round_half_up(real, 2) if n and pressure_pct is not None else np.nan})
    return pd.DataFrame(rows)


def market_access(case: Case) -> pd.DataFrame:
    h = open_in_area(case.book.homes)
    p = case.book.placements
    council = p[(p.funding == "council") & p.home_id.isin(h.home_id)]
    rate = council.band.map({b: v / 100 for b, v in case.current_rates.items()})
    own = council.first_party_topup.fillna(0) if "first_party_topup" in council else 0.0
    at_rate = (council.weekly_fee <= rate + 1e-9) & (council.third_party_topup == 0) & (own == 0)
    rows = []
    for setting in ("residential", "nursing", "all"):
        hs = h if setting == "all" else h[h.setting == setting]
        cs = council if setting == "all" else council[council.setting == setting]
        known = hs[hs.occupied_beds.notna()]
        vacant = int((known.beds - known.occupied_beds).sum())
        n = len(cs)
        k = int(at_rate[cs.index].sum())
        rows.append({"setting": setting, "homes": len(hs), "beds": int(hs.beds.sum()), "vacant_beds": vacant,
                     "vacancy_pct": round_half_up(vacant / known.beds.sum() * 100, 1) if len(known) else np.nan,
                     "council_placements": n, "at_rate_without_topup": k,
                     "at_rate_without_topup_pct": round_half_up(k / n * 100, 1) if n else np.nan})
    return pd.DataFrame(rows)


def homes_over_time(case: Case) -> pd.DataFrame:
    h = case.book.homes[case.book.homes.area == "in"]
    opened = h.groupby(h.opened.dt.year).size()
    closed = h[h.closed.notna()].groupby(h.closed.dt.year).size()
    first = int(max(opened.index.min(), 2016)) if len(opened) else 2016
    last = int(max(opened.index.max() if len(opened) else first, closed.index.max() if len(closed) else first))
    years = range(first, last + 1)
    return pd.DataFrame({"year": list(years), "homes_opened": [int(opened.get(y, 0)) for y in years],
                         "homes_closed": [int(closed.get(y, 0)) for y in years]})

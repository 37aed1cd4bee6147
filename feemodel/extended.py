"""Add the market, demand, budget and sensitivity tables to a scenario's results."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import demand, market, sensitivity, uplift
from .engine import CostEngine
from .funding import as_arrays
from .indexation import uplift_index

if TYPE_CHECKING:  # pragma: no cover
    from .tables import Results

NOTES = {
    "market": "Beds, occupancy and payer shares of occupied beds in open in-county homes.",
    "beds_over_time": "Beds opened and closed by calendar year (in-county homes).",
    "sustainability": "Homes whose income per occupied bed-week is below their cost of care at their occupancy, now and proposed.",
    "self_funder_premium": "Premium self-funders pay over the council's average gross fee in the same home (£/week, £ a year).",
    "demand": "Council-supported admissions and placements projected by year and client group, with 90% intervals.",
    "demand_model": "Poisson GLM of admissions on age band and year with log(population) offset: coefficients.",
    "budget": "Council cost by year: growth from demand and from fees (£ a year).",
    "sensitivity": "One-way sensitivity of the first-year council cost to each assumption (tornado).",
    "montecarlo": "Monte Carlo range of the first-year council cost: P10, P50, P90 over seeded draws.",
}


def add_tables(r: Results) -> None:
    s, params, book = r.scenario, r.params, r.book
    t = r.tables
    index = uplift_index(s, params)
    arrays = as_arrays(book.placements)
    yf0 = r.year0
    t["market"] = market.capacity(book)
    t["beds_over_time"] = market.beds_over_time(book)
    per_home, agg = market.sustainability(s, params, book, yf0)
    r.private["sustainability_by_home"] = per_home
    t["sustainability"] = agg
    t["self_funder_premium"] = market.self_funder_premium(book, yf0)
    placements, coefs = demand.demand_table(s, book)
    t["demand"] = placements
    t["demand_model"] = coefs
    council = book.placements.funding.eq("council").to_numpy()
    weekly = {}
    for k, factor in enumerate(index.cumulative_factor):
        yf = uplift.year_fees(s, params, arrays, k, float(factor))
        weekly[s.financial_year + k] = float(yf.new["council"][council].mean()) / 100
    baseline = float(yf0.base["council"][council].mean()) / 100
    t["budget"] = demand.budget(placements, weekly, baseline)
    engine = CostEngine(s, params, book.placements)
    t["sensitivity"] = sensitivity.one_way(s, params, engine)
    mc, _ = sensitivity.monte_carlo(s, params, engine)
    t["montecarlo"] = mc
    stats = mc.set_index("statistic").council_cost_gbp
    r.headline["council_cost_range_gbp"] = {"P10": float(stats["P10"]), "P50": float(stats["P50"]), "P90": float(stats["P90"])}
    r.headline["homes_below_cost"] = {"now": int(agg.below_cost_now.iloc[-1]), "proposed": int(agg.below_cost_proposed.iloc[-1])}

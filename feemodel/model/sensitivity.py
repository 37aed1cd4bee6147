"""Sensitivity of the headline cost: one-way (tornado) and Monte Carlo ranges.

The headline is the council's first-year (part-year) net cost change, as in
:func:`feemodel.model.uplift.headline`. Each assumption moves from the scenario's value by the stated
change (see :class:`feemodel.inputs.scenario.Sensitivity` for units); cost-of-care assumptions move the
proposed rate card (so they matter for ``target_rates`` scenarios only), the pass-through moves
top-ups, demand growth scales the number of placements over the year.

Monte Carlo: independent draws, seeded (``numpy.random.default_rng(seed)``, assumptions drawn in
alphabetical order) so a seed reproduces the figures exactly. For ``normal`` the stated low and
high are the 10th and 90th percentiles (sd = (high - low) / (2 x 1.2816)). Results: P10, P50, P90.

Occupancy: a change moves every category of a proposed band by the same points and must keep each
within 1% to 100% (:func:`check_ranges` refuses a one-way, uniform or triangular range that does
not; ``normal`` draws are unbounded, so they are clipped to the widest change that does, and
:func:`monte_carlo_settings` states the clipping). A category with no ``occupancy_pct`` has no
occupancy to move: a range is refused while a proposed band uses one. Lines a category states
directly (``lines_prpw``) are used as given: no assumption here moves them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ..inputs.scenario import Scenario
from ..money import pounds
from .engine import CostEngine
from .rates import band_rates_adjusted

RATE_ASSUMPTIONS = ("nlw_premium", "occupancy_pct", "care_hours_pct", "return_on_operations_pct", "capital_yield_pct")
LABELS = {
    "nlw_premium": "Care pay premium over NLW (£/hour change)",
    "occupancy_pct": "Occupancy (points change)",
    "care_hours_pct": "Care hours per resident (% change)",
    "return_on_operations_pct": "Return on operations (points change)",
    "capital_yield_pct": "Capital yield (points change)",
    "provider_pass_through_pct": "Provider pass-through to top-ups (%)",
    "demand_growth_pct": "Growth in placements (% a year)",
}
Z90 = 1.2815515655446004  # standard normal 90th percentile


OCCUPANCY_RANGE = (1.0, 100.0)  # % a category's occupancy may take (as the scenario schema allows)


def _occupancy_categories(scenario: Scenario) -> list[tuple[str, float | None]]:
    """(category, occupancy %) of every category a proposed band is built from, in band order."""
    cats = scenario.cost_of_care.categories
    names = dict.fromkeys(b.category for b in scenario.bands("proposed") if b.category is not None)
    return [(name, cats[name].occupancy_pct) for name in names]


def occupancy_change_limits(scenario: Scenario) -> tuple[float, float] | None:
    """(lowest, highest) occupancy change in points that keeps every proposed band's category within
    1% to 100%; None where no proposed band is built from a category with an occupancy."""
    occ = [o for _, o in _occupancy_categories(scenario) if o is not None]
    if not occ:
        return None
    return OCCUPANCY_RANGE[0] - min(occ), OCCUPANCY_RANGE[1] - max(occ)


def check_ranges(scenario: Scenario) -> None:
    """Refuse sensitivity ranges the cost build-up cannot take, before anything is computed.

    For ``occupancy_pct`` in ``sensitivity.one_way`` and in ``sensitivity.monte_carlo`` (uniform and
    triangular; ``normal`` draws are clipped instead, see :func:`draw`): every category a proposed
    band is built from must stay within 1% to 100% at the low and at the high change
    (occupancy + low >= 1, occupancy + high <= 100). A range while a proposed band's category states
    no ``occupancy_pct`` is refused too (its cost does not depend on occupancy). Raises
    :class:`~feemodel.errors.InputError` naming the scenario and the key, for example
    ``sensitivity.one_way.occupancy_pct.high`` (exit code 2).
    """
    cfg = scenario.sensitivity
    given = []
    if "occupancy_pct" in cfg.one_way:
        given.append(("one_way", cfg.one_way["occupancy_pct"]))
    if "occupancy_pct" in cfg.monte_carlo:
        given.append(("monte_carlo", cfg.monte_carlo["occupancy_pct"]))
    if not given:
        return
    src = scenario.path or "scenario"
    used = _occupancy_categories(scenario)
    for kind, rng in given:
        for name, occ in used:
            if occ is None:
                raise InputError(src, f"sensitivity.{kind}.occupancy_pct",
                                 f"category {name!r} states no occupancy_pct, so its cost does not depend on occupancy; remove "
                                 f"the occupancy range, or state the category's occupancy_pct")
        if getattr(rng, "kind", None) == "normal":
            continue
        for end, change in (("low", rng.low), ("high", rng.high)):
            for name, occ in used:
                moved = occ + change
                if not OCCUPANCY_RANGE[0] <= moved <= OCCUPANCY_RANGE[1]:
                    lo, hi = occupancy_change_limits(scenario)
                    raise InputError(src, f"sensitivity.{kind}.occupancy_pct.{end}",
                                     f"{change:+g} points moves category {name!r} from {occ:g}% to {moved:g}% occupancy; occupancy "
                                     f"must stay from 1% to 100%, so the change may run from {lo:+g} to {hi:+g} points")


def headline_cost(engine: CostEngine, values: dict[str, np.ndarray]) -> np.ndarray:
    """Headline cost (£) for arrays of assumption changes (all the same length)."""
    n = max((np.size(v) for v in values.values()), default=1)
    adjust = {k: np.asarray(v, dtype=float) for k, v in values.items() if k in RATE_ASSUMPTIONS}
    rates = band_rates_adjusted(engine.case.scenario, engine.case.params, adjust, n)
    matrix = np.stack([np.broadcast_to(rates[b], (n,)) for b in engine.proposed_names], axis=1)
    # provider pass-through moves families' top-ups, not the council's net cost: no input here
    return engine.council_cost(matrix, demand_growth_pct=values.get("demand_growth_pct", 0.0))


def one_way(engine: CostEngine) -> pd.DataFrame:
    """Tornado table: headline at each assumption's low and high, sorted by swing."""
    scenario = engine.scenario
    base = float(headline_cost(engine, {})[0])
    rows = []
    for name, rng in scenario.sensitivity.one_way.items():
        lo, hi = headline_cost(engine, {name: np.array([rng.low, rng.high])})
        rows.append({"assumption": name, "label": LABELS[name], "low": rng.low, "high": rng.high,
                     "base_cost_gbp": pounds(base), "cost_at_low_gbp": pounds(float(lo)),
                     "cost_at_high_gbp": pounds(float(hi)), "swing_gbp": pounds(abs(float(hi) - float(lo)))})
    out = pd.DataFrame(rows, columns=["assumption", "label", "low", "high", "base_cost_gbp", "cost_at_low_gbp",
                                      "cost_at_high_gbp", "swing_gbp"])
    return out.sort_values(["swing_gbp", "assumption"], ascending=[False, True]).reset_index(drop=True)


def draw(scenario: Scenario, draws: int | None = None, seed: int | None = None) -> dict[str, np.ndarray]:
    """Seeded draws of every uncertain assumption. Provider pass-through is clipped to 0-100%;
    normal occupancy changes are clipped so every proposed band's category stays within 1-100%
    (:func:`occupancy_change_limits`), after drawing, so the seed's other draws are unchanged."""
    cfg = scenario.sensitivity
    n = draws or cfg.draws
    rng = np.random.default_rng(cfg.seed if seed is None else seed)
    out = {}
    for name in sorted(cfg.monte_carlo):
        d = cfg.monte_carlo[name]
        if d.kind == "normal":
            out[name] = rng.normal((d.low + d.high) / 2, (d.high - d.low) / (2 * Z90), n)
        elif d.kind == "uniform":
            out[name] = rng.uniform(d.low, d.high, n)
        else:
            out[name] = rng.triangular(d.low, d.mode, d.high, n) if d.high > d.low else np.full(n, d.low)
    if "provider_pass_through_pct" in out:
        out["provider_pass_through_pct"] = np.clip(out["provider_pass_through_pct"], 0, 100)
    limits = _normal_occupancy_limits(scenario)
    if limits is not None:
        out["occupancy_pct"] = np.clip(out["occupancy_pct"], *limits)
    return out


def _normal_occupancy_limits(scenario: Scenario) -> tuple[float, float] | None:
    """The clip of normal occupancy draws (see :func:`occupancy_change_limits`), or None."""
    d = scenario.sensitivity.monte_carlo.get("occupancy_pct")
    return occupancy_change_limits(scenario) if d is not None and d.kind == "normal" else None


def monte_carlo(engine: CostEngine, draws: int | None = None, seed: int | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """The headline cost with the scenario as stated, then P10 / P50 / P90 and the mean over seeded
    draws (£ a year, one kind of value in the column); returns (table, costs). The number of draws
    and the seed are :func:`monte_carlo_settings`."""
    values = draw(engine.scenario, draws, seed)
    costs = headline_cost(engine, values)
    central = float(headline_cost(engine, {})[0])
    rows = [{"statistic": s, "council_cost_gbp": pounds(float(v))} for s, v in
            [("as stated", central), ("P10", np.percentile(costs, 10)), ("P50", np.percentile(costs, 50)),
             ("P90", np.percentile(costs, 90)), ("mean", costs.mean())]]
    return pd.DataFrame(rows), costs


def monte_carlo_settings(scenario: Scenario, draws: int | None = None, seed: int | None = None) -> dict:
    """The draws and seed a Monte Carlo run uses (the scenario's unless given); where normal
    occupancy draws are clipped, also ``occupancy_pct_clipped_to``: {low, high} (points of change)
    and a note saying why (the headline's ``council_cost_range_gbp`` carries these keys)."""
    out = {"draws": int(draws or scenario.sensitivity.draws),
           "seed": int(scenario.sensitivity.seed if seed is None else seed)}
    limits = _normal_occupancy_limits(scenario)
    if limits is not None:
        out["occupancy_pct_clipped_to"] = {
            "low": limits[0], "high": limits[1],
            "note": f"normal draws of the occupancy change are clipped to {limits[0]:+g} to {limits[1]:+g} points, so every "
                    f"category of a proposed band stays from 1% to 100% occupancy"}
    return out

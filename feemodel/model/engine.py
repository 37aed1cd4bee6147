"""Vectorised first-year costing: the council's cost of many rate sets at once.

The same rules as :mod:`feemodel.model.uplift` (a test checks the two agree to the penny), arranged as
arrays of draws x council placements so Monte Carlo, the explorer and the benchmark can evaluate
thousands of variants in seconds. Work is in whole pence; the £ result is summed and rounded once.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..money import to_pence
from .case import Case
from .charging import ChargingRules, assess_pence
from .uplift import (GROUPS, band_rates_costed, exposure_weeks, first_year_pct, group_cost, needs_options, out_of_area_factor,
                     percent_fees, phased_rate, placement_options, round_rate, split_fees, target_fees)

BIG = np.int64(10**12)
MEMORY_BUDGET_BYTES = 1 << 30  # 1 GiB for the draws x placements working arrays


class CostEngine:
    """Per-placement arrays for the first year of a scenario (council-arranged placements only)."""

    def __init__(self, case: Case):
        self.case = case
        self.scenario = scenario = case.scenario
        # placements in the cost table's group order (band, client group, area), so each group's
        # weekly changes sum with one np.add.reduceat and round exactly as the table's rows do
        codes = case.council_placements.groupby(GROUPS, sort=True).ngroup().to_numpy()
        order = np.argsort(codes, kind="stable")
        a = case.council_arrays.take(order)
        self.starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0]) if len(codes) else np.array([], dtype=np.intp)
        self.n = a.n
        self.fee_old = a.fee
        self.in_area = a.in_area
        current = case.current_rates
        self.current_names = list(current)
        self.proposed_names = [b.name for b in scenario.bands("proposed")]
        self.band_old = a.band_values(current)
        self.current_of = a.band_values({b: i for i, b in enumerate(self.current_names)}, -1)
        # unsplit bands map to one proposed band; a split band, or placements with their own proposed
        # band or supplementary hours, are costed over every band they may move to (split_fees)
        u = scenario.uplift
        self.options = u.method == "target_rates" and needs_options(case, a)
        if self.options:
            _, self.option_weights, self.supplement = placement_options(scenario, a)
        else:
            self.maps_to = np.array([self.proposed_names.index(scenario.band_mapping[b]) for b in self.current_names])
        self.current_rate = np.array([current[b] for b in self.current_names], dtype=np.int64)
        # uncapped contribution: the data's assessed amount, else the means test; above the upper
        # capital limit the resident pays the whole fee (BIG caps at any fee)
        m = assess_pence(a.income, a.capital, ChargingRules.on(scenario.year_date(0), case.params))
        self.contribution = np.where(a.given >= 0, a.given, np.where(m["self_funder"], BIG, m["contribution"]))
        # per_band / index: each placement's first-year % on its own fee, and its band's new rate
        # (the cost table's, so both round alike); uniform draws are costed in _weekly
        if u.pct_method and u.method != "uniform":
            self.fee_pct = a.band_values({b: v["core"] for b, v in first_year_pct(case, u).items()}, 0.0, float)
            self.band_costed = a.band_values(band_rates_costed(case))
        self.out_factor = out_of_area_factor(case, 1.0) if (~a.in_area).any() else None

    def weights(self, demand_growth_pct=0.0):
        """Part-year placement-weeks (original resident, replacement), scaled for book growth."""
        s = self.scenario
        ws, wr = exposure_weeks(s, 0, s.uplift.effective_date)
        start = (s.uplift.effective_date - s.year_start).days
        days = np.arange(start, (dt.date(s.financial_year + 1, 4, 1) - s.year_start).days)
        g = np.atleast_1d(np.asarray(demand_growth_pct, dtype=float))
        growth = ((1 + g[:, None] / 100) ** (days[None, :] / 365.25)).mean(axis=1)
        return ws * growth, wr * growth

    def chunk_size(self) -> int:
        """Draws costed at once: about a dozen draws x placements arrays of 8 bytes live together,
        kept within :data:`MEMORY_BUDGET_BYTES` (at least 1, at most 500 draws)."""
        per_draw = max(self.n, 1) * 8 * 12
        return int(min(500, max(1, MEMORY_BUDGET_BYTES // per_draw)))

    def council_cost(self, proposed_rates: np.ndarray | None = None, demand_growth_pct=0.0,
                     uniform_pct=None, chunk: int | None = None) -> np.ndarray:
        """First-year (part-year) change in the council's net cost, £, one value per draw.

        ``proposed_rates``: draws x proposed bands, pence (target_rates method). ``uniform_pct``:
        per draw, for the uniform method (default: the scenario's). ``uplift.reach``, ``rounding``,
        band splits and placements' own proposed bands and supplementary hours follow the cost
        table's rules (the same functions: :func:`~feemodel.model.uplift.target_fees`,
        :func:`~feemodel.model.uplift.split_fees`, :func:`~feemodel.model.uplift.percent_fees`). Provider pass-through is not an
        input: it moves families' top-ups, not the council's net cost. Each group of placements
        (band, client group, area) is costed and rounded to the penny as a row of the cost table
        is, so the scenario as stated gives the headline figure exactly.
        """
        chunk = chunk or self.chunk_size()
        u = self.scenario.uplift
        if proposed_rates is None:
            proposed_rates = np.array([[0] * len(self.proposed_names)])
        proposed_rates = np.atleast_2d(np.asarray(proposed_rates, dtype=np.int64))
        draws = max(len(proposed_rates), np.size(demand_growth_pct), np.size(uniform_pct) if uniform_pct is not None else 1)
        proposed_rates = np.broadcast_to(proposed_rates, (draws, proposed_rates.shape[1]))
        up = np.broadcast_to(np.asarray(u.uniform_pct if uniform_pct is None else uniform_pct, dtype=float), (draws,))
        ws, wr = self.weights(np.broadcast_to(np.asarray(demand_growth_pct, dtype=float), (draws,)))
        out = np.empty(draws)
        for lo in range(0, draws, chunk):
            hi = min(draws, lo + chunk)
            weekly_s, weekly_r = self._weekly(proposed_rates[lo:hi], up[lo:hi])   # draws x groups, pence
            by_group = group_cost(weekly_s, weekly_r, ws[lo:hi, None], wr[lo:hi, None])
            out[lo:hi] = to_pence(by_group / 100).sum(axis=1) / 100
        return out

    def _weekly(self, proposed, up):
        """Per draw: summed weekly change (pence) for original residents and for replacements."""
        u = self.scenario.uplift
        fee_old = self.fee_old[None, :]
        band_old = self.band_old[None, :]
        if u.method == "target_rates":
            share = min(1.0, 1 / u.phasing_years)
            if self.options:
                # first year: the proposed rate (pence) plus the placement's own supplement, phased
                rates = [phased_rate(band_old, proposed[:, j][:, None] + self.supplement[None, :, j], share, u.rounding)
                         for j in range(len(self.proposed_names))]
                weights = [self.option_weights[:, j][None, :] for j in range(len(self.proposed_names))]
                fee_new, _, band_new = split_fees(u, fee_old, band_old, weights, rates, self.in_area[None, :], self.out_factor)
            else:
                target = proposed[:, self.maps_to]                       # draws x current bands
                rate_k = phased_rate(self.current_rate[None, :], target, share, u.rounding)
                band_new = rate_k[:, self.current_of]                     # draws x placements
                fee_new, _ = target_fees(u, fee_old, band_old, band_new, self.in_area[None, :], self.out_factor)
        else:
            if u.method == "uniform":
                factor = 1 + up[:, None] / 100
                band_new = round_rate(band_old / 100 * factor, u.rounding)
            else:
                factor = np.broadcast_to(1 + self.fee_pct[None, :] / 100, (len(up), self.n))
                band_new = np.broadcast_to(self.band_costed[None, :], (len(up), self.n))
            fee_new, _ = percent_fees(u, fee_old, band_old, band_new, self.in_area[None, :], factor, self.out_factor)
        c = self.contribution[None, :]
        d_council = (fee_new - np.minimum(c, fee_new)) - (fee_old - np.minimum(c, fee_old))
        d_fee = fee_new - fee_old
        d_repl = np.where(self.in_area[None, :], band_new - band_old, d_fee)
        if not self.n:
            return np.zeros((len(up), 0), dtype=np.int64), np.zeros((len(up), 0), dtype=np.int64)
        return np.add.reduceat(d_council, self.starts, axis=1), np.add.reduceat(d_repl, self.starts, axis=1)

"""A loaded case: one scenario, the national parameters in force, the council's data, and what is
derived from them once.

In the manner of PolicyEngine's ``Simulation``: model functions take the case and read what they
need from it, instead of being handed ``(scenario, params, book)`` down every call. Derived values
are computed on first use and kept:

* ``current_rates`` / ``proposed_rates``: {band: weekly rate in pence, excluding any FNC included};
* ``arrays`` / ``council_arrays``: the placement book encoded once (whole pence, category codes);
* ``index``: the yearly uplift index over the projection years;
* :meth:`derive`: any other value computed once per case (for example the first year's fees).

A variant of the same council (the explorer's levers, a sweep point) is :meth:`with_scenario`,
which shares everything derived from the book alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from ..inputs.data import Book
from ..inputs.params import NationalParameters
from ..inputs.scenario import Scenario
from .funding import BookArrays, as_arrays
from .indexation import uplift_index
from .rates import band_rates

BOOK_DERIVED = ("arrays", "council_arrays", "council_placements")


@dataclass(eq=False)
class Case:
    """A scenario with its parameters and data. Read-only by convention; derived values are cached."""

    scenario: Scenario
    params: NationalParameters
    book: Book
    _memo: dict = field(default_factory=dict, repr=False)

    # ---- rates (pence a week)
    @cached_property
    def current_rates(self) -> dict[str, int]:
        """Rates paid now, by current band (pence a week, excluding FNC)."""
        return band_rates(self.scenario, self.params, "current")

    @cached_property
    def proposed_rates(self) -> dict[str, int]:
        """Proposed rate card, by proposed band (pence a week, excluding FNC)."""
        return band_rates(self.scenario, self.params, "proposed")

    # ---- the book, encoded once
    @cached_property
    def arrays(self) -> BookArrays:
        """Every placement as arrays (whole pence, codes)."""
        return as_arrays(self.book.placements)

    @cached_property
    def council_placements(self) -> pd.DataFrame:
        """Council-arranged placements (rows of the book, renumbered from 0)."""
        p = self.book.placements
        return p[p.funding.eq("council")].reset_index(drop=True)

    @cached_property
    def council_arrays(self) -> BookArrays:
        """Council-arranged placements as arrays, in book order."""
        return self.arrays.take(self.arrays.council)

    # ---- time
    @cached_property
    def index(self) -> pd.DataFrame:
        """Yearly uplift index for the projection years (one row a year, from the scenario's year)."""
        return uplift_index(self.scenario, self.params, self.scenario.demand.projection_years)

    def has(self, data: str) -> bool:
        """Whether the data file ``data`` (placements, homes, cost_survey, population, admissions) was given."""
        return getattr(self.book, data, None) is not None

    def derive(self, key: str, build: Callable[[Case], Any]) -> Any:
        """``build(self)``, computed once per case and kept under ``key``."""
        if key not in self._memo:
            self._memo[key] = build(self)
        return self._memo[key]

    def with_scenario(self, scenario: Scenario) -> Case:
        """The same council's data under another scenario; book-derived arrays are shared."""
        other = Case(scenario, self.params, self.book)
        for name in BOOK_DERIVED:
            if name in self.__dict__:
                other.__dict__[name] = self.__dict__[name]
        return other

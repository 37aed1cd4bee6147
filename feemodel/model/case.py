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
# each input of :meth:`Case.has`: (words when it is not given, the file's name)
INPUT_WORDS = {
    "book": ("no placement book", "the placement book"),
    "placements": ("no placement book", "the placement book"),
    "homes": ("no care homes file", "the care homes file"),
    "cost_survey": ("no provider cost survey", "the provider cost survey"),
    "survey": ("no provider cost survey", "the provider cost survey"),
    "population": ("no population figures", "the population file"),
    "admissions": ("no admissions history", "the admissions file"),
}


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
        """Whether the case has the input ``data`` with at least one row:

        * ``book``: placements, resident-level or expanded from a placement summary;
        * ``placements``: resident-level placements (a row per resident, with homes and start dates);
        * ``survey``: a cost survey, per-home rows or a published summary;
        * ``cost_survey``: per-home survey rows;
        * ``homes``, ``population``, ``admissions``: those files.
        """
        return self.missing(data) is None

    def missing(self, data: str) -> str | None:
        """Why the input ``data`` (see :meth:`has`) is not available, in words; None when it is."""
        b = self.book
        absent, noun = INPUT_WORDS[data]
        if data == "survey":
            if self.has("cost_survey") or (b.survey_published is not None and len(b.survey_published)):
                return None
            return absent if b.cost_survey is None and b.survey_published is None else f"{noun} has no rows"
        if data == "cost_survey" and b.survey_published is not None:
            return "the cost survey is a published summary, without homes' returns"
        frame = getattr(b, "placements" if data == "book" else data)
        if frame is None:
            return absent
        if not len(frame):
            return f"{noun} has no rows"
        if data == "placements" and b.from_summary:
            return "the placement book is a summary by band, without residents, homes or start dates"
        return None

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

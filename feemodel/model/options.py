"""The options considered, costed by the same engine, and the consultation's other evidence.

:func:`options_table` costs this scenario and each scenario named under ``options_considered``
(files beside this one; each loaded and validated as any scenario is, with its own data files) by
the same first-year cost table (:func:`feemodel.model.uplift.uplift_cost`): the council's change in
cost (part year and full year, £), the council placements, those whose fee or top-up changes and
those protected, and the average first-year change in council fees (the sum of first-year band
rates over the sum of current band rates, weighted by placements, in %), with the reason the
scenario records (``chosen_reason`` for this one, each option's ``reason``). An option file that
is missing or outside the scenario's folder skips the table with the reason.

:func:`comparators` sets other councils' published rates and uplifts (the optional comparators
file) beside this proposal's first-year rates and uplifts by band (the offer table).

:func:`response_log` is the consultation's "you said, we did" (the optional response log file):
shown only when ``publication.status`` is ``final``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..errors import InputError, NotComputed
from ..money import round_half_up
from .case import Case
from .uplift import headline, uplift_cost

COLUMNS = ["option", "scenario_file", "title", "method", "placements", "placements_affected", "placements_protected",
           "average_change_pct", "council_cost_part_year_gbp", "council_cost_full_year_gbp", "reason"]


def _row(case: Case, option: str, file: str, reason: str, mapping: pd.DataFrame) -> dict:
    h = headline(uplift_cost(case))
    s = case.scenario
    n = mapping.placements.astype(float)
    change = float((mapping.first_year_rate_gbp_pw * n).sum() / (mapping.current_rate_gbp_pw * n).sum() - 1) * 100 \
        if float((mapping.current_rate_gbp_pw * n).sum()) else np.nan
    return {"option": option, "scenario_file": file, "title": s.title, "method": s.uplift.method,
            "placements": int(len(case.council_placements)), "placements_affected": int(h["placements_affected"]),
            "placements_protected": int(h["placements_protected"]), "average_change_pct": round_half_up(change, 2),
            "council_cost_part_year_gbp": h["council_net_change_part_year_gbp"],
            "council_cost_full_year_gbp": h["council_net_change_full_year_gbp"], "reason": reason}


def options_table(case: Case, load: Callable[[str], Case], mapping_of: Callable[[Case], pd.DataFrame]) -> pd.DataFrame:
    """This scenario ("proposed") and each option considered ("option 1", ...), side by side.
    ``load``: a scenario path -> its case; ``mapping_of``: a case -> its band mapping table."""
    s = case.scenario
    if not s.options_considered:
        raise NotComputed("the scenario names no options_considered (other scenarios costed beside it)")
    folder = s.folder.resolve()
    rows = [_row(case, "proposed", s.path.name if s.path else "", s.chosen_reason or "no reason recorded", mapping_of(case))]
    for i, opt in enumerate(s.options_considered, start=1):
        target = (folder / opt.scenario).resolve()
        key = f"options_considered.{i - 1}.scenario"
        if not target.is_relative_to(folder):
            raise NotComputed(f"{key}: {opt.scenario!r} points outside the scenario's folder")
        if not target.is_file():
            raise NotComputed(f"{key}: {opt.scenario!r} was not found beside the scenario")
        try:
            other = load(str(target))
        except InputError as exc:
            raise NotComputed(f"{key}: {opt.scenario!r} could not be costed ({exc.where}: {exc.problem})") from None
        rows.append(_row(other, f"option {i}", opt.scenario, opt.reason, mapping_of(other)))
    return pd.DataFrame(rows, columns=COLUMNS)


def comparators(case: Case, offer: pd.DataFrame | None) -> pd.DataFrame:
    c = case.book.comparators
    if c is None:
        raise NotComputed("no comparators file (other councils' published rates and uplifts) is given")
    s = case.scenario
    rows = [dict(r) for _, r in c.iterrows()]
    if offer is not None:
        for _, r in offer[offer.current_band != "all"].iterrows():
            band = r.proposed_band if r.proposed_band == r.current_band else f"{r.proposed_band} (from {r.current_band})"
            rows.append({"council": s.council, "financial_year": s.financial_year, "band": band,
                         "weekly_rate": r.first_year_rate_gbp_pw, "uplift_pct": round_half_up(float(r.offer_pct), 2),
                         "source": "this proposal (first year)"})
    out = pd.DataFrame(rows, columns=["council", "financial_year", "band", "weekly_rate", "uplift_pct", "source"])
    out["financial_year"] = out.financial_year.astype(int)
    out = out.drop_duplicates().sort_values(["band", "council", "financial_year"], kind="stable").reset_index(drop=True)
    return out.rename(columns={"weekly_rate": "weekly_rate_gbp_pw"})


def response_log(case: Case) -> pd.DataFrame:
    log = case.book.response_log
    if log is None:
        raise NotComputed("no response log (the consultation's responses by theme and the council's answer) is given")
    if case.scenario.publication.status != "final":
        raise NotComputed("the pack is a consultation draft: the responses and the council's answers are shown in the final pack "
                          "(publication.status: final)")
    return log.reset_index(drop=True)

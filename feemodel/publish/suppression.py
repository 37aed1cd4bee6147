"""Small-number suppression for published tables, primary and secondary.

Each table names its count columns (in the table registry); the first is the row's population
(placements, homes, self-funders), the rest are sub-counts of it (placements protected, homes below
cost).

Primary suppression
  * A population below the threshold (default 5) is shown as "<5" and every other figure on the row
    (sums, averages, sub-counts) is withheld (""), because it describes those few people.
  * A sub-count below the threshold is shown as "<5" on its own; the row's other figures describe
    the whole (larger) population and stay.

Secondary suppression (the rule that makes suppression survive subtraction)
  Cells that add up are declared per table in ``STRUCTURES`` (and across tables in ``LINKS``):
  rows that add up to a total row ("all", "All bands") or to a total published elsewhere (the
  year's cost, the council's placements), every stacked grouping of the same placements, column
  identities (placements = placements affected + protected), rows that describe the same people
  (the same band in every year) and the same counts shown in two tables. Each declaration gives
  sets of count cells, each set adding up to a figure a reader knows or can derive.

  In plain words: *whenever a count is withheld in a set of counts that adds up to a known figure,
  at least one more count of that set is withheld, so that no subtraction gives it back; and if
  every withheld count in a set of three or more is a "<5", one more is withheld, so that the
  known bounds 1 to 4 cannot pin them either; and while the withheld counts of a set add up to
  fewer than the threshold, one more is withheld, since their total (the known figure less the
  counts shown) would show that each of them is small.* The count withheld is the smallest other non-zero
  count of the set (ties: the first in the table), never one published elsewhere anyway. A withheld population withholds its whole row:
  its sub-counts and its money and average figures. This is repeated until nothing changes. Money
  and average figures are withheld exactly where their row's population is, so the same sets
  protect them.

* A count withheld by the secondary rule is shown as "" (it may be any size); "<5" always means a
  count from 1 to 4. Withheld money and average figures are shown as "".
* Zero is not disclosive and is shown, and is never chosen as a second cell. Rows are never dropped,
  so readers see what was withheld.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

Cell = tuple[str, int, str]  # (table, row position, count column)


@dataclass(frozen=True)
class Adds:
    """Rows that add up. In each group of rows alike in ``within``, the rows add up to a total: the
    row whose ``over`` column is ``total`` when given, else a figure published elsewhere. ``where``
    keeps only rows with one of the values given, ``unless`` leaves rows out; ``columns`` names the
    count columns that add up this way (default: all of the table's counts)."""

    over: str | None = None
    within: tuple[str, ...] = ()
    total: str | None = None
    columns: tuple[str, ...] = ()
    where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    unless: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Parts:
    """A column identity on every row: ``total`` = sum of ``parts``."""

    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Structure:
    """What adds up in one table; ``alike`` names the label columns across which rows alike in every
    other label describe the same people (their populations are withheld together); ``known`` picks
    rows (by label) whose counts are published elsewhere, so withholding them would hide nothing:
    they are never chosen as the second cell. ``whole_rows``: a withheld count withholds its row's
    population too, so a row is shown whole or withheld whole (for a cross-tabulation whose
    sub-counts and both margins are published, where cells withheld one at a time can be pinned by
    the bounds "<5" gives)."""

    adds: tuple[Adds, ...] = ()
    parts: tuple[Parts, ...] = ()
    alike: tuple[str, ...] = ()
    known: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    whole_rows: bool = False


@dataclass(frozen=True)
class Across:
    """The same placements counted in two tables: in ``table`` the row (among ``where``) whose ``key``
    is k equals the sum of the rows of ``other`` whose ``other_key`` is k, in each group of ``other``
    alike in ``within`` (``other_key`` None: every row of the group)."""

    table: str
    key: str
    other: str
    other_key: str | None
    within: tuple[str, ...] = ()
    where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    column: str = "placements"
    other_column: str = "placements"


@dataclass(frozen=True)
class Same:
    """One count shown in two tables: the row of ``table`` picked by ``where`` (column ``column``) is
    the same figure as the row of ``other`` picked by ``other_where`` (column ``other_column``); if
    either is withheld, both are."""

    table: str
    where: Mapping[str, tuple[str, ...]]
    column: str
    other: str
    other_where: Mapping[str, tuple[str, ...]]
    other_column: str


YEAR = ("financial_year", "period")
NOT_COUNCIL = ("(not council-funded)",)
STRUCTURES: dict[str, Structure] = {
    # one row per current band; together they are the council's placements
    "band_mapping": Structure(adds=(Adds(),)),
    # the same placements stacked by band, client group, area and funding: every grouping adds up to
    # the same total; the council's bands add up to the council row of the funding grouping, and
    # "(not council-funded)" to its other rows (chc, self)
    "funding_summary": Structure(adds=(
        Adds(over="group", within=("grouping",)),
        Adds(over="group", where={"grouping": ("band", "funding")}, unless={"group": NOT_COUNCIL + ("chc", "self")}),
        Adds(over="group", where={"grouping": ("band", "funding"), "group": NOT_COUNCIL + ("chc", "self")}),
    ), known={"group": ("council",) + NOT_COUNCIL}),  # the year's placements (uplift_cost), and the rest
    # each year and period adds up to the year's totals (the pack's by-year table and headline), and
    # within it each band's placements to the band's placements (funding_summary); the same band,
    # client group and area are the same placements in every year
    "uplift_cost": Structure(
        adds=(Adds(over="band", within=YEAR), Adds(over="area", within=(*YEAR, "band"), columns=("placements",))),
        parts=(Parts("placements", ("placements_affected", "protected")),),
        alike=YEAR),
    # bands add up to "All bands" for each outcome; each band's outcomes add up to its placements
    # with top-ups (published for all bands in the headline)
    "topups": Structure(adds=(Adds(over="band", within=("outcome",), total="All bands"), Adds(over="outcome", within=("band",)))),
    # bins of homes add up to the homes with council placements
    "provider_income": Structure(adds=(Adds(over="group"),)),
    "market": Structure(adds=(Adds(over="setting", total="all"),)),
    "sustainability": Structure(adds=(Adds(over="setting", total="all"),)),
    "self_funder_premium": Structure(adds=(Adds(over="setting", within=("case",), total="all"),), alike=("case",)),
    # the families' outcomes add up to all placements with a top-up
    "who_gains": Structure(adds=(Adds(over="what", where={"who": ("Families paying top-ups",)}, total="All top-ups"),)),
    # each characteristic's groups (with "not recorded") add up to the council's placements and to the
    # self-funders (funding_summary), to the placements with top-ups (headline) and to each top-up
    # outcome (topups, "All bands"); a top-up row's top-ups fall, rise, end or stay, so groups x
    # outcomes is a cross-tabulation with both margins known: rows are withheld whole
    "equality": Structure(adds=(Adds(over="group", within=("characteristic", "who")),),
                          parts=(Parts("placements", ("topups_fall", "topups_rise", "topups_vanish", "topups_unchanged")),),
                          whole_rows=True),
    # the first year's groups (full, capped, protected, none, falls) add up to the council's placements
    # (the headline); homes are not additive (a home has placements in several groups)
    "uplift_groups": Structure(adds=(Adds(over="uplift_group", columns=("placements",)),)),
    # settings add up to "all"; the placements at the rate without a top-up are a sub-count
    "market_access": Structure(adds=(Adds(over="setting", total="all", columns=("council_placements", "at_rate_without_topup")),)),
    # each option's placements are those whose fee or top-up changes and those protected
    "options": Structure(parts=(Parts("placements", ("placements_affected", "placements_protected")),)),
}
EQUALITY_OUTCOMES = {"falls": "topups_fall", "rises": "topups_rise", "vanishes": "topups_vanish", "unchanged": "topups_unchanged"}
_FAMILIES = {"who": ("Families paying top-ups",)}
SAME: tuple[Same, ...] = (
    # the brief's "who gains" table repeats counts published in the detailed tables
    *(Same("who_gains", {**_FAMILIES, "what": (what,)}, "count", "topups", {"band": ("All bands",), "outcome": (outcome,)}, "placements")
      for outcome, what in (("falls", "Top-up falls"), ("vanishes", "Top-up ends"),
                            ("rises", "Top-up rises"), ("unchanged", "Top-up unchanged"))),
    Same("who_gains", {"who": ("Self-funders",)}, "count", "self_funder_premium", {"case": ("now",), "setting": ("all",)}, "self_funders"),
    Same("who_gains", {"what": ("Below their cost of care now",)}, "count", "sustainability", {"setting": ("all",)}, "below_cost_now"),
    Same("who_gains", {"what": ("Below their cost of care under the proposal",)}, "count", "sustainability", {"setting": ("all",)},
         "below_cost_proposed"),
)
LINKS: tuple[Across, ...] = (
    Across("funding_summary", "group", "band_mapping", "current_band", where={"grouping": ("band",)}),
    Across("funding_summary", "group", "uplift_cost", "band", within=YEAR, where={"grouping": ("band",)}),
    Across("funding_summary", "group", "equality", "who", within=("characteristic",), where={"grouping": ("funding",)}),
    *(Across("topups", "outcome", "equality", None, within=("characteristic",), where={"band": ("All bands",), "outcome": (o,)},
             other_column=c) for o, c in EQUALITY_OUTCOMES.items()),
)


def _rows(frame: pd.DataFrame, where: Mapping, unless: Mapping) -> pd.Series:
    keep = pd.Series(True, index=frame.index)
    for col, values in where.items():
        keep &= frame[col].isin(values) if col in frame else False
    for col, values in unless.items():
        if col in frame:
            keep &= ~frame[col].isin(values)
    return keep


def _groups(frame: pd.DataFrame, rows: pd.Series, within: tuple[str, ...]) -> list[list[int]]:
    """Row positions of ``rows``, grouped by ``within`` (order of first appearance)."""
    pos = [i for i, k in enumerate(rows.tolist()) if k]
    if not within:
        return [pos] if pos else []
    groups: dict[tuple, list[int]] = {}
    for i in pos:
        groups.setdefault(tuple(frame[c].iloc[i] for c in within), []).append(i)
    return list(groups.values())


def _label_columns(frame: pd.DataFrame, counts: list[str]) -> list[str]:
    return [c for c in frame.columns if c not in counts and not pd.api.types.is_numeric_dtype(frame[c])
            and not pd.api.types.is_bool_dtype(frame[c])]


def _sets(name: str, frame: pd.DataFrame, counts: list[str], s: Structure) -> list[list[Cell]]:
    """The sets of count cells that add up to a known figure, for one table."""
    sets: list[list[Cell]] = []
    for a in s.adds:
        for group in _groups(frame, _rows(frame, a.where, a.unless), a.within):
            for col in a.columns or counts:
                sets.append([(name, i, col) for i in group])  # total row (if any) is one of the set
    for p in s.parts:
        if p.total in frame and all(c in frame for c in p.parts):
            sets.extend([(name, i, p.total)] + [(name, i, c) for c in p.parts] for i in range(len(frame)))
    if s.alike and counts:
        labels = [c for c in _label_columns(frame, counts) if c not in s.alike]
        for group in _groups(frame, pd.Series(True, index=frame.index), tuple(labels)):
            sets.extend([[(name, a, counts[0]), (name, b, counts[0])] for a, b in zip(group, group[1:], strict=False)])
    return sets


def _link_sets(link: Across, tables: Mapping[str, pd.DataFrame]) -> list[list[Cell]]:
    if link.table not in tables or link.other not in tables:
        return []
    t, o = tables[link.table], tables[link.other]
    if link.column not in t or link.other_column not in o or link.key not in t or (link.other_key is not None and link.other_key not in o):
        return []
    totals = {t[link.key].iloc[i]: i for i, k in enumerate(_rows(t, link.where, {}).tolist()) if k}
    sets = []
    for group in _groups(o, pd.Series(True, index=o.index), link.within):
        for key, i in totals.items():
            sets.append([(link.table, i, link.column)] + [(link.other, j, link.other_column) for j in group
                                                          if link.other_key is None or o[link.other_key].iloc[j] == key])
    return sets


def _same_sets(same: Same, tables: Mapping[str, pd.DataFrame]) -> list[list[Cell]]:
    if same.table not in tables or same.other not in tables:
        return []
    a = [(same.table, i, same.column) for i, k in enumerate(_rows(tables[same.table], same.where, {}).tolist()) if k]
    b = [(same.other, j, same.other_column) for j, k in enumerate(_rows(tables[same.other], same.other_where, {}).tolist()) if k]
    return [[x, y] for x in a for y in b]


def suppress_tables(tables: Mapping[str, pd.DataFrame], counts: Mapping[str, list[str]], threshold: int = 5,
                    structures: Mapping[str, Structure] | None = None, links: tuple[Across, ...] | None = None,
                    keep: Mapping[str, list[str]] | None = None, same: tuple[Same, ...] | None = None) -> dict[str, pd.DataFrame]:
    """Every table made safe to publish, primary and secondary suppression applied together (a count
    shown in two tables is withheld in both). Tables without count columns are returned as they are."""
    structures = STRUCTURES if structures is None else structures
    links = LINKS if links is None else links
    same = SAME if same is None else same
    counted = {n: f for n, f in tables.items() if counts.get(n)}
    order = {n: k for k, n in enumerate(counted)}
    values: dict[Cell, float] = {}
    for n, f in counted.items():
        for col in counts[n]:
            v = pd.to_numeric(f[col], errors="coerce").fillna(0).tolist()
            values.update({(n, i, col): float(x) for i, x in enumerate(v)})

    def is_small(cell: Cell) -> bool:
        return 0 < values.get(cell, 0) < threshold

    withheld: set[Cell] = set()
    blank: set[tuple[str, int]] = set()

    whole = {n for n in counted if structures.get(n, Structure()).whole_rows}

    def withhold(cell: Cell) -> None:
        n, i, col = cell
        withheld.add(cell)
        if col == counts[n][0] or n in whole:
            blank.add((n, i))
            withheld.update((n, i, c) for c in counts[n])

    for cell in values:                                   # primary: every small count
        if is_small(cell):
            withhold(cell)

    def shown_small(cell: Cell) -> bool:                  # shown as "<5": the reader knows it is 1 to 4
        n, i, col = cell
        return is_small(cell) and (col == counts[n][0] or (n, i) not in blank)

    sets: list[list[Cell]] = []
    for n, f in counted.items():
        sets.extend(_sets(n, f, counts[n], structures.get(n, Structure())))
    for link in links:
        sets.extend(_link_sets(link, counted))
    for pair in same:
        sets.extend(_same_sets(pair, counted))
    known: set[Cell] = set()
    for n, f in counted.items():
        rows = structures.get(n, Structure()).known
        if rows:
            known.update((n, i, col) for i, k in enumerate(_rows(f, rows, {}).tolist()) if k for col in counts[n])
    sets = [[c for c in s if c in values] for s in sets]
    sets = [s for s in sets if len(s) > 1]

    changed = True
    while changed:                                         # secondary: until nothing changes
        changed = False
        for s in sets:
            hidden = [c for c in s if c in withheld]
            if not hidden:
                continue
            if len(hidden) >= 2 and not (len(s) >= 3 and all(shown_small(c) for c in hidden)) \
                    and sum(values[c] for c in hidden) >= threshold:
                continue
            candidates = [c for c in s if c not in withheld and c not in known and values[c] > 0]
            if candidates:
                withhold(min(candidates, key=lambda c: (values[c], order[c[0]], c[1], counts[c[0]].index(c[2]))))
                changed = True

    out = dict(tables)
    label = f"<{threshold}"
    for n, f in counted.items():
        shown = f.copy().astype(object)
        cols = counts[n]
        kept = set((keep or {}).get(n, [])) | set(_label_columns(f, cols))
        figures = [c for c in f.columns if c not in kept and c not in cols]
        for (m, i, col) in withheld:
            if m == n:
                shown.iat[i, f.columns.get_loc(col)] = label if shown_small((m, i, col)) else ""
        for (m, i) in blank:
            if m == n:
                for c in figures:
                    shown.iat[i, f.columns.get_loc(c)] = ""
        out[n] = shown
    return out


def suppress(table: pd.DataFrame, count_cols: list[str], threshold: int = 5,
             keep: list[str] | None = None, structure: Structure | None = None) -> pd.DataFrame:
    """One table made safe to publish (``keep`` lists label columns left as they are); with no
    ``structure``, primary suppression only."""
    return suppress_tables({"t": table}, {"t": list(count_cols)}, threshold, {"t": structure or Structure()}, (),
                           {"t": list(keep or [])}, ())["t"]

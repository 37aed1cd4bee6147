"""Small-number suppression for published tables.

Each table names its count columns; the first is the row's population (placements, homes,
self-funders), the rest are sub-counts of it (placements protected, homes below cost).

* A population below the threshold (default 5) is shown as "<5" and every other figure on the row
  (sums, averages, sub-counts) is withheld, because it describes those few people.
* A sub-count below the threshold is shown as "<5" on its own; the row's other figures describe the
  whole (larger) population and stay.
* Zero is not disclosive and is shown. Rows are never dropped, so readers see what was withheld.
"""

from __future__ import annotations

import pandas as pd


def suppress(table: pd.DataFrame, count_cols: list[str], threshold: int = 5,
             keep: list[str] | None = None) -> pd.DataFrame:
    """Return a copy safe to publish; ``keep`` lists label columns left as they are."""
    out = table.copy().astype(object)
    label = f"<{threshold}"

    def small(col):
        v = pd.to_numeric(table[col], errors="coerce")
        return (v > 0) & (v < threshold)

    population, subcounts = count_cols[0], count_cols[1:]
    keep = set(keep or []) | {c for c in table.columns
                              if not pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
                              and c not in count_cols}
    for c in subcounts:
        out.loc[small(c), c] = label
    few = small(population)
    for c in table.columns:
        if c not in keep:
            out.loc[few, c] = label if c == population else ""
    return out

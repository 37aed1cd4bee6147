"""Small-number suppression for published tables.

Rule: a count below the scenario's threshold (default 5) is shown as "<5", and every other figure
on that row (sums, averages) is blanked too, because it could reveal the few people behind it.
Rows are never dropped, so readers can see that something was withheld.
"""

from __future__ import annotations

import pandas as pd


def suppress(table: pd.DataFrame, count_cols: list[str], threshold: int = 5,
             keep: list[str] | None = None) -> pd.DataFrame:
    """Return a copy safe to publish; ``keep`` lists label columns left as they are."""
    out = table.copy().astype(object)
    small = pd.Series(False, index=table.index)
    for c in count_cols:
        v = pd.to_numeric(table[c], errors="coerce")
        small |= (v > 0) & (v < threshold)
    keep = set(keep or []) | {c for c in table.columns
                              if not pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
                              and c not in count_cols}
    for c in table.columns:
        if c in keep:
            continue
        out.loc[small, c] = f"<{threshold}" if c in count_cols else ""
    return out

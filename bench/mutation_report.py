"""Print mutmut's results for the money core (issue 19, `make mutate`): per module and in total, the
mutants killed, survived, not covered (no test runs the mutated function), timed out and not yet run,
and the score.

    python -m bench.mutation_report                # table from mutants/**/*.meta
    python -m bench.mutation_report --list survived  # also name each surviving mutant
    python -m bench.mutation_report --list "not covered"

Score = killed / covered, where covered = every mutant that was run against at least one test
(killed + survived + timeout + other). A timeout counts against the score, not for it.
Minutes = the summed test time of the module's mutants (wall time is about this divided by the
number of workers).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

KILLED = {1, 3}
SURVIVED = {0}
NOT_COVERED = {33, 5}
TIMEOUT = {36, 24, -24, 152, 255}
COLUMNS = ("killed", "survived", "not covered", "timeout", "other", "not run")


def classify(exit_code) -> str:
    if exit_code is None:
        return "not run"
    if exit_code in KILLED:
        return "killed"
    if exit_code in SURVIVED:
        return "survived"
    if exit_code in NOT_COVERED:
        return "not covered"
    if exit_code in TIMEOUT:
        return "timeout"
    return "other"


def read_results(root: Path) -> dict[str, dict]:
    """{module path: {"counts": {column: n}, "names": {column: [mutant]}, "seconds": float}}."""
    out: dict[str, dict] = {}
    mutants = root / "mutants"
    for meta in sorted(mutants.rglob("*.py.meta")):
        data = json.loads(meta.read_text())
        module = str(meta.relative_to(mutants))[: -len(".meta")]
        counts = dict.fromkeys(COLUMNS, 0)
        names: dict[str, list[str]] = {c: [] for c in COLUMNS}
        for name, code in sorted(data.get("exit_code_by_key", {}).items()):
            c = classify(code)
            counts[c] += 1
            names[c].append(name)
        seconds = sum(v for v in data.get("durations_by_key", {}).values() if v)
        out[module] = {"counts": counts, "names": names, "seconds": seconds}
    return out


def score(counts: dict[str, int]) -> float | None:
    covered = counts["killed"] + counts["survived"] + counts["timeout"] + counts["other"]
    return None if covered == 0 else counts["killed"] / covered


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=Path("."), help="folder holding mutants/ (default: here)")
    ap.add_argument("--list", choices=COLUMNS, action="append", default=[], help="also name the mutants in this column")
    args = ap.parse_args(argv)
    results = read_results(args.root)
    if not results:
        print("No mutmut results under mutants/: run `make mutate` first.")
        return 1
    head = f"{'module':34} " + " ".join(f"{c:>11}" for c in COLUMNS) + f" {'score':>7} {'minutes':>8}"
    print(head)
    print("-" * len(head))
    total = dict.fromkeys(COLUMNS, 0)
    total_s = 0.0
    for module, r in results.items():
        s = score(r["counts"])
        for c in COLUMNS:
            total[c] += r["counts"][c]
        total_s += r["seconds"]
        pct = "-" if s is None else f"{100 * s:.1f}%"
        print(f"{module:34} " + " ".join(f"{r['counts'][c]:>11}" for c in COLUMNS) + f" {pct:>7} {r['seconds'] / 60:>8.1f}")
    s = score(total)
    pct = "-" if s is None else f"{100 * s:.1f}%"
    print("-" * len(head))
    print(f"{'total':34} " + " ".join(f"{total[c]:>11}" for c in COLUMNS) + f" {pct:>7} {total_s / 60:>8.1f}")
    for column in args.list:
        print(f"\n{column}:")
        for r in results.values():
            for name in r["names"][column]:
                print(f"  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Check new kill tests against surviving mutants without a whole mutmut run (issue 19).

    python -m bench.mutation_check --tests tests/test_rates.py "feemodel.model.rates.x_rate_card*"
    python -m bench.mutation_check --results ../wt-mut4 --tests tests/test_rates.py --tests tests/test_uplift.py -k card NAME ...
    python -m bench.mutation_check --every --tests tests/test_mutation_kills.py "feemodel.model.uplift.x_year_fees__mutmut_17?"

Takes the survivors that match each NAME (a mutant's name or an fnmatch pattern) from the mutmut
results under ``RESULTS/mutants`` (default: here), copies this tree's ``tests/`` into ``./mutants``
(mutmut's mutated copy of the code, made by ``mutmut run``), and runs the given tests once per
mutant with mutmut's own switch (the ``MUTANT_UNDER_TEST`` environment variable). Prints each
mutant as killed (a test failed) or survived (every test passed), then the counts. ``--every``
takes every mutant that matches, run or not (to check tests against mutants mutmut has not reached). A name that
matches no survivor is reported and skipped. Exit 0 when every mutant checked was killed, else 1.

This is a check while writing tests, not the record: `make mutate` (mutmut itself) gives the
figures in the README.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path


def survivors(results: Path, every: bool = False) -> list[str]:
    """Every mutant mutmut recorded as survived (exit code 0) under ``results/mutants``; with
    ``every``, every mutant it made, whatever its result (run or not)."""
    out = []
    for meta in sorted((results / "mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text()).get("exit_code_by_key", {})
        out += [name for name, code in sorted(codes.items()) if every or code == 0]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="+", help="mutant names or fnmatch patterns")
    ap.add_argument("--tests", action="append", required=True, help="a test file (or node id) to run against each mutant; repeat for more")
    ap.add_argument("-k", default=None, help="pytest -k expression to narrow the tests")
    ap.add_argument("--results", type=Path, default=Path("."), help="folder whose mutants/ holds mutmut's results")
    ap.add_argument("--every", action="store_true",
                    help="check every mutant that matches, not only survivors (for mutants mutmut has not run yet)")
    a = ap.parse_args(argv)
    here = Path(".").resolve()
    work = here / "mutants"
    if not (work / "feemodel").is_dir():
        print("No mutants/ here: run `mutmut run` once (or copy another tree's mutants/ here) first.")
        return 2
    known = survivors(a.results.resolve(), a.every)
    chosen: list[str] = []
    for pattern in a.names:
        hits = [n for n in known if fnmatch.fnmatchcase(n, pattern)]
        if not hits:
            print(f"{pattern}: no {'' if a.every else 'surviving '}mutant matches")
        chosen += [h for h in hits if h not in chosen]
    for f in (here / "tests").glob("*.py"):  # this tree's tests, as edited
        shutil.copy2(f, work / "tests" / f.name)
    killed = 0
    for name in chosen:
        cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:randomly", *a.tests]
        if a.k:
            cmd += ["-k", a.k]
        env = dict(os.environ, MUTANT_UNDER_TEST=name, PY_IGNORE_IMPORTMISMATCH="1")
        env.pop("PYTHONPATH", None)
        r = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
        state = "killed" if r.returncode == 1 else ("survived" if r.returncode == 0 else f"error (pytest exit {r.returncode})")
        killed += state == "killed"
        print(f"{state:9} {name}", flush=True)
        if state.startswith("error"):
            print(r.stdout[-1500:] + r.stderr[-500:])
    print(f"\n{killed} of {len(chosen)} killed")
    return 0 if chosen and killed == len(chosen) else 1


if __name__ == "__main__":
    raise SystemExit(main())

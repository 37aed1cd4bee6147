"""Check that committed notebooks carry no outputs and match their jupytext text twins.

Run as ``python -m feemodel.apps.hygiene``; exits 1 listing offenders. Fix with
``nbstripout notebooks/**/*.ipynb`` and ``jupytext --sync notebooks/**/*.ipynb``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from ..paths import REPO_DIR


def problems(root: Path = REPO_DIR / "notebooks") -> list[str]:
    out = []
    for nb_path in sorted(root.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in nb_path.parts:
            continue
        nb = nbformat.read(nb_path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
                out.append(f"{nb_path}: cell {i} has outputs; run nbstripout")
                break
        twin = nb_path.with_suffix(".py")
        if not twin.exists():
            out.append(f"{nb_path}: no jupytext twin {twin.name}; run jupytext --set-formats ipynb,py:percent")
        else:
            import jupytext

            text_nb = jupytext.read(twin)
            if [c.source.strip() for c in text_nb.cells] != [c.source.strip() for c in nb.cells]:
                out.append(f"{nb_path}: differs from {twin.name}; run jupytext --sync")
    return out


def main() -> int:
    found = problems()
    for p in found:
        print(p)
    print(f"notebook hygiene: {len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

"""docs/own-council.md: every command in its console blocks runs as written (exit code 0), in a
copy of docs/own-council/, and the outputs it promises are there."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys

import pandas as pd

from feemodel.paths import REPO_DIR

DOC = REPO_DIR / "docs" / "own-council.md"


def commands() -> list[str]:
    blocks = re.findall(r"```console\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    return [line.strip()[2:] for block in blocks for line in block.splitlines() if line.strip().startswith("$ ")]


def test_the_guides_commands_run_as_written(tmp_path):
    work = tmp_path / "own-council"
    shutil.copytree(REPO_DIR / "docs" / "own-council", work)
    cmds = commands()
    assert len(cmds) >= 6 and all(c.startswith("feemodel ") for c in cmds)
    for cmd in cmds:
        args = shlex.split(cmd)[1:]
        r = subprocess.run([sys.executable, "-m", "feemodel", *args], cwd=work, capture_output=True, text=True)
        assert r.returncode == 0, f"{cmd}: {r.stderr}"
    assert (work.parent / "my-council" / "two_band_2026.yaml").exists()
    # Anyshire: placements counted by band, a published survey summary, an index uplift in whole pounds
    band = pd.read_csv(work.parent / "anyshire-tables" / "band_mapping.csv").set_index("current_band")
    # index = 57% x 3.96% earnings + 43% x 3.0% CPI = 2.2572 + 1.29 = 3.5472%;
    # £612.50 x 1.035472 = £634.2266 -> £634 in whole pounds
    assert band.first_year_rate_gbp_pw["Standard residential"] == 634.0
    # working age: core £1,180.00 x 1.035472 = £1,221.857; the supplementary allowance follows
    # earnings alone, £11.36 x 1.0396 = £11.81; £1,233.667 -> £1,234
    assert band.first_year_rate_gbp_pw["Working age residential"] == 1234.0
    survey = pd.read_csv(work.parent / "anyshire-tables" / "survey_summary.csv")
    assert set(survey[survey.cost_line == "total"].convention) == {"sum_of_line_medians"}
    assert (work.parent / "card-only-pack" / "pack.pdf").exists()
    assert not (work.parent / "card-only-tables" / "uplift_cost.csv").exists()

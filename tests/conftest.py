"""Shared fixtures: the shipped parameters, the example scenario, and tiny hand-built scenarios."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from feemodel.inputs.params import load_parameters
from feemodel.paths import default_scenario, example_dir

EXAMPLE = default_scenario()


@pytest.fixture(scope="session")
def params():
    return load_parameters()


@pytest.fixture(scope="session")
def example_pack(tmp_path_factory) -> Path:
    """The example council's pack, built once per test session and shared read-only by every test
    that reads a published file (pack.html, pack.pdf, tables.xlsx, tables/, manifest.json).
    Tests that change a pack build their own."""
    from feemodel.publish.pack import build_pack

    out = tmp_path_factory.mktemp("example-pack") / "pack"
    build_pack(EXAMPLE, out, progress=False)
    return out


@pytest.fixture
def example_copy(tmp_path) -> Path:
    """A writable copy of the example council; returns the two-band scenario path."""
    dst = tmp_path / "ex"
    shutil.copytree(example_dir(), dst)
    return dst / EXAMPLE.name


def edit_yaml(path: Path, change, keep_notes: bool = False) -> Path:
    """Apply ``change`` to the scenario's data. The example's notes explain its own bands and
    categories, so a note whose key the change removed is dropped too (``keep_notes``: keep every
    note, to test the check on notes' keys)."""
    data = yaml.safe_load(path.read_text())
    change(data)
    if not keep_notes and isinstance(data.get("notes"), dict):
        data["notes"] = {k: v for k, v in data["notes"].items() if _resolves(data, k)}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


PLACEMENT_DEFAULTS = dict(home_id="H1", setting="residential", client_group="older", area="in", funding="council",
                          band="Residential", weekly_fee=760.0, provider_price=760.0, weekly_income=200.0, capital=0.0,
                          assessed_contribution="", third_party_topup=0.0, fnc_eligible=False, start_date="2024-01-01")


def missing_tool(what: str) -> None:
    """Skip a test whose tool (a browser, a vendored script) is missing on this machine, but fail on
    CI (``CI=true``), which installs it: a CI run never passes by skipping."""
    import os

    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing on CI (.ci/run installs chromium; pip installs the test extra)")
    pytest.skip(f"{what} is not installed")


def _resolves(data: dict, key: str) -> bool:
    """Whether a dotted scenario key names something in the raw scenario (bands by name)."""
    from feemodel.inputs.scenario import note_key_problem

    return note_key_problem(data, key) is None


def tiny_scenario(tmp_path: Path, placements: list[dict], uplift: dict | None = None, **top) -> Path:
    """A scenario beside a hand-built placement book (homes H1 residential in-area, H2 nursing,
    H3 out of area); survey, population, admissions, comparators and the response log are copied from the example."""
    folder = tmp_path / "tiny"
    (folder / "data").mkdir(parents=True)
    for name in ("cost_survey", "population", "admissions", "comparators", "response_log"):
        shutil.copy(example_dir() / "data" / f"{name}.csv", folder / "data" / f"{name}.csv")
    homes = pd.DataFrame([
        dict(home_id="H1", home_name="One", setting="residential", area="in", locality="urban", beds=40, occupied_beds=36,
             private_weekly_price=1000.0, opened="2000-01-01", closed=""),
        dict(home_id="H2", home_name="Two", setting="nursing", area="in", locality="rural", beds=50, occupied_beds=45,
             private_weekly_price=1400.0, opened="2000-01-01", closed=""),
        dict(home_id="H3", home_name="Three", setting="residential", area="out", locality="urban", beds=30, occupied_beds="",
             private_weekly_price=1000.0, opened="2000-01-01", closed=""),
    ])
    homes.to_csv(folder / "data" / "homes.csv", index=False)
    rows = []
    for i, p in enumerate(placements):
        row = dict(PLACEMENT_DEFAULTS, placement_id=f"T{i + 1:03d}")
        row.update(p)
        rows.append(row)
    cols = ["placement_id"] + list(PLACEMENT_DEFAULTS)
    pd.DataFrame(rows)[cols].to_csv(folder / "data" / "placements.csv", index=False)
    data = yaml.safe_load(EXAMPLE.read_text())
    data["uplift"].update({"turnover": {"annual_exit_rate_pct": 0, "replace_leavers": False},
                           "provider_pass_through_pct": 0, "self_funder_pass_through_pct": 0})
    data["uplift"].update(uplift or {})
    data.update(top)
    # the example's notes explain its own bands and categories; keep those the changed scenario still has
    data["notes"] = {k: v for k, v in (data.get("notes") or {}).items() if _resolves(data, k)}
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, default_flow_style=False))
    return path


def iso(d: str) -> dt.date:
    return dt.date.fromisoformat(d)

"""`feemodel verify` on another machine: a pack copied to another folder with its scenario and data
verifies there, and every kind of edit to a published file or an input is caught, named and shown.

One rerun is built (the CLI's, kept with --keep-rerun); the edited copies are compared against that
same rerun (``verify(..., rerun=...)``), so the file builds the pack twice in all (the shared
example pack and the rerun)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from feemodel.paths import example_dir, params_dir
from feemodel.publish.verify import _text_diffs, verify
from tests.conftest import EXAMPLE


@pytest.fixture(scope="module")
def elsewhere(example_pack, tmp_path_factory):
    """The example pack as a reviewer has it on another machine: the pack in one folder, the scenario
    in another, the data files in a third (not beside the scenario, where the scenario says they are).
    Verified once with the CLI; the rerun is kept for the edit tests."""
    root = tmp_path_factory.mktemp("reviewer")
    # one level deeper than the original, so the manifest's path from the pack to the scenario leads nowhere
    shutil.copytree(example_pack, root / "received" / "pack")
    (root / "inputs").mkdir()
    shutil.copy(EXAMPLE, root / "inputs" / EXAMPLE.name)
    shutil.copytree(example_dir() / "data", root / "mydata")
    for option in ("fair_cost_of_care_2026.yaml", "uniform_uplift_2026.yaml"):   # the options costed beside it
        shutil.copy(example_dir() / option, root / "mydata" / option)
    r = subprocess.run([sys.executable, "-m", "feemodel", "verify", str(root / "received" / "pack"), "--scenario", str(root / "inputs" / EXAMPLE.name),
                        "--data", str(root / "mydata"), "--keep-rerun", str(root / "rerun")], capture_output=True, text=True, cwd=root)
    return root, r


def kw(root: Path) -> dict:
    return dict(scenario=root / "inputs" / EXAMPLE.name, data=root / "mydata", rerun=root / "rerun")


def edited(root: Path, name: str) -> Path:
    out = root / "received" / name
    shutil.copytree(root / "received" / "pack", out)
    return out


def failures(rep) -> list[str]:
    return [line for line in rep.lines if "DIFFERENT" in line or line.startswith(("    ", "input changed"))]


def test_a_copied_pack_verifies_elsewhere_with_its_scenario_and_data(elsewhere):
    root, r = elsewhere
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "VERIFIED" in out.splitlines()[-1]
    # every kind of published file was compared, not just the tables
    for what in ("rate_card: identical", "tables.xlsx: identical", "pack.html (text): identical", "pack.pdf (text): identical",
                 "executed notebooks (outputs): identical", "national parameters: 12 files identical",
                 "published files against their hashes in manifest.json: identical"):
        assert what in out, what
    assert (root / "rerun" / "pack.pdf").is_file()
    # the manifest has no absolute path: data files are recorded as the scenario gives them
    m = json.loads((root / "received" / "pack" / "manifest.json").read_text())
    assert m["data_files"]["placements"]["path"] == "data/placements.csv"
    assert m["scenario"]["file"] == EXAMPLE.name and not m["scenario"]["from_pack"].startswith("/")
    assert "/" not in " ".join(m["command"])
    # the two options the options table costs are inputs too, by path beside the scenario and hash
    assert sorted(m["option_files"]) == ["fair_cost_of_care_2026.yaml", "uniform_uplift_2026.yaml"]
    assert "options: identical" in out


def test_a_missing_option_scenario_is_exit_2_naming_it(elsewhere, tmp_path):
    root, _ = elsewhere
    shutil.copytree(root / "mydata", tmp_path / "data")
    (tmp_path / "data" / "uniform_uplift_2026.yaml").unlink()
    r = subprocess.run([sys.executable, "-m", "feemodel", "verify", str(root / "received" / "pack"), "--scenario",
                        str(root / "inputs" / EXAMPLE.name), "--data", str(tmp_path / "data")], capture_output=True, text=True)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "options_considered" in r.stderr and "uniform_uplift_2026.yaml" in r.stderr and "fair_cost_of_care" not in r.stderr


def test_missing_data_is_exit_2_naming_the_file_and_the_option(elsewhere):
    root, _ = elsewhere
    # the data are not beside the scenario (they are in mydata/): without --data nothing can be rerun
    r = subprocess.run([sys.executable, "-m", "feemodel", "verify", str(root / "received" / "pack"), "--scenario", str(root / "inputs" / EXAMPLE.name)],
                       capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1
    assert "placements (data/placements.csv" in err and str(root / "inputs" / "data" / "placements.csv") in err and "--data DIR" in err


def test_missing_scenario_is_exit_2_naming_the_option(elsewhere):
    root, _ = elsewhere
    r = subprocess.run([sys.executable, "-m", "feemodel", "verify", str(root / "received" / "pack")], capture_output=True, text=True, cwd=root)
    # the manifest points at the scenario relative to where the pack was built; from here that leads nowhere
    assert r.returncode == 2 and "two_band_2026.yaml was not found" in r.stderr and "--scenario PATH" in r.stderr


def test_an_edited_word_in_pack_html_fails_with_file_place_and_both_values(elsewhere):
    root, _ = elsewhere
    pack = edited(root, "edit-html")
    html = pack / "pack.html"
    text = html.read_text(encoding="utf-8")
    # the part-year cost is £11,118,502.45 (manifest headline): 11.1185m rounds to £11.12m
    assert json.loads((pack / "manifest.json").read_text())["headline"]["council_net_change_part_year_gbp"] == 11118502.45
    assert "£11.12m" in text
    html.write_text(text.replace("£11.12m", "£9.12m", 1), encoding="utf-8")
    rep = verify(pack, **kw(root))
    assert not rep.ok
    bad = failures(rep)
    assert "pack.html (text): DIFFERENT" in bad
    line = next(x for x in bad if x.strip().startswith("pack.html, under"))
    assert "'£9.12m'" in line and "'£11.12m'" in line and line.index("pack has '£9.12m'") < line.index("rerun gives '£11.12m'")
    assert "Summary" in line  # the place: the heading it falls under
    assert any(x.strip() == "pack.html: the file differs from the sha256 manifest.json records for it" for x in bad)
    # nothing else is reported different
    assert {x for x in bad if not x.startswith("    ")} == {"pack.html (text): DIFFERENT", "published files against their hashes in manifest.json: DIFFERENT"}


def test_an_edited_workbook_cell_fails_with_sheet_and_cell(elsewhere):
    root, _ = elsewhere
    pack = edited(root, "edit-xlsx")
    wb = openpyxl.load_workbook(pack / "tables.xlsx")
    ws = wb["rate_card"]
    # row 1 is the header; the first data row's first column is the band, Residential (rate_card.csv line 2)
    assert ws["A1"].value != "Residential" and ws["A2"].value == "Residential"
    ws["A2"] = "Residentail"
    wb.save(pack / "tables.xlsx")
    rep = verify(pack, **kw(root))
    assert not rep.ok
    assert "    tables.xlsx, sheet 'rate_card', cell A2: pack has 'Residentail', rerun gives 'Residential'" in rep.lines


def test_an_edited_csv_fails_with_row_column_and_both_values(elsewhere):
    root, _ = elsewhere
    pack = edited(root, "edit-csv")
    card = pack / "tables" / "rate_card.csv"
    lines = card.read_text().splitlines(keepends=True)
    # line 2 (the first band, Residential) ends its cost of care total with 819.01 in column
    # cost_of_care_total_gbp_pw and again in weekly_rate_gbp; change the first only
    assert lines[1].startswith("Residential,") and lines[1].count(",819.01,") == 2
    lines[1] = lines[1].replace(",819.01,", ",829.01,", 1)
    card.write_text("".join(lines))
    rep = verify(pack, **kw(root))
    assert not rep.ok
    assert "rate_card: DIFFERENT" in rep.lines
    assert ("    tables/rate_card.csv, row 2, column 'cost_of_care_total_gbp_pw': pack has '829.01', rerun gives '819.01'"
            in rep.lines)
    assert "    tables/rate_card.csv: the file differs from the sha256 manifest.json records for it" in rep.lines


def test_an_edited_national_parameter_file_is_reported_by_name(elsewhere, tmp_path, monkeypatch):
    root, _ = elsewhere
    params = tmp_path / "params"
    shutil.copytree(params_dir(), params)
    nlw = params / "national" / "wages" / "national_living_wage.yaml"
    nlw.write_text(nlw.read_text().replace("value: 6.50", "value: 6.60", 1))
    (params / "national" / "tax" / "employer_ni_rate.yaml").unlink()
    monkeypatch.setenv("FEEMODEL_PARAMS", str(params))
    rep = verify(root / "received" / "pack", **kw(root))
    assert not rep.ok
    assert "input changed: national parameter file wages/national_living_wage.yaml differs from the pack's" in rep.lines
    assert "input changed: national parameter file tax/employer_ni_rate.yaml is missing here" in rep.lines
    assert sum(line.startswith("input changed") for line in rep.lines) == 2


def test_an_edited_notebook_output_is_reported_with_cell_and_line(elsewhere):
    import nbformat

    root, _ = elsewhere
    pack = edited(root, "edit-nb")
    path = pack / "notebooks" / "01_summary.ipynb"
    nb = nbformat.read(path, as_version=4)
    i, cell = next((i, c) for i, c in enumerate(nb.cells)
                   if c.cell_type == "code" and any("£11.12m" in "".join(o.get("data", {}).get("text/html", "")) for o in c.outputs))
    for o in cell.outputs:
        if "text/html" in o.get("data", {}):
            o["data"]["text/html"] = "".join(o["data"]["text/html"]).replace("£11.12m", "£9.12m")
    nbformat.write(nb, path)
    rep = verify(pack, **kw(root))
    assert not rep.ok
    # cells are counted without papermill's injected parameters cell, which comes before the edited one
    line = next(x for x in rep.lines if x.strip().startswith("notebooks/01_summary.ipynb"))
    assert f"cell {i - 1} output" in line and "'£9.12m'" in line and "'£11.12m'" in line


def test_other_package_versions_are_listed_but_do_not_fail(elsewhere):
    root, _ = elsewhere
    pack = edited(root, "versions")
    mf = pack / "manifest.json"
    m = json.loads(mf.read_text())
    m["versions"]["pandas"] = "0.0.1"
    m["lock"]["sha256"] = "0" * 64
    mf.write_text(json.dumps(m))
    ok, lines = verify(pack, **kw(root))
    assert ok, lines
    import pandas
    assert any(x.startswith("note: this rerun uses different package versions") and f"pandas 0.0.1 -> {pandas.__version__}" in x for x in lines)
    assert any("requirements.lock" in x and "not the one the pack was built with" in x for x in lines)


def test_text_differences_show_only_the_changed_words():
    a = ["Title", "It would cost £9.12m in 2026/27.", "Same"]
    b = ["Title", "It would cost £11.12m in 2026/27.", "Same"]
    (d,) = _text_diffs(a, b, lambda n: f"line {n + 1}")
    assert d.startswith("line 2: pack has '£9.12m', rerun gives '£11.12m'")
    # a line only in the rerun is shown against nothing
    (d,) = _text_diffs(["a", "c"], ["a", "b", "c"], lambda n: f"line {n + 1}")
    assert d == "line 2: pack has '(nothing)', rerun gives 'b'"


def test_the_manifest_hashes_every_published_file_and_the_lock(example_pack):
    from feemodel.paths import REPO_DIR
    from feemodel.publish.pack import sha256

    m = json.loads((example_pack / "manifest.json").read_text())
    published = m["published"]
    for rel in ("pack.html", "pack.pdf", "tables.xlsx", "tables/headline.json", "tables/rate_card.csv", "notebooks/01_summary.ipynb"):
        assert published[rel] == sha256(example_pack / rel), rel
    # every file in the folder but the manifest itself is listed
    files = {p.relative_to(example_pack).as_posix() for p in example_pack.rglob("*") if p.is_file()}
    assert set(published) == files - {"manifest.json"}
    assert m["lock"]["file"] == "requirements.lock" and m["lock"]["sha256"] == sha256(REPO_DIR / "requirements.lock")
    assert m["national_parameters"]["wages/national_living_wage.yaml"] == sha256(REPO_DIR / "params/national/wages/national_living_wage.yaml")
    assert m["national_parameters_dir"] == "../../national"   # from params/scenarios/exampleshire/

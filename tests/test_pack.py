"""Evidence packs, built with real kernels."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from feemodel.publish import pack as packmod
from feemodel.publish.pack import PackError, build_pack, sha256
from feemodel.publish.verify import verify
from feemodel.publish.tables import PUBLISHED_COUNTS, compute, load_case
from tests.conftest import EXAMPLE, edit_yaml


@pytest.fixture
def built(example_pack) -> Path:
    """The session's shared example pack (read-only here)."""
    return example_pack


def test_building_leaves_the_working_directory_alone(tmp_path):
    # sections run in parallel threads; nothing may change the process's working directory
    import os
    before = os.getcwd()
    build_pack(EXAMPLE, tmp_path / "p", progress=False)
    assert os.getcwd() == before


def test_pack_has_every_part(built):
    assert (built / "pack.pdf").read_bytes()[:5] == b"%PDF-"
    html = (built / "pack.html").read_text()
    assert "<script" not in html and "http://" not in html.replace("https://www.", "").split("<nav")[0]
    assert '<nav aria-label="Contents"><h2 id="contents">Contents</h2>' in html and html.count('<section class="pack-section"') == len(packmod.sections())
    executed = sorted((built / "notebooks").glob("*.ipynb"))
    assert len(executed) == len(packmod.sections())
    for nb in executed:
        cells = nbformat.read(nb, as_version=4).cells
        assert not any(o.get("output_type") == "error" for c in cells for o in c.get("outputs", []))
    sheets = pd.read_excel(built / "tables.xlsx", sheet_name=None)
    assert "notes" in sheets and {"rate_card", "uplift_cost", "montecarlo", "budget"} <= set(sheets)


def test_manifest_records_inputs_versions_and_figures(built):
    m = json.loads((built / "manifest.json").read_text())
    assert m["scenario"]["sha256"] == sha256(EXAMPLE)
    for k, v in m["data_files"].items():
        assert v["sha256"] == sha256(EXAMPLE.parent / v["path"]), k  # recorded relative to the scenario
    assert m["versions"]["papermill"] and m["versions"]["pandas"] and m["git"]["commit"] is not None
    assert m["tables"]["rate_card"] == sha256(built / "tables" / "rate_card.csv")
    assert m["started"] <= m["finished"]
    # the headline in the text is the model's
    h = m["headline"]
    html = (built / "pack.html").read_text()
    assert f"£{h['council_net_change_part_year_gbp'] / 1e6:,.2f}m" in html


def test_no_placement_level_rows_and_small_counts_suppressed(built):
    text = "".join(p.read_text() for p in (built / "tables").glob("*.csv")) + (built / "pack.html").read_text()
    assert "placement_id" not in text and "P000001" not in text and "home_name" not in text
    for name, cols in PUBLISHED_COUNTS.items():
        t = pd.read_csv(built / "tables" / f"{name}.csv", dtype=str, keep_default_na=False)
        for c in cols:
            numeric = pd.to_numeric(t[c], errors="coerce")
            assert not ((numeric > 0) & (numeric < 5)).any(), (name, c)


def test_small_counts_in_prose_are_suppressed(built):
    # the model finds 2 homes below cost now and 1 under the proposal (both under 5): the manifest,
    # headline.json and the summary's who-gains rows all show "<5", never the count
    raw = compute(load_case(EXAMPLE)).headline["homes_below_cost"]
    assert all(0 < n < 5 for n in raw.values())
    for head in (json.loads((built / "manifest.json").read_text())["headline"],
                 json.loads((built / "tables" / "headline.json").read_text())):
        assert head["homes_below_cost"] == {"now": "<5", "proposed": "<5"}
    html = (built / "pack.html").read_text()
    for what in ("Below their cost of care now", "Below their cost of care under the proposal"):
        assert re.search(what + r"</th><td>&lt;5 care homes</td>", html), what


def test_bad_input_leaves_existing_pack_untouched(built, example_copy, tmp_path):
    target = tmp_path / "pack"
    shutil.copytree(built, target)
    before = (target / "manifest.json").read_bytes()
    edit_yaml(example_copy, lambda d: d["uplift"].update(provider_pass_through_pct=150))
    r = subprocess.run([sys.executable, "-m", "feemodel", "pack", str(example_copy), "--out", str(target), "--force"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "provider_pass_through_pct" in r.stderr and "Traceback" not in r.stderr
    assert (target / "manifest.json").read_bytes() == before
    assert not target.with_name("pack.failed").exists()


def test_failing_section_names_cell_and_keeps_previous_pack(built, tmp_path, monkeypatch):
    target = tmp_path / "pack"
    shutil.copytree(built, target)
    before = (target / "pack.html").read_bytes()
    sections = tmp_path / "sections"
    sections.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('scenario = ""\ntables_dir = ""', metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure')")]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(nb, sections / "99_broken.ipynb")
    monkeypatch.setattr(packmod, "SECTIONS_DIR", sections)
    with pytest.raises(PackError, match=r"99_broken failed in cell \d+.*deliberate failure"):
        build_pack(EXAMPLE, target, force=True, progress=False)
    assert (target / "pack.html").read_bytes() == before
    kept = target.with_name("pack.failed") / "notebooks" / "99_broken.ipynb"
    assert kept.is_file()


def test_unknown_or_missing_notebook_parameters_are_an_error(tmp_path, monkeypatch):
    sections = tmp_path / "sections"
    sections.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('scenario_path = ""', metadata={"tags": ["parameters"]})]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(nb, sections / "01_x.ipynb")
    monkeypatch.setattr(packmod, "SECTIONS_DIR", sections)
    with pytest.raises(PackError, match="parameters cell declares"):
        build_pack(EXAMPLE, tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()


def test_verify_passes_on_fresh_pack_and_fails_after_edit(built, tmp_path):
    ok, lines = verify(built)
    assert ok, lines
    assert "rate_card: identical" in lines
    edited = tmp_path / "edited"
    shutil.copytree(built, edited)
    card = edited / "tables" / "rate_card.csv"
    card.write_text(card.read_text().replace("819.01", "829.01", 1))
    ok, lines = verify(edited)
    assert not ok
    assert "rate_card: DIFFERENT" in lines
    assert any("'819.01'" in line and "'829.01'" in line for line in lines)


def test_readme_command_with_relative_out_path(tmp_path):
    r = subprocess.run([sys.executable, "-m", "feemodel", "pack", "--out", "packs/ex"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Pack written to packs/ex/" in r.stdout
    assert (tmp_path / "packs" / "ex" / "pack.pdf").is_file()
    # a second run without --force refuses and leaves it alone
    r2 = subprocess.run([sys.executable, "-m", "feemodel", "pack", "--out", "packs/ex"], capture_output=True, text=True, cwd=tmp_path)
    assert r2.returncode == 2 and "--force" in r2.stderr


def test_verify_cli_exit_codes(built, tmp_path):
    r = subprocess.run([sys.executable, "-m", "feemodel", "verify", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2 and "manifest.json" in r.stderr


def test_several_packs_in_parallel(tmp_path):
    from feemodel.paths import example_dir
    a, b = example_dir() / "two_band_2026.yaml", example_dir() / "uniform_uplift_2026.yaml"
    r = subprocess.run([sys.executable, "-m", "feemodel", "pack", "--scenarios", str(a), str(b), "--out", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for stem in ("two_band_2026", "uniform_uplift_2026"):
        assert (tmp_path / stem / "pack.pdf").is_file()
    ha = json.loads((tmp_path / "two_band_2026" / "manifest.json").read_text())["headline"]
    hb = json.loads((tmp_path / "uniform_uplift_2026" / "manifest.json").read_text())["headline"]
    assert ha["council_net_change_part_year_gbp"] != hb["council_net_change_part_year_gbp"]

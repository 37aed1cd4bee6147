"""Section notebooks run by hand (issue 15): with the `papermill` CLI and ``-p scenario``, or as
saved (JupyterLab's Run All, here nbclient with the notebook's own default parameters), a section
computes the scenario's tables itself and shows what the pack shows."""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from feemodel.publish import report
from feemodel.publish.pack import SECTIONS_DIR
from tests.conftest import EXAMPLE

SKIP_TAGS = {"parameters", "injected-parameters"}


def shown(nb_path: Path) -> list:
    """Every output of a run notebook except its parameter cells', without execution counts
    (the pack injects ``tables_dir``, a run by hand does not)."""
    nb = nbformat.read(nb_path, as_version=4)
    return [[{k: v for k, v in o.items() if k not in ("execution_count", "metadata")} for o in c.get("outputs", [])]
            for c in nb.cells if c.cell_type == "code" and not SKIP_TAGS & set(c.metadata.get("tags", []))]


def html_text(nb_path: Path) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    return "".join("".join(o.get("data", {}).get("text/html", "")) for c in nb.cells for o in c.get("outputs", []))


def no_errors(nb_path: Path) -> None:
    nb = nbformat.read(nb_path, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors


def test_a_section_runs_with_the_papermill_cli_and_a_scenario(example_pack, tmp_path):
    cache = tmp_path / "cache"
    out = tmp_path / "01_summary.ipynb"
    env = {**os.environ, "FEEMODEL_CACHE": str(cache)}
    r = subprocess.run([sys.executable, "-m", "papermill", str(SECTIONS_DIR / "01_summary.ipynb"), str(out),
                        "-p", "scenario", str(EXAMPLE), "--no-progress-bar"],
                       capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    no_errors(out)
    # the figure: the first-year cost to the council, from the pack's published headline, in the
    # pack's own wording (£ million to 2 decimals): e.g. 11,712,345.67 -> "£11.71m"
    head = json.loads((example_pack / "tables" / "headline.json").read_text())
    cost = head["council_net_change_part_year_gbp"]
    words = f"£{cost / 1e6:,.2f}m"
    assert words in html_text(out)
    # and everything the section shows is what the pack's run of it shows
    assert shown(out) == shown(example_pack / "notebooks" / "01_summary.ipynb")
    # the tables were computed once into the cache, not into the pack
    entries = list((cache / "tables").iterdir())
    assert len(entries) == 1 and (entries[0] / "rate_card.csv").is_file()
    assert not list(entries[0].glob("shown_*.json"))  # the shared cache is never written by a section


def test_a_section_runs_as_saved_with_its_default_parameters(example_pack, tmp_path, monkeypatch):
    # JupyterLab's Run All: the notebook as saved (scenario = "", tables_dir = ""), run in its own folder
    from nbclient import NotebookClient

    monkeypatch.setenv("FEEMODEL_CACHE", str(tmp_path / "cache"))
    nb = nbformat.read(SECTIONS_DIR / "02_rates.ipynb", as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(SECTIONS_DIR)}}).execute()
    out = tmp_path / "02_rates.ipynb"
    nbformat.write(nb, out)
    no_errors(out)
    # the figure: each band's weekly rate as the pack's rate_card.csv gives it, shown as £ with
    # pence and thousands separators (819.01 -> "£819.01")
    card = pd.read_csv(example_pack / "tables" / "rate_card.csv")
    text = html.unescape(html_text(out))
    for band, rate in zip(card.band, card.weekly_rate_gbp, strict=True):
        assert f"£{rate:,.2f}" in text, band
    assert shown(out) == shown(example_pack / "notebooks" / "02_rates.ipynb")


def test_the_cache_holds_the_packs_tables_once_when_two_sections_start_together(example_pack, tmp_path, monkeypatch):
    monkeypatch.setenv("FEEMODEL_CACHE", str(tmp_path / "cache"))
    got, errors = [], []

    def one():
        try:
            got.append(report.cached_tables(str(EXAMPLE)))
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(got)) == 1
    root = tmp_path / "cache" / "tables"
    assert [p.name for p in root.iterdir()] == [got[0].name]  # no temporary folder left behind
    # the same bytes the pack published, file for file
    pack_files = sorted(p.name for p in (example_pack / "tables").iterdir())
    assert sorted(p.name for p in got[0].iterdir()) == pack_files
    for name in pack_files:
        assert (got[0] / name).read_bytes() == (example_pack / "tables" / name).read_bytes(), name


def test_the_cache_key_follows_every_input(example_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("FEEMODEL_CACHE", str(tmp_path / "cache"))
    base = report.cache_key(example_copy)
    assert report.cache_key(str(example_copy)) == base  # str or Path: the same key
    # an empty scenario is the example council's default scenario
    assert report.cache_key("") == report.cache_key(EXAMPLE) != base  # a copy elsewhere is another scenario
    data = example_copy.parent / "data" / "placements.csv"
    before = data.read_bytes()
    data.write_bytes(before + b"\n")
    assert report.cache_key(example_copy) != base
    data.write_bytes(before)
    assert report.cache_key(example_copy) == base
    text = example_copy.read_text()
    example_copy.write_text(text + "\n# a comment\n")
    assert report.cache_key(example_copy) != base


def test_a_section_run_by_hand_keeps_shown_figures_in_memory(tmp_path, monkeypatch):
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "headline.json").write_text("{}")
    (folder / "meta.json").write_text("{}")
    shared = report.PackData(folder, shared=True)
    shared.record("summary", {"x": 1})
    assert shared.shown == {"summary": {"x": 1}} and not list(folder.glob("shown_*"))
    report.PackData(folder).record("summary", {"x": 1})
    assert json.loads((folder / "shown_summary.json").read_text()) == {"x": 1}


def test_a_bad_scenario_is_named(tmp_path, monkeypatch):
    from feemodel.errors import InputError

    monkeypatch.setenv("FEEMODEL_CACHE", str(tmp_path / "cache"))
    with pytest.raises(InputError, match="nope.yaml"):
        report.load("", scenario=str(tmp_path / "nope.yaml"))


def test_a_writer_that_finishes_second_keeps_the_first_writers_tables(tmp_path, monkeypatch):
    # another section finishes computing while this one computes: this one's rename into place
    # fails, and it reads the folder the other put there (its own copy is removed)
    from feemodel.publish import tables

    monkeypatch.setenv("FEEMODEL_CACHE", str(tmp_path / "cache"))
    final = tmp_path / "cache" / "tables" / report.cache_key(EXAMPLE)
    real = tables.run

    def run_while_another_finishes(path):
        r = real(path)
        final.mkdir(parents=True)
        (final / "meta.json").write_text('{"written_by": "the other section"}')
        (final / "headline.json").write_text("{}")
        return r

    monkeypatch.setattr(tables, "run", run_while_another_finishes)
    got = report.cached_tables(EXAMPLE)
    assert got == final
    assert json.loads((final / "meta.json").read_text()) == {"written_by": "the other section"}
    assert [p.name for p in final.parent.iterdir()] == [final.name]  # no temporary folder left

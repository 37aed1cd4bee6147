"""Faults and hostile uses that are not an input file: output folders, locks, formula injection,
escaping, the PDF fetcher, fonts, cell timeouts, the explorer server and its save, the CLI's one-line
errors and warnings. Each bad use exits 2 (or 1 for a machine fault) with one line, writes nothing
and touches no existing file."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from feemodel.apps.cli import _show_warning, main
from feemodel.errors import InputError
from feemodel.paths import PACKAGE_DIR, example_dir, national_params_dir
from feemodel.publish import writers
from feemodel.publish.writers import commit_target, prepare_target, write_csv, write_excel


def tree_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        h.update(str(p.relative_to(folder)).encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture
def scen(tmp_path) -> Path:
    folder = tmp_path / "council"
    shutil.copytree(example_dir(), folder)
    return folder / "two_band_2026.yaml"


def one_line_error(result, *fragments, code=2):
    assert result.exit_code == code, (result.exit_code, result.output)
    message = result.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message, message
    assert "Traceback" not in result.output and "Usage:" not in result.output
    for f in fragments:
        assert f in message, (f, message)
    return message


def hidden(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


# ---- output folders: never an input, never the current folder, never a file


@pytest.mark.parametrize("where, words", [
    (lambda s: s.parent, "is an input"),                       # the scenario's folder
    (lambda s: s.parent / "data", "is an input"),              # its data
    (lambda s: s.parent.parent, "holds an input"),             # a folder that holds the scenario
    (lambda s: s.parent / "data" / "out", "lies inside an input"),
    (lambda s: national_params_dir(), "input"),                 # the shipped national parameters
    (lambda s: national_params_dir().parent, "input"),
    (lambda s: PACKAGE_DIR / "publish", "lies inside an input"),
])
def test_force_never_replaces_an_input(scen, where, words):
    target = where(scen)
    before = tree_hash(scen.parent)
    params_before = tree_hash(national_params_dir())
    result = CliRunner().invoke(main, ["run", str(scen), "--out", str(target), "--force"])
    one_line_error(result, words)
    assert tree_hash(scen.parent) == before
    assert tree_hash(national_params_dir()) == params_before
    assert not [p for p in target.parent.iterdir() if p.name.startswith(f".{target.name}.")]


def test_out_dot_is_refused_and_leaves_nothing(scen, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for args in (["--out", "."], ["--out", ".", "--force"], ["--out", str(tmp_path), "--force"]):
        one_line_error(CliRunner().invoke(main, ["run", str(scen), *args]), "current folder")
    assert list(work.iterdir()) == []
    assert hidden(tmp_path) == []


def test_out_that_is_a_file_or_under_a_file(scen, tmp_path):
    f = tmp_path / "results.txt"
    f.write_text("keep me\n")
    one_line_error(CliRunner().invoke(main, ["run", str(scen), "--out", str(f), "--force"]), "results.txt", "not a folder")
    one_line_error(CliRunner().invoke(main, ["run", str(scen), "--out", str(f / "sub")]), "is a file, not a folder")
    assert f.read_text() == "keep me\n"
    assert hidden(tmp_path) == []


@pytest.mark.parametrize("name, words", [
    ("out\x00put", "NUL"),
    ("out\x1bput", "control character"),
    (os.fsdecode(b"out\xffput"), "not valid UTF-8"),
    ("", "current folder"),
])
def test_out_names_that_cannot_be_written(scen, tmp_path, name, words):
    out = str(tmp_path / name) if name else ""
    one_line_error(CliRunner().invoke(main, ["run", str(scen), "--out", out]), words)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["council"]


def test_two_runs_to_one_new_folder_one_is_refused(tmp_path):
    out = tmp_path / "out"
    first = prepare_target(out, False)
    second = prepare_target(out, False)       # both checked while the folder did not exist
    (first / "a.csv").write_text("first\n")
    (second / "a.csv").write_text("second\n")
    commit_target(first, out)
    with pytest.raises(InputError, match="another run wrote this output folder"):
        commit_target(second, out)
    assert (out / "a.csv").read_text() == "first\n"
    assert hidden(tmp_path) == []


def test_force_replaces_whole_and_leaves_no_temporary_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.csv").write_text("old\n")
    tmp = prepare_target(out, True)
    (tmp / "new.csv").write_text("new\n")
    commit_target(tmp, out)
    assert sorted(p.name for p in out.iterdir()) == ["new.csv"]
    assert hidden(tmp_path) == []


def test_failure_while_writing_leaves_no_temporary_folder(scen, tmp_path, monkeypatch):
    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(writers, "write_excel", boom)
    result = CliRunner().invoke(main, ["run", str(scen), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert not (tmp_path / "out").exists() and hidden(tmp_path) == []


# ---- formula injection


HOSTILE = ["=Working age", "+SUM(A1:A9)", "-2+3", "@cmd", "\tx", "\rx", "=HYPERLINK(\"http://x\")", "plain"]


def test_csv_text_that_a_spreadsheet_would_run_is_defused_numbers_kept(tmp_path):
    frame = pd.DataFrame({"band": HOSTILE, "change_gbp": [-12.5, -1.0, 0.0, 3.0, -0.01, 2.0, -5e6, 1.0],
                          "note": ["-12.5", "-", "+", "@", "", "x", "-1e3", "=1"]})
    write_csv(frame, tmp_path / "t.csv")
    import csv
    rows = list(csv.reader((tmp_path / "t.csv").open(newline="")))
    back = pd.DataFrame(rows[1:], columns=rows[0])
    assert list(back.band) == ["'=Working age", "'+SUM(A1:A9)", "'-2+3", "'@cmd", "'\tx", "' x", "'=HYPERLINK(\"http://x\")", "plain"]
    assert list(back.change_gbp) == ["-12.5", "-1.0", "0.0", "3.0", "-0.01", "2.0", "-5000000.0", "1.0"]
    assert list(back.note) == ["-12.5", "'-", "'+", "'@", "", "x", "-1e3", "'=1"]


def test_xlsx_never_holds_a_formula(tmp_path):
    frame = pd.DataFrame({"band": HOSTILE, "weekly_rate_gbp": [-1.5] * len(HOSTILE)})
    write_excel({"rate_card": frame}, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [c.value for c in wb["rate_card"]["A"]][1:]
    assert values[0] == "=Working age" and values[2] == "-2+3"
    assert [c.value for c in wb["rate_card"]["B"]][1:] == [-1.5] * len(HOSTILE)


def test_band_named_like_a_formula_end_to_end(scen, tmp_path):
    text = scen.read_text().replace("Working age residential", "=Working age residential")
    scen.write_text(text)
    book = scen.parent / "data" / "placements.csv"
    book.write_text(book.read_text().replace(",Working age residential,", ",=Working age residential,"))
    result = CliRunner().invoke(main, ["run", str(scen), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(tmp_path / "out" / "tables.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [f"{c.parent.title}!{c.coordinate}" for c in cells if c.data_type == "f"]
    assert any(c.value == "=Working age residential" for c in cells)
    csv_text = "".join(p.read_text() for p in (tmp_path / "out").glob("*.csv"))
    assert "'=Working age residential" in csv_text
    assert ",=Working" not in csv_text and "\n=Working" not in csv_text


# ---- scenario text in the pack; the PDF fetches nothing


def test_scenario_text_is_shown_literally_in_the_pack(tmp_path):
    import mistune

    from feemodel.publish.pack import assemble_html
    from feemodel.publish.report import PackData

    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "headline.json").write_text("{}")
    (tables / "meta.json").write_text(json.dumps({"council": "C <script>alert(1)</script>",
                                                  "title": "T ![s](/etc/passwd) **b** [x](http://evil/)"}))
    meta = PackData(tables).meta
    md = f"**{meta['council']}: {meta['title']}**"
    nb = nbformat.v4.new_notebook()
    out = nbformat.v4.new_output("display_data", data={"text/markdown": md})
    cell = nbformat.v4.new_code_cell("x", outputs=[out])
    nb.cells = [nbformat.v4.new_markdown_cell("# Summary\n![raw](file:///etc/passwd) <img src=/etc/passwd>"), cell]
    path = tmp_path / "01_summary.ipynb"
    nbformat.write(nb, path)
    doc = assemble_html([path], "t", "s")
    assert "<script>" not in doc and "<img src=\"/etc/passwd\"" not in doc and "file:///etc/passwd\"" not in doc
    assert "<img src=/etc/passwd>" not in doc
    assert "![s](/etc/passwd)" in doc and "&lt;script&gt;" in doc and "**b**" in doc
    assert "<img" not in mistune.html(md)


def test_pdf_fetcher_allows_only_data_uris(tmp_path):
    from feemodel.publish.pack import pdf_url_fetcher

    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for the pdf")
    fetch = pdf_url_fetcher()
    call = fetch.fetch if hasattr(fetch, "fetch") else fetch
    for url in (secret.as_uri(), "http://127.0.0.1:9/x.png", "https://example.org/x.png", "ftp://x/y"):
        with pytest.raises(ValueError, match="refused"):
            call(url)
    assert call("data:text/plain;base64,aGk=") is not None


def test_no_fonts_stops_before_the_build_with_one_line(tmp_path):
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n')
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    out = tmp_path / "packs" / "ex"
    r = subprocess.run([sys.executable, "-m", "feemodel", "pack", "--out", str(out)], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 1, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "fonts" in lines[0] and "apt-get install" in lines[0], r.stderr
    assert not out.exists() and not out.with_name("ex.failed").exists()
    assert not (tmp_path / "packs").exists() or hidden(tmp_path / "packs") == []


def test_a_cell_timeout_fails_once_naming_section_and_cell(tmp_path, monkeypatch):
    import papermill

    from feemodel.publish import pack as packmod

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("scenario = ''\ntables_dir = ''")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("import time\ntime.sleep(60)")]
    src = tmp_path / "09_slow.ipynb"
    nbformat.write(nb, src)
    calls = []
    real = papermill.execute_notebook

    def counted(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(papermill, "execute_notebook", counted)
    monkeypatch.setattr(packmod, "CELL_TIMEOUT_S", 2)
    root = packmod._kernel_dir()
    try:
        with pytest.raises(packmod.PackError) as err:
            packmod.run_section(src, tmp_path / "out.ipynb", {"scenario": "", "tables_dir": ""}, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert len(calls) == 1
    msg = str(err.value)
    assert "09_slow" in msg and "timed out" in msg and "cell 3 ('import time')" in msg and "not retried" in msg, msg


# ---- the explorer


def test_explorer_save_refuses_bad_names_and_planted_symlinks(scen, tmp_path):
    from feemodel.apps.explore import Explorer, ExplorerError

    ex = Explorer.from_scenario(scen)
    for name in ("ok\n", "ok\r", "../up", "a/b", "", "x" * 80, ".hidden"):
        with pytest.raises(ExplorerError):
            ex.save(name, scen.parent)
    outside = tmp_path / "outside.yaml"
    outside.write_text("outside\n")
    for planted in ("ok.yaml.tmp", ".ok.yaml.tmp"):
        (scen.parent / planted).symlink_to(outside)
    path = ex.save("ok", scen.parent)   # beside the base scenario (a folder of the user's, not params/)
    assert path == scen.parent / "ok.yaml" and path.is_file() and not path.is_symlink()
    assert outside.read_text() == "outside\n"
    assert not [p for p in scen.parent.iterdir() if p.name.startswith(".ok.") and not p.is_symlink()]
    (scen.parent / "link.yaml").symlink_to(outside)
    with pytest.raises(ExplorerError):
        ex.save("link", scen.parent)
    assert outside.read_text() == "outside\n"


def test_explorer_refuses_values_the_schema_forbids(scen):
    from feemodel.apps.explore import Explorer

    ex = Explorer.from_scenario(scen)
    before = ex.results.headline
    assert ex.set("occupancy_pct", 1e-9) is None and ex.message
    assert ex.set("target_rates", (ex.results.rate_card.band.iloc[0], 1e12)) is None
    assert "weekly_rate" in ex.message or "1,000,000" in ex.message, ex.message
    assert ex.results.headline == before


def test_explore_port_out_of_range_is_one_line():
    one_line_error(CliRunner().invoke(main, ["explore", "--port", "-1"]), "--port")
    one_line_error(CliRunner().invoke(main, ["explore", "--port", "70000"]), "--port")


def test_explorer_server_is_local_logs_to_a_file_and_names_its_port():
    pytest.importorskip("voila")
    import http.client

    from feemodel.apps.explore import serve

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(InputError, match="--port"):
            serve(port=busy.getsockname()[1])
    proc, url = serve()
    try:
        assert proc.stderr is None and proc.stdout is None and Path(proc.log_path).is_file()
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10):
            pass   # the printed port is the one listening
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/", headers={"Host": f"rebind.example:{port}"})
        assert conn.getresponse().status == 403
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        Path(proc.log_path).unlink(missing_ok=True)


# ---- one-line errors and quiet warnings


def test_impossible_contribution_date_is_one_line():
    one_line_error(CliRunner().invoke(main, ["contribution", "--income", "200", "--capital", "1000", "--date", "2026-02-30"]),
                   "--date", "2026-02-30", "not a real date")
    one_line_error(CliRunner().invoke(main, ["contribution", "--income", "x", "--capital", "1000"]), "--income")


@pytest.mark.parametrize("content", ["{not json", "[]", '{"scenario": {"path": 3}}', "\xff\xfe", '{"scenario": {}}'])
def test_verify_a_broken_manifest_is_exit_2(tmp_path, content):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "manifest.json").write_bytes(content.encode("latin-1"))
    one_line_error(CliRunner().invoke(main, ["verify", str(pack)]), "manifest.json")


def test_warnings_are_one_line_or_dropped(capsys):
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    _show_warning(RuntimeWarning("divide by zero encountered in divide"), RuntimeWarning, "x.py", 1)
    _show_warning(FutureWarning("pandas will change"), FutureWarning, "x.py", 1)
    _show_warning(ConvergenceWarning("IRLS failed\nto converge"), ConvergenceWarning, "x.py", 1)
    _show_warning(ConvergenceWarning("IRLS failed\nto converge"), ConvergenceWarning, "x.py", 1)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("warning: the demand model") and "divide" not in err


def test_run_prints_no_warning_noise(scen, tmp_path):
    with warnings.catch_warnings():
        result = CliRunner().invoke(main, ["run", str(scen), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr and "warn(" not in result.stderr, result.stderr

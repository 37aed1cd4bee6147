"""The bad-input catalogue: every case in tests/bad_inputs/*.yaml, run through `feemodel run`.

Each must exit 2 with one line naming the file, the row or key and what is allowed, no traceback,
nothing written to the output folder and an existing output folder untouched. Cases marked
``ok: true`` (a BOM, Windows line endings) must work.
"""

import csv
import io
import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from feemodel.apps.cli import main
from feemodel.paths import example_dir

CASES = sorted((Path(__file__).parent / "bad_inputs").glob("*.yaml"))


def _set(data, dotted, value, delete=False):
    keys = dotted.split(".")
    for k in keys[:-1]:
        k = int(k) if k.isdigit() and (isinstance(data, list) or int(k) in data) else k
        data = data[k]
    last = int(keys[-1]) if keys[-1].isdigit() and (isinstance(data, list) or int(keys[-1]) in data) else keys[-1]
    if delete:
        del data[last]
    else:
        data[last] = value


def apply(case: dict, folder: Path) -> Path:
    target = folder / case["file"]
    if "set" in case or "delete" in case:
        data = yaml.safe_load(target.read_text())
        for k, v in case.get("set", {}).items():
            _set(data, k, v)
        for k in case.get("delete", []):
            _set(data, k, None, delete=True)
        target.write_text(yaml.safe_dump(data, sort_keys=False))
    if "replace" in case:
        text = target.read_text()
        for old, new in case["replace"]:
            assert old in text, f"case fixture: {old!r} not in {target.name}"
            text = text.replace(old, new, 1)
        target.write_text(text)
    if "replace_bytes" in case:
        raw = target.read_bytes()
        for old, new in case["replace_bytes"]:
            raw = raw.replace(old.encode("latin-1"), new.encode("latin-1"), 1)
        target.write_bytes(raw)
    if "content" in case:
        target.write_text(case["content"])
    if "content_hex" in case:
        target.write_bytes(bytes.fromhex(case["content_hex"]))
    row_ops = ("cell", "drop_column", "keep_lines", "append_to_line", "duplicate_line", "drop_year", "self_funder_topup", "residential_fnc")
    if any(k in case for k in row_ops):
        rows = list(csv.reader(io.StringIO(target.read_text(encoding="latin-1"), newline="")))
        header = rows[0]
        if "cell" in case:
            row, col, value = case["cell"]
            rows[row][header.index(col)] = value
        if "drop_column" in case:
            j = header.index(case["drop_column"])
            rows = [[c for i, c in enumerate(r) if i != j] for r in rows]
        if "keep_lines" in case:
            rows = rows[: case["keep_lines"]]
        if "append_to_line" in case:
            rows[case["append_to_line"][0]].append(case["append_to_line"][1].lstrip(","))
        if "duplicate_line" in case:
            rows.insert(case["duplicate_line"] + 1, list(rows[case["duplicate_line"]]))
        if "drop_year" in case:
            rows = [r for r in rows if r[0] != str(case["drop_year"])]
        for flag, (col, where, value) in {"self_funder_topup": ("third_party_topup", ("funding", "self"), "25.0"),
                                          "residential_fnc": ("fnc_eligible", ("setting", "residential"), "True")}.items():
            if case.get(flag):
                i = next(i for i, r in enumerate(rows) if i and r[header.index(where[0])] == where[1])
                rows[i][header.index(col)] = value
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        target.write_text(buf.getvalue(), encoding="latin-1")
    if "pad_bytes" in case:  # a comment line long enough to pass a size limit
        with target.open("a", encoding="utf-8") as fh:
            fh.write("\n#" + "x" * case["pad_bytes"] + "\n")
    if "nested" in case:  # a value nested this many lists deep
        target.write_text(target.read_text() + "\ndeep: " + "[" * case["nested"] + "]" * case["nested"] + "\n")
    if case.get("fifo"):  # the file replaced by a named pipe: must be refused, never block
        target.unlink()
        os.mkfifo(target)
    if case.get("folder"):  # the file replaced by a folder
        target.unlink()
        target.mkdir()
    if case.get("crlf"):
        target.write_bytes(target.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    if case.get("bom"):
        target.write_bytes(b"\xef\xbb\xbf" + target.read_bytes())
    return folder / "two_band_2026.yaml"


def test_catalogue_is_big_enough():
    bad = [c for c in CASES if not yaml.safe_load(c.read_text()).get("ok")]
    assert len(bad) >= 100
    assert len(CASES) >= 120


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_case(case_file, tmp_path):
    case = yaml.safe_load(case_file.read_text())
    folder = tmp_path / "scenario"
    shutil.copytree(example_dir(), folder)
    scenario = apply(case, folder)
    runner = CliRunner()
    fresh = tmp_path / "fresh_out"
    existing = tmp_path / "existing_out"
    existing.mkdir()
    (existing / "rate_card.csv").write_text("an earlier result\n")
    result = runner.invoke(main, ["run", str(scenario), "--out", str(fresh)])
    if case.get("ok"):
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 2, (result.exit_code, result.output)
    message = result.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message, message
    assert len(message) < 1500 + len(str(tmp_path)), f"message is {len(message):,} characters long"
    assert message.isprintable(), repr(message)
    assert "Traceback" not in result.output
    assert Path(case["file"]).name in message, message
    for fragment in case["expect"]:
        assert fragment in message, (fragment, message)
    assert not fresh.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary output left behind"
    again = runner.invoke(main, ["run", str(scenario), "--out", str(existing), "--force"])
    assert again.exit_code == 2
    assert (existing / "rate_card.csv").read_text() == "an earlier result\n"
    assert sorted(p.name for p in existing.iterdir()) == ["rate_card.csv"]

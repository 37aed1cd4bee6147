"""Batches of packs (batch.csv, a failing scenario reported while the others build) and sweeps
(a grid of overrides costed on the engine alone, in-process or on Dask, the same rows)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from feemodel.apps.cli import main
from feemodel.apps.sweep import parse_sets, sweep
from feemodel.model import uplift
from feemodel.paths import example_dir
from feemodel.publish.tables import load_case
from tests.conftest import EXAMPLE, tiny_scenario

UNIFORM = example_dir() / "uniform_uplift_2026.yaml"


def one_line_exit_2(r, *words):
    assert r.exit_code == 2, r.output
    err = r.stderr if hasattr(r, "stderr") else r.output
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1, err
    for w in words:
        assert w in lines[0], (w, lines[0])


# ---- sweep: bad input


def test_an_unknown_key_is_exit_2_naming_it_and_the_keys_allowed(tmp_path):
    r = CliRunner().invoke(main, ["sweep", str(EXAMPLE), "--set", "uplift.uniform_pc=2,3", "--scheduler", "none", "--out", str(tmp_path / "s.csv")])
    one_line_exit_2(r, "--set uplift.uniform_pc", "'uniform_pc' is not a key at uplift", "allowed:", "uniform_pct", "effective_date")
    assert not (tmp_path / "s.csv").exists()


def test_a_bad_value_is_exit_2_naming_the_key_and_what_is_allowed(tmp_path):
    occ = "cost_of_care.categories.standard_residential.occupancy_pct"
    r = CliRunner().invoke(main, ["sweep", str(EXAMPLE), "--set", f"{occ}=90,150", "--scheduler", "none", "--out", str(tmp_path / "s.csv")])
    one_line_exit_2(r, f"--set {occ}", "less than or equal to 100", "150")
    r = CliRunner().invoke(main, ["sweep", str(EXAMPLE), "--set", "uplift=3", "--scheduler", "none", "--out", str(tmp_path / "s.csv")])
    one_line_exit_2(r, "--set uplift", "is a section", "uniform_pct")
    r = CliRunner().invoke(main, ["sweep", str(EXAMPLE), "--set", "data.placements=x.csv", "--scheduler", "none"])
    one_line_exit_2(r, "--set data.placements", "cannot be swept")
    r = CliRunner().invoke(main, ["sweep", str(EXAMPLE), "--set", "uplift.uniform_pct", "--scheduler", "none"])
    one_line_exit_2(r, "--set", "KEY=VALUES")
    # the output may not overwrite an input
    before = EXAMPLE.read_bytes()
    r = CliRunner().invoke(main, ["sweep", str(EXAMPLE), "--set", "uplift.uniform_pct=2", "--scheduler", "none", "--out", str(EXAMPLE)])
    one_line_exit_2(r, "--out", "one of the sweep's inputs")
    assert EXAMPLE.read_bytes() == before


def test_values_lists_and_ranges():
    (a,) = parse_sets(["uplift.uniform_pct=2, 3,4.5"])
    assert a.texts == ["2", "3", "4.5"] and a.values == [2, 3, 4.5]
    (a,) = parse_sets(["uplift.uniform_pct=0:1:0.25"])
    assert a.texts == ["0", "0.25", "0.5", "0.75", "1"]   # inclusive: 0 to 1 in steps of 0.25 is 5 values
    (a,) = parse_sets(["uplift.effective_date=2026-04-06,2026-05-01"])
    assert [str(v) for v in a.values] == ["2026-04-06", "2026-05-01"]


# ---- sweep: the figures


def test_each_point_costs_as_the_uplift_table_does(tmp_path):
    # The sweep costs with the vectorised engine; the pack's headline comes from the row-by-row
    # uplift cost table (feemodel.model.uplift). Two implementations: each point must agree to the penny.
    path = tiny_scenario(tmp_path, [dict(weekly_fee=760.0, weekly_income=200.0), dict(weekly_fee=900.0, capital=30000.0),
                                    dict(home_id="H2", setting="nursing", band="Nursing", weekly_fee=1100.0, fnc_eligible=True),
                                    dict(funding="self", weekly_fee=1000.0, weekly_income=500.0, capital=900000.0)],
                         uplift={"method": "uniform"})
    frame = sweep(path, ["uplift.uniform_pct=0,2.5,5", "uplift.effective_date=2026-04-06,2026-07-01"], scheduler="none", progress=False)
    assert len(frame) == 6 and list(frame["uplift.uniform_pct"]) == ["0", "0", "2.5", "2.5", "5", "5"]
    case = load_case(path)
    for row in frame.itertuples(index=False):
        pct, when = float(row[0]), row[1]
        u = case.scenario.uplift.model_copy(update={"uniform_pct": pct, "effective_date": pd.Timestamp(when).date()})
        c = case.with_scenario(case.scenario.model_copy(update={"uplift": u}))
        expected = uplift.headline(uplift.uplift_cost(c, years=1))["council_net_change_part_year_gbp"]
        assert row.council_net_change_part_year_gbp == pytest.approx(expected, abs=0.005), (pct, when)
    # 0% changes nothing; a later start costs less of the year; a larger % costs more
    f = frame.set_index(["uplift.uniform_pct", "uplift.effective_date"])["council_net_change_part_year_gbp"]
    assert f["0", "2026-04-06"] == 0 and f["0", "2026-07-01"] == 0
    assert 0 < f["2.5", "2026-07-01"] < f["2.5", "2026-04-06"] < f["5", "2026-04-06"]


def test_the_base_point_gives_the_example_packs_headline(tmp_path):
    # Exampleshire's two-band proposal: the pack's headline part-year cost is £11,118,502.45
    # (tests/test_verify.py); its standard residential category is costed at 90% occupancy.
    out = tmp_path / "s.csv"
    occ = "cost_of_care.categories.standard_residential.occupancy_pct"
    r = CliRunner().invoke(main, ["sweep", str(EXAMPLE), "--set", f"{occ}=88,90,92", "--scheduler", "none", "--out", str(out)])
    assert r.exit_code == 0, r.output
    f = pd.read_csv(out, dtype={occ: str})
    assert list(f[occ]) == ["88", "90", "92"]
    assert f.loc[1, "council_net_change_part_year_gbp"] == 11118502.45
    assert f.loc[1, "rate_Residential_gbp_pw"] == 819.01          # the rate card's Residential rate
    # a lower occupancy spreads fixed costs over fewer residents: a higher rate and cost
    assert f.loc[0, "rate_Residential_gbp_pw"] > 819.01 > f.loc[2, "rate_Residential_gbp_pw"]
    assert f.loc[0, "council_net_change_part_year_gbp"] > 11118502.45 > f.loc[2, "council_net_change_part_year_gbp"]


# ---- sweep on Dask


def test_a_sweep_on_a_dask_local_cluster_gives_the_same_rows_as_in_process():
    import distributed  # in the test extra (requirements.lock): this test never skips
    sets = ["uplift.uniform_pct=1:5:1", "uplift.effective_date=2026-04-06,2026-10-01"]
    here = sweep(UNIFORM, sets, scheduler="none", progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            there = sweep(UNIFORM, sets, client=client, progress=False)
        # and through the CLI's --scheduler ADDRESS, to the same cluster
        r = CliRunner().invoke(main, ["sweep", str(UNIFORM), *sum((["--set", s] for s in sets), []), "--scheduler", cluster.scheduler_address,
                                      "--out", "/dev/null"])
    assert len(here) == 10
    pd.testing.assert_frame_equal(here, there)
    assert r.exit_code == 0, r.output


def test_an_unreachable_scheduler_is_exit_2():
    r = CliRunner().invoke(main, ["sweep", str(UNIFORM), "--set", "uplift.uniform_pct=1", "--scheduler", "tcp://127.0.0.1:9"])
    one_line_exit_2(r, "--scheduler", "tcp://127.0.0.1:9")


# ---- batch


def test_a_batch_reports_a_failing_scenario_and_builds_the_others(tmp_path):
    bad = tmp_path / "inputs" / "broken.yaml"
    bad.parent.mkdir()
    bad.write_text("council: [unclosed\n")
    out = tmp_path / "packs"
    r = subprocess.run([sys.executable, "-m", "feemodel", "pack", "--scenarios", str(UNIFORM), str(bad), "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "broken.yaml: bad input:" in r.stderr and "1 of 2 packs built" in r.stdout
    assert "%|" not in r.stderr  # no progress bar: stderr is not a terminal
    batch = pd.read_csv(out / "batch.csv", keep_default_na=False)
    assert list(batch.columns) == ["scenario", "status", "council_net_change_part_year_gbp", "council_net_change_full_year_gbp",
                                   "gross_change_part_year_gbp", "placements_affected", "placements_protected", "seconds", "pack", "error"]
    assert list(batch.status) == ["built", "bad input"]
    good = batch.iloc[0]
    assert good.pack == str(out / "uniform_uplift_2026") and (out / "uniform_uplift_2026" / "pack.pdf").is_file()
    import json
    head = json.loads((out / "uniform_uplift_2026" / "manifest.json").read_text())["headline"]
    assert float(good.council_net_change_part_year_gbp) == head["council_net_change_part_year_gbp"] and float(good.seconds) > 0
    assert "broken.yaml" in batch.iloc[1].error and batch.iloc[1].pack == ""
    assert not (out / "broken").exists()
    shutil.rmtree(out)

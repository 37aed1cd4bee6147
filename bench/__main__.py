"""Run every benchmark and print a table of figures (medians over repeated runs).

    python -m bench            # everything (about 5 minutes on 2 cores)
    python -m bench --quick    # fewer repeats and a smaller book
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd

from bench import reference
from bench.sweep import bench_sweep
from feemodel.model import uplift
from feemodel.model.charging import ChargingRules
from feemodel.model.engine import CostEngine
from feemodel.model.funding import BookArrays
from feemodel.money import to_pence
from feemodel.publish.pack import PARAMETERS, KernelPool, _kernel_dir, build_many, build_pack, run_section
from feemodel.paths import example_dir
from feemodel.model.sensitivity import monte_carlo
from feemodel.publish.tables import load_case

EXAMPLE = example_dir() / "two_band_2026.yaml"
ROWS: list[tuple[str, str, str]] = []


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def cpu_seconds() -> float:
    """CPU-seconds (user + system) used so far by this process and its finished children (section
    kernels and the PDF renderer are children, counted once they have exited)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def bytecode_cached() -> bool:
    """Whether the installed packages carry compiled bytecode. Without it (a venv installed by a
    tool that does not compile, on a machine with PYTHONDONTWRITEBYTECODE set) every kernel compiles
    IPython, pandas and the rest from source at start-up, which inflates the floor."""
    import pandas
    return Path(importlib.util.cache_from_source(pandas.__file__)).exists()


def row(name, value, target=""):
    ROWS.append((name, value, target))
    print(f"  {name}: {value}", flush=True)


def big_book(placements: pd.DataFrame, n: int, seed: int = 1) -> pd.DataFrame:
    idx = np.random.default_rng(seed).integers(0, len(placements), n)
    book = placements.iloc[idx].reset_index(drop=True)
    book["placement_id"] = [f"B{i:07d}" for i in range(n)]
    return book


def bench_engine(n: int, ref_n: int, repeats: int):
    base = load_case(EXAMPLE)
    s, p, b = base.scenario, base.params, base.book
    # the rule the reference implements: every council fee (out of county too) x 1.055, to the penny
    oa = s.uplift.out_of_area.model_copy(update={"method": "band_change"})
    s = s.model_copy(update={"uplift": s.uplift.model_copy(update={"method": "uniform", "uniform_pct": 5.5,
                                                                   "provider_pass_through_pct": 50,
                                                                   "self_funder_pass_through_pct": 0,
                                                                   "out_of_area": oa})})
    case = base.with_scenario(s)
    book = big_book(b.placements, n)
    # the book is encoded into arrays once, as it is loaded (timed separately)
    enc, _ = timed(lambda: BookArrays.from_frame(book), repeats)
    arrays = BookArrays.from_frame(book)
    # vectorised: the funding split before and after, and the fee change, for every placement
    vec, _ = timed(lambda: uplift.year_fees(case, 0, 1.0, arrays=arrays), repeats)
    yf = uplift.year_fees(case, 0, 1.0, arrays=arrays)
    # row by row on a sample, checked identical
    # national figures as the engine takes them for the first year: those in force on the rates date
    # (uplift.year_fees, Scenario.year_date(0); the personal expenses allowance changes on 6 April)
    when = s.year_date(0)
    rules = ChargingRules.on(when, p)
    r = {"upper": rules.upper_capital_limit, "lower": rules.lower_capital_limit, "step": rules.tariff_step,
         "per_step": rules.tariff_per_step, "pea": rules.personal_expenses_allowance}
    fnc_p = to_pence(p.get("nhs.fnc_standard_rate", when))
    sample = book.iloc[:ref_n]
    records = sample.assign(assessed_contribution=sample.assessed_contribution.astype(object).where(sample.assessed_contribution.notna(), None),
                            weekly_fee=sample.weekly_fee.astype(object).where(sample.weekly_fee.notna(), None)).to_dict("records")
    t = time.perf_counter()
    out = [reference.uplift_row(rec, r, fnc_p, 5.5, 50) for rec in records]
    ref_time = time.perf_counter() - t
    keys = ["gross", "council", "resident", "third_party", "nhs_fnc", "nhs_chc"]
    for which, k in ((0, "base"), (1, "new")):
        ref = np.array([[o[which][j] for j in range(6)] for o in out])
        vecm = np.stack([getattr(yf, k)[key][:ref_n] for key in keys], axis=1)
        mismatch = int((ref != vecm).any(axis=1).sum())
        if mismatch:
            raise SystemExit(f"reference and vectorised engine differ on {mismatch} of {ref_n} placements ({k})")
    vec_rate = n / vec
    ref_rate = ref_n / ref_time
    # the physical floor: one numpy pass over the same arrays, reading every input the engine reads
    # once and writing every output it returns once (no arithmetic): memory traffic only
    inputs = [arrays.council, arrays.self_funded, arrays.chc, arrays.nursing, arrays.in_area, arrays.fnc_eligible, arrays.fee,
              arrays.topup, arrays.first_party, arrays.price, arrays.income, arrays.capital, arrays.given, arrays.band_code]
    outputs = [np.empty_like(o) for o in (yf.fee_old, yf.fee_new, yf.band_old, yf.band_new, yf.protected, yf.self_price_change,
                                          *yf.base.values(), *yf.new.values())]

    def one_pass():
        for x in inputs:
            x.sum()
        for o in outputs:
            o.fill(1)

    floor_t, _ = timed(one_pass, max(repeats, 5))
    megabytes = (sum(x.nbytes for x in inputs) + sum(o.nbytes for o in outputs)) / 1e6
    row("book size (placements)", f"{n:,}")
    row("one-off: encode the book into arrays (s)", f"{enc:.2f}")
    row("vectorised split + uplift (placements/s)", f"{vec_rate:,.0f}", "> 1,000,000")
    row("row-by-row reference (placements/s)", f"{ref_rate:,.0f}")
    row("check: identical results on", f"{ref_n:,} placements (base and new split, all six payers)")
    row("speed-up over reference", f"{vec_rate / ref_rate:,.0f}x", ">= 50x")
    row(f"physical floor: one numpy pass over the arrays ({megabytes:,.0f} MB) (placements/s)", f"{n / floor_t:,.0f}")
    row("vectorised engine / physical floor (time)", f"{vec / floor_t:,.1f}x")
    row("ceiling on the speed-up (floor over reference)", f"{n / floor_t / ref_rate:,.0f}x")


def bench_monte_carlo(repeats: int):
    e = CostEngine(load_case(EXAMPLE))
    t, _ = timed(lambda: monte_carlo(e, draws=10_000), repeats)
    row("Monte Carlo, 10,000 draws (s)", f"{t:.2f}", "< 10 s")


def bench_big_book_monte_carlo(n: int, draws: int):
    """Monte Carlo on a large book: the engine sizes its chunks by memory (feemodel.model.engine)."""
    import resource

    base = load_case(EXAMPLE)
    book = big_book(base.book.placements, n)
    case = base.with_scenario(base.scenario)
    case = type(case)(case.scenario, case.params, type(base.book)(**{**base.book.__dict__, "placements": book}))
    council = int(case.arrays.council.sum())
    t = time.perf_counter()
    e = CostEngine(case)
    monte_carlo(e, draws=draws)
    took = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    row(f"Monte Carlo on a book of {n:,} placements ({council:,} council), {draws:,} draws (s)", f"{took:.1f}")
    row("  draws per chunk / peak memory of the process (GiB)", f"{e.chunk_size()} / {peak:.1f}", "fits 24 GiB")


def bench_explorer(repeats: int):
    """One control moved, as a commissioner moves it: the recompute and every figure drawn on
    screen at once (headline, rates costed, chart, who pays, top-ups); then the figures worked out
    once the lever stops (the range of 1,000 draws, the five-year series, who gains and loses:
    self-funders, providers' income; homes below their cost of care)."""
    try:
        from feemodel.apps.explore import Explorer
    except ImportError:
        row("explorer recompute (ms)", "n/a (explorer not built)", "p95 < 150 ms")
        return
    ex = Explorer.from_scenario(EXAMPLE)
    ex.set("structure", "legacy")
    lat, cpu, after = [], [], []
    values = [3.0, 4.0, 5.0, 6.0]
    for i in range(max(40, repeats * 20)):
        t, c = time.perf_counter(), time.process_time()
        ex.set("uniform_pct", values[i % 4] + i * 0.01)   # a new value each time: nothing is cached
        assert ex.message == "", ex.message
        for draw in (ex.headline_html, ex.rates_html, ex.chart_html, ex.funding_html, ex.impact_html, ex.comparison_html):
            draw()
        lat.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        if i < 10:
            t = time.perf_counter()
            extras = ex.extras()
            ex.extras_html(extras)
            ex.who_html(extras)
            ex.impact_html(extras)
            after.append((time.perf_counter() - t) * 1000)
    # CPU time too: on a shared machine the wall clock includes waiting for a core
    row("explorer recompute, one control, all first figures drawn (ms, median / p95; CPU p95)",
        f"{statistics.median(lat):.1f} / {np.percentile(lat, 95):.1f}; {np.percentile(cpu, 95):.1f}", "p95 < 150 ms")
    row("explorer range (1,000 draws), five years, who gains, homes below cost, once a lever stops (ms, median / p95)",
        f"{statistics.median(after):.0f} / {np.percentile(after, 95):.0f}", "")


def empty_sections(folder: Path, n: int) -> list[Path]:
    out = []
    for i in range(n):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
        nb.cells = [nbformat.v4.new_code_cell("\n".join(f'{k} = ""' for k in sorted(PARAMETERS)), metadata={"tags": ["parameters"]})]
        path = folder / f"{i:02d}_empty.ipynb"
        nbformat.write(nb, path)
        out.append(path)
    return out


def bench_pack(repeats: int, parallel: bool):
    from concurrent.futures import ThreadPoolExecutor

    from feemodel.publish.pack import sections
    work = Path(tempfile.mkdtemp(prefix="feemodel-bench-"))
    try:
        n = len(sections())
        empties = empty_sections(work, n)
        kroot = _kernel_dir()
        workers = min(n, os.cpu_count() or 2)

        def floor():
            out = work / f"floor-{time.perf_counter_ns()}"
            out.mkdir()
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(lambda nb: run_section(nb, out / nb.name, {"scenario": "", "tables_dir": ""}, kroot), empties))

        def pool_floor():
            out = work / f"pool-{time.perf_counter_ns()}"
            out.mkdir()
            pool = KernelPool(workers, kroot)
            try:
                with ThreadPoolExecutor(max_workers=workers) as threads:
                    list(threads.map(lambda nb: run_section(nb, out / nb.name, {"scenario": "", "tables_dir": ""}, kroot, pool), empties))
            finally:
                pool.close()

        # floor and pack alternate, so that a change in the machine's load falls on both
        def cpu_timed(fn):
            c = cpu_seconds()
            t = timed(fn, 1)[0]
            return t, cpu_seconds() - c

        floors, packs, pools, pdfs, floor_cpu, pack_cpu = [], [], [], [], [], []
        for _ in range(repeats):
            t, c = cpu_timed(floor)
            floors.append(t)
            floor_cpu.append(c)
            t, c = cpu_timed(lambda: build_pack(EXAMPLE, work / "pack", force=True, progress=False))
            packs.append(t)
            pack_cpu.append(c)
            pdfs.append(json.loads((work / "pack" / "manifest.json").read_text())["timings"].get("pdf_render_s") or float("nan"))
            pools.append(timed(pool_floor, 1)[0])
        floor_t, pack_t, pool_t, pdf_t, floor_c, pack_c = (statistics.median(v) for v in
                                                            (floors, packs, pools, pdfs, floor_cpu, pack_cpu))
        shutil.rmtree(kroot, ignore_errors=True)
        cores = os.cpu_count() or 1
        row("installed packages carry compiled bytecode (.pyc)", "yes" if bytecode_cached() else "NO: floor inflated")
        row(f"pack build, example council ({n} sections) (s)", f"{pack_t:.1f}")
        row(f"floor: start kernels and run {n} empty notebooks (s)", f"{floor_t:.1f}")
        row("pack / floor", f"{pack_t / floor_t:.2f}x", "<= 2x")
        row("  the pack's PDF render alone, in its build (s) / as a share of the floor", f"{pdf_t:.1f} / {pdf_t / floor_t:.2f}x")
        row("  CPU-seconds: pack / floor", f"{pack_c:.1f} / {floor_c:.1f}")
        row(f"  least the pack could take on {cores} cores, all its work in parallel: CPU-s / cores / floor",
            f"{pack_c / cores / floor_t:.2f}x")
        row(f"  {workers} pooled kernels running the {n} empty notebooks (s)", f"{pool_t:.1f}")
        if parallel:
            scen = [example_dir() / f for f in ("two_band_2026.yaml", "uniform_uplift_2026.yaml", "fair_cost_of_care_2026.yaml")]
            extra = work / "copy"
            shutil.copytree(example_dir(), extra)
            (extra / "two_band_copy.yaml").write_text((extra / "two_band_2026.yaml").read_text())
            scen.append(extra / "two_band_copy.yaml")
            t = time.perf_counter()
            for sc in scen:
                build_pack(sc, work / "serial" / sc.stem, force=True, progress=False)
            serial = time.perf_counter() - t
            t = time.perf_counter()
            results = build_many(scen, work / "parallel", force=True)
            par = time.perf_counter() - t
            assert all(r["status"] == "built" for r in results), results
            row("4 packs serially (s)", f"{serial:.1f}")
            row(f"4 packs in parallel, {os.cpu_count()} processes (s)", f"{par:.1f}")
            row("parallel speed-up", f"{serial / par:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer repeats, smaller book, no parallel packs")
    a = ap.parse_args()
    repeats = 1 if a.quick else 3
    print(f"feemodel benchmarks, {dt.date.today().isoformat()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
    bench_engine(200_000 if a.quick else 1_000_000, 20_000 if a.quick else 100_000, repeats)
    bench_monte_carlo(repeats)
    bench_big_book_monte_carlo(200_000 if a.quick else 1_000_000, 200 if a.quick else 1_000)
    bench_explorer(repeats)
    bench_sweep(row)
    bench_pack(repeats, parallel=not a.quick)
    width = max(len(r[0]) for r in ROWS)
    print("\n" + f"{'figure':<{width}}  {'value':>24}  target")
    for name, value, target in ROWS:
        print(f"{name:<{width}}  {value:>24}  {target}")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps({"date": dt.date.today().isoformat(), "cores": os.cpu_count(),
                                                 "rows": ROWS}, indent=2))


if __name__ == "__main__":
    main()

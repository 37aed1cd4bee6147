"""``feemodel sweep``: the cost curve over a grid of scenario overrides, on the costing engine alone.

``feemodel sweep BASE.yaml --set uplift.uniform_pct=2,3,4,5 --set cost_of_care...=...`` makes every
combination of the values given (the grid, in the order the options are given, the last key varying
fastest), applies each combination to a copy of the base scenario, validates it with the scenario
schema (as the explorer does), and costs it with :class:`feemodel.model.engine.CostEngine`: no
notebooks, no tables. One row per point: the values set, the proposed weekly rate of each proposed
band (£/week, as the rate card would set it) and the first year's change in the council's net cost
(part year from the effective date, £; the same figure, to the penny, as the pack's headline
``council_net_change_part_year_gbp`` for the same scenario).

Values: a comma-separated list (``2,3,4,5``; each read as YAML, so ``2026-05-01`` is a date and
``true`` a flag), or an inclusive range ``start:stop:step`` of numbers (``0:10:0.5``). Keys are the
scenario file's keys joined by dots; a list item is named by its position or, for bands, by its
name (``band_structures.two_band.Residential.weekly_rate``). Data files cannot be swept.

Points are mapped with Dask when it is installed (``feemodel[dask]``): local worker processes by
default for a grid of :data:`DASK_MIN_POINTS` points or more (``scheduler="local"`` for any size), or
an existing cluster with ``scheduler="tcp://host:8786"``; without Dask (or with ``scheduler="none"``,
or a smaller grid) they run in this process. The rows are the same either way, in grid order.
"""

from __future__ import annotations

import copy
import itertools
import math
import os
import sys
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from pydantic import ValidationError

from ..errors import InputError
from ..inputs.scenario import Scenario, _pydantic_error
from ..model.case import Case
from ..model.engine import CostEngine
from ..money import pounds
from ..publish.tables import load_case

MAX_POINTS = 1_000_000
# Without --scheduler, a grid this large or larger goes to Dask local worker processes (when Dask is
# installed); a smaller one runs in this process: starting the workers (each imports the toolkit and
# receives the case) took longer than costing 1,000 points in-process on the project's 2-core
# machine (README, "Sweeps"), so only a larger grid repays it.
DASK_MIN_POINTS = 2_000
FIGURE = "council_net_change_part_year_gbp"


@dataclass(frozen=True)
class Axis:
    key: str            # dotted scenario key
    texts: list[str]    # the values as given (for the output)
    values: list        # the values as parsed


def _parse_value(text: str):
    return yaml.safe_load(text) if text.strip() else None


def _range(key: str, text: str) -> list[str] | None:
    """``start:stop:step`` (numbers) as an inclusive list of values, or None when it is not a range."""
    parts = text.split(":")
    if len(parts) != 3:
        return None
    try:
        start, stop, step = (Decimal(p.strip()) for p in parts)
    except InvalidOperation:
        return None
    if step <= 0 or stop < start:
        raise InputError(None, f"--set {key}", f"range {text!r} must run upward with a positive step (start:stop:step, e.g. 0:10:0.5)")
    n = int((stop - start) / step) + 1
    if n > MAX_POINTS:
        raise InputError(None, f"--set {key}", f"range {text!r} has {n:,} values; at most {MAX_POINTS:,} points are allowed")
    return [format((start + i * step).normalize(), "f") for i in range(n)]


def parse_sets(sets: list[str]) -> list[Axis]:
    """``KEY=V1,V2,...`` options as axes; a key given twice, an empty value list or no ``=`` is an error."""
    axes, seen = [], set()
    for item in sets:
        key, eq, raw = item.partition("=")
        key = key.strip()
        if not eq or not key:
            raise InputError(None, "--set", f"{item!r} is not KEY=VALUES; e.g. --set uplift.uniform_pct=2,3,4,5")
        if key in seen:
            raise InputError(None, f"--set {key}", "is given twice; give all its values in one option, comma-separated")
        seen.add(key)
        texts = _range(key, raw.strip())
        if texts is None:
            texts = [t.strip() for t in raw.split(",")]
        if not texts or any(t == "" for t in texts):
            raise InputError(None, f"--set {key}", f"{raw!r} has an empty value; give values separated by commas, e.g. 2,3,4")
        axes.append(Axis(key, texts, [_parse_value(t) for t in texts]))
    if not axes:
        raise InputError(None, "--set", "give at least one --set KEY=VALUES, e.g. --set uplift.uniform_pct=2,3,4,5")
    n = math.prod(len(a.values) for a in axes)
    if n > MAX_POINTS:
        raise InputError(None, "--set", f"the grid has {n:,} points; at most {MAX_POINTS:,} are allowed")
    return axes


def _allowed(node) -> str:
    if isinstance(node, dict):
        keys = sorted(node)
    else:
        keys = [str(i) + (f" ({item['name']})" if isinstance(item, dict) and "name" in item else "") for i, item in enumerate(node)]
    shown = ", ".join(keys[:30]) + (", ..." if len(keys) > 30 else "")
    return shown or "(none)"


def set_key(data: dict, key: str, value) -> None:
    """Set a dotted ``key`` in the scenario's data (a dict from ``model_dump(mode="json")``) to
    ``value``. The key must name a value that exists (a number, text, date, flag, or an empty value),
    not a whole section. Errors name the key and what is allowed there."""
    parts = key.split(".")
    if parts[0] in ("data", "path"):
        raise InputError(None, f"--set {key}", "data files cannot be swept (a sweep costs one council's data); "
                         "sweep the scenario's settings, e.g. uplift.uniform_pct")
    node, trail = data, []
    for i, part in enumerate(parts):
        where = ".".join(trail) or "the scenario's top level"
        last = i == len(parts) - 1
        if isinstance(node, dict):
            if part not in node:
                raise InputError(None, f"--set {key}", f"{part!r} is not a key at {where}; allowed: {_allowed(node)}")
            nxt_key = part
        elif isinstance(node, list):
            by_name = [j for j, item in enumerate(node) if isinstance(item, dict) and item.get("name") == part]
            if part.isdigit() and int(part) < len(node):
                nxt_key = int(part)
            elif by_name:
                nxt_key = by_name[0]
            else:
                raise InputError(None, f"--set {key}", f"{part!r} is not an item of {where}; allowed: {_allowed(node)}")
        else:
            raise InputError(None, f"--set {key}", f"{'.'.join(trail)} is a single value, it has no key {part!r}")
        if last:
            if isinstance(node[nxt_key], dict | list):
                raise InputError(None, f"--set {key}", f"is a section, not a single value; set one of its keys: {_allowed(node[nxt_key])}")
            node[nxt_key] = value
            return
        node = node[nxt_key]
        trail.append(part)


def point_scenario(base: Scenario, overrides: dict[str, object], dump: dict | None = None) -> Scenario:
    """The base scenario with ``overrides`` ({dotted key: value}) applied and validated by the scenario
    schema; a value the schema refuses is an :class:`InputError` naming the key and what is allowed.
    ``dump``: the base's ``model_dump(mode="json")`` when the caller keeps it (it is copied, not changed)."""
    data = copy.deepcopy(dump if dump is not None else base.model_dump(mode="json", exclude={"path"}))
    for key, value in overrides.items():
        set_key(data, key, value)
    try:
        s = Scenario.model_validate(data)
    except ValidationError as err:
        e = _pydantic_error(Path("scenario"), err)
        shown = ", ".join(f"{k}={v}" for k, v in overrides.items())
        raise InputError(None, f"--set {e.where}", f"{e.problem} (at the point {shown})") from None
    return s.model_copy(update={"path": base.path})


def _dump(case: Case) -> dict:
    """The base scenario's data, kept with its case (computed once per case; a case reaches a Dask
    worker once)."""
    return case.derive("sweep_scenario_data", lambda c: c.scenario.model_dump(mode="json", exclude={"path"}))


def warm(case: Case) -> Case:
    """Compute the book-derived arrays once, so each point's case shares them (Case.with_scenario)."""
    CostEngine(case)
    _dump(case)
    return case


def evaluate(case: Case, overrides: dict[str, object]) -> dict:
    """One point: its proposed rates (£/week by proposed band) and first-year council cost (£)."""
    s = point_scenario(case.scenario, overrides, _dump(case))
    c = case.with_scenario(s)
    e = CostEngine(c)
    rates = c.proposed_rates
    cost = e.council_cost(np.array([[rates[b] for b in e.proposed_names]], dtype=np.int64))[0]
    row = {f"rate_{b}_gbp_pw": pounds(rates[b] / 100) for b in e.proposed_names}
    row[FIGURE] = pounds(float(cost))
    return row


def evaluate_chunk(case: Case, chunk: list[tuple[int, dict]]) -> list[tuple[int, dict | None, str | None]]:
    """Several points (each with its index in the grid); an invalid point gives its message, not an exception
    (so a worker process returns it whole)."""
    out = []
    for i, overrides in chunk:
        try:
            out.append((i, evaluate(case, overrides), None))
        except InputError as err:
            out.append((i, None, err.message))
        except ValueError as err:
            shown = ", ".join(f"{k}={v}" for k, v in overrides.items())
            out.append((i, None, f"--set: the point {shown}: {err}"))
    return out


def dask_available() -> bool:
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def _progress(total: int, desc: str, show: bool | None):
    from tqdm import tqdm

    enabled = sys.stderr.isatty() if show is None else show
    return tqdm(total=total, desc=desc, unit="point", file=sys.stderr, disable=not enabled)


def client_for(scheduler: str | None, workers: int | None):
    """A Dask client: an existing cluster at ``scheduler`` (an address such as ``tcp://host:8786``), or
    a local cluster of ``workers`` worker processes (one thread each). Returns (client, cluster or None)."""
    from distributed import Client, LocalCluster

    if scheduler and scheduler != "local":
        try:
            return Client(scheduler, timeout="20s"), None
        except (OSError, TimeoutError) as err:
            raise InputError(None, "--scheduler", f"cannot reach a Dask scheduler at {scheduler!r} ({err}); give its address, "
                             "e.g. tcp://10.0.0.5:8786, or 'local' for worker processes on this machine") from None
    cluster = LocalCluster(n_workers=workers or os.cpu_count() or 2, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=50)
    return Client(cluster), cluster


def run_points(case: Case, points: list[dict], scheduler: str | None = None, workers: int | None = None,
               progress: bool | None = None, client=None) -> list[tuple[int, dict | None, str | None]]:
    """Evaluate every point; returns (index, row or None, error or None) in grid order.

    ``scheduler``: None (Dask local worker processes if Dask is installed and there are at least
    :data:`DASK_MIN_POINTS` points, else in-process),
    ``"none"`` (in-process), ``"local"`` or a Dask scheduler's address. ``client``: an existing
    ``distributed.Client`` to use (its cluster is left running)."""
    warm(case)
    indexed = list(enumerate(points))
    use_dask = client is not None or (scheduler != "none" and (scheduler is not None or (dask_available() and len(points) >= DASK_MIN_POINTS)))
    if use_dask and client is None and not dask_available():
        raise InputError(None, "--scheduler", "Dask is not installed; install it with pip install 'feemodel[dask]', "
                         "or leave --scheduler out to run in this process")
    bar = _progress(len(points), "sweep", progress)
    results: list = []
    try:
        if not use_dask:
            for i, p in indexed:
                results += evaluate_chunk(case, [(i, p)])
                bar.update(1)
        else:
            from distributed import as_completed

            own = client is None
            cluster = None
            if own:
                client, cluster = client_for(scheduler, workers)
            try:
                n_workers = max(1, len(client.scheduler_info().get("workers", {})) or (workers or 1))
                size = max(1, math.ceil(len(indexed) / (n_workers * 8)))
                chunks = [indexed[k:k + size] for k in range(0, len(indexed), size)]
                shared = client.scatter(case, broadcast=True)
                futures = [client.submit(evaluate_chunk, shared, ch, pure=False) for ch in chunks]
                for fut in as_completed(futures):
                    got = fut.result()
                    results += got
                    bar.update(len(got))
            finally:
                if own:
                    client.close()
                    if cluster is not None:
                        cluster.close()
    finally:
        bar.close()
    return sorted(results, key=lambda r: r[0])


def sweep(base_path: str | Path, sets: list[str], scheduler: str | None = None, workers: int | None = None,
          progress: bool | None = None, client=None) -> pd.DataFrame:
    """The sweep's table: one row per grid point (see the module's docstring). Every key and value is
    checked against the base scenario first (beside the other keys' first values), so a bad one is
    named before any work; a
    combination the schema refuses is named with its point. Either is an :class:`InputError` (exit 2)."""
    axes = parse_sets(sets)
    case = load_case(base_path)
    first = {a.key: a.values[0] for a in axes}
    for a in axes:   # each value once, beside the other keys' first values (keys may only be valid together)
        for value in a.values:
            point_scenario(case.scenario, {**first, a.key: value}, _dump(case))
    combos = list(itertools.product(*[range(len(a.values)) for a in axes]))
    points = [{a.key: a.values[j] for a, j in zip(axes, combo, strict=True)} for combo in combos]
    results = run_points(case, points, scheduler, workers, progress, client)
    bad = [(i, err) for i, _, err in results if err]
    if bad:
        raise InputError(base_path, None, bad[0][1] + (f" ({len(bad) - 1} more points refused)" if len(bad) > 1 else ""))
    rows = [{**{a.key: a.texts[j] for a, j in zip(axes, combo, strict=True)}, **row}
            for (_, row, _), combo in zip(results, combos, strict=True)]
    return pd.DataFrame(rows)


def timed_sweep(base_path, sets, **kw) -> tuple[pd.DataFrame, float]:
    t = time.perf_counter()
    frame = sweep(base_path, sets, **kw)
    return frame, time.perf_counter() - t

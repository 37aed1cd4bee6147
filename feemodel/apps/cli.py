"""The ``feemodel`` command. Exit codes: 0 ok, 2 bad input (one line naming file and key/row), 1 failure."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import traceback
import warnings
from pathlib import Path

import click

from .. import __version__
from ..errors import InputError
from ..paths import default_scenario, example_dir


class FeemodelGroup(click.Group):
    """Turn bad input into one line on stderr and exit code 2; other failures into exit code 1."""

    def invoke(self, ctx):
        _quiet_warnings()
        try:
            return super().invoke(ctx)
        except InputError as err:
            click.echo(f"error: {_printable(err.message)}", err=True)
            sys.exit(2)
        except click.UsageError as err:  # one line naming the option, not click's usage block
            click.echo(f"error: {_printable(' '.join(err.format_message().split()))}", err=True)
            sys.exit(2)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:  # output piped into `head` and the like
            sys.exit(0)
        except Exception as err:  # noqa: BLE001
            if ctx.params.get("debug") or ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            click.echo(f"feemodel failed: {type(err).__name__}: {err}", err=True)
            sys.exit(1)


def _printable(text: str) -> str:
    """Text safe for any terminal: a file name that is not UTF-8 is shown with escapes, not a crash."""
    return str(text).encode("utf-8", "backslashreplace").decode("utf-8")


_SHOWN: set[str] = set()


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """Warnings reach the terminal only as the tool's own one-line ``warning:`` messages: the
    package's own warnings and a demand model that did not converge; numerical RuntimeWarnings and
    third-party deprecation noise and resource warnings (an unclosed event loop of a finished
    worker thread) are dropped (the figures are checked, not the warnings)."""
    text = " ".join(str(message).split())
    name = category.__name__
    module = category.__module__ or ""
    if issubclass(category, RuntimeWarning) and not module.startswith("feemodel"):
        if "Convergence" in name or "Separation" in name:
            text = f"the demand model (Poisson GLM of admissions) may not be reliable: {text}"
        else:
            return
    elif issubclass(category, DeprecationWarning | PendingDeprecationWarning | FutureWarning | SyntaxWarning | ImportWarning
                    | ResourceWarning):  # Python hides ResourceWarning by default too (e.g. a worker thread's event loop)
        return
    elif module.startswith("statsmodels") and ("Convergence" in name or "Separation" in name or "Hessian" in name):
        text = f"the demand model (Poisson GLM of admissions) may not be reliable: {text}"
    elif module.startswith("statsmodels"):
        return
    text = _printable(text if len(text) <= 300 else text[:300] + "...")
    if text in _SHOWN:
        return
    _SHOWN.add(text)
    click.echo(f"warning: {text}", err=True)


def _quiet_warnings() -> None:
    warnings.showwarning = _show_warning
    warnings.simplefilter("default")


class SafePath(click.Path):
    """A path option or argument; a NUL byte is a bad-input error (exit 2), not a crash in os.stat."""

    def convert(self, value, param, ctx):
        text = os.fsdecode(value) if isinstance(value, bytes) else str(value)
        if "\x00" in text:
            self.fail("contains a NUL byte; give a plain file or folder name", param, ctx)
        return super().convert(value, param, ctx)


def _path():
    return SafePath(path_type=Path)


SCENARIO = click.argument("scenario", required=False, type=_path())


def _scenario(path: Path | None) -> Path:
    return path if path is not None else default_scenario()


@click.group(cls=FeemodelGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="feemodel")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.pass_context
def main(ctx, debug):
    """Set the weekly fees a council pays care homes, and show who pays what.

    Every command takes a scenario YAML file; without one it uses the example council,
    Exampleshire (synthetic data shipped with the toolkit).
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@main.command()
@SCENARIO
def check(scenario):
    """Validate a scenario and its data files, and print a short summary."""
    from ..model.checks import checks as run_checks
    from ..model.demand import check_demand
    from ..publish.tables import load_case, unavailable

    path = _scenario(scenario)
    case = load_case(path)
    s, book = case.scenario, case.book
    absent = unavailable(case)
    notes = check_demand(s, book) if "demand" not in absent else []
    found = run_checks(case)
    click.echo(f"{path}: OK")
    click.echo(f"  {s.council}: {s.title} ({s.year_label})")
    click.echo(f"  bands: {len(s.bands('current'))} current ({s.current_structure}) -> {len(s.bands('proposed'))} proposed ({s.proposed_structure})")
    for line in _inputs_summary(s, book):
        click.echo(f"  {line}")
    for note in notes:
        click.echo(f"  note: {note}")
    for name, why in absent.items():
        click.echo(f"  not computed: {name}: {why}")
    _print_checks(found)


def _inputs_summary(s, book) -> list[str]:
    """One line per data file: what was read, or that it was not given."""
    out = []
    p = book.placements
    if p is None:
        out.append("placements: not given")
    else:
        kind = f"from the placement summary {s.data_name('placement_summary')}" if book.from_summary else s.data_name("placements")
        counts = ", ".join(f"{k} {v:,}" for k, v in p.funding.value_counts().sort_index().items())
        out.append(f"placements: {len(p):,}{f' ({counts})' if counts else ''}, {kind}")
    out.append(f"homes: {len(book.homes):,}" if book.homes is not None else "homes: not given")
    if book.cost_survey is not None:
        out.append(f"cost survey: {book.cost_survey.home_id.nunique()} homes, {len(book.cost_survey):,} rows")
    elif book.survey_published is not None:
        out.append(f"cost survey: a published summary, {len(book.survey_published)} rows")
    else:
        out.append("cost survey: not given")
    for name in ("population", "admissions"):
        frame = getattr(book, name)
        out.append(f"{name} rows: {len(frame)}" if frame is not None else f"{name}: not given")
    return out


def _print_checks(found) -> None:
    """Each check that warns, as one line on stderr (a warning, never a failure)."""
    for row in found.itertuples():
        if row.status == "warning":
            click.echo(f"warning: {row.key}: {row.detail}", err=True)
        elif row.status == "explained":
            click.echo(f"  explained: {row.key}: {row.detail}")


@main.command()
@SCENARIO
@click.option("--out", "out", type=_path(), default=Path("output"), show_default=True,
              help="Folder for the tables (refused if it exists and is not empty, unless --force).")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
def run(scenario, out, force):
    """Compute every table for a scenario and write CSVs, tables.xlsx and headline.json."""
    from ..inputs.scenario import load_scenario
    from ..money import fmt_gbp_m
    from ..publish.tables import run as run_scenario
    from ..publish.writers import check_output_folder, protected_inputs, write_results

    path = _scenario(scenario)
    check_output_folder(out, protected_inputs(load_scenario(path)))  # before the work, and again when writing
    results = run_scenario(path)
    write_results(results, out, force)
    _print_checks(results.tables["checks"])
    for name, why in results.skipped.items():
        click.echo(f"not computed: {name}: {why}", err=True)
    h = results.headline
    click.echo(f"Wrote {len(results.tables)} tables to {out}")
    if h:
        click.echo(f"Council cost {h['financial_year']}: {fmt_gbp_m(h['council_net_change_part_year_gbp'])} part year, "
                   f"{fmt_gbp_m(h['council_net_change_full_year_gbp'])} full year")
    else:
        click.echo("No placement book: the cost of the change is not computed")


@main.command()
@click.option("--income", type=float, required=True, help="Assessable weekly income, £/week.")
@click.option("--capital", type=float, required=True, help="Assessable capital, £.")
@click.option("--date", "when", default=None, help="Date of the assessment (YYYY-MM-DD); default today.")
@click.option("--fee", type=float, default=None, help="Weekly fee the contribution is capped at, £/week.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def contribution(income, capital, when, fee, as_json):
    """Weekly contribution of a permanent care home resident under the Care Act 2014 means test."""
    from ..inputs.params import load_parameters
    from ..model.charging import assess_one

    for name, value in (("--income", income), ("--capital", capital), ("--fee", fee)):
        if value is not None and (value != value or value < 0 or value > 1e9):
            raise InputError(None, name, f"{value!r} is not allowed; give a number from 0 to 1,000,000,000")
    if when is None:
        when = dt.date.today()
    else:
        raw = when
        try:
            when = dt.date.fromisoformat(when) if len(when) == 10 else None
        except ValueError:
            when = None
        if when is None:
            raise InputError(None, "--date", f"{_printable(raw)[:40]!r} is not a real date; use YYYY-MM-DD, e.g. 2026-04-06")
    r = assess_one(income, capital, when, fee, params=load_parameters())
    if as_json:
        click.echo(json.dumps(r, indent=2))
        return
    click.echo(f"Means test on {r['date']} (limits £{r['lower_capital_limit']:,.2f} / £{r['upper_capital_limit']:,.2f})")
    click.echo(f"  weekly income                 £{r['weekly_income']:,.2f}")
    click.echo(f"  capital                       £{r['capital']:,.2f}")
    if r["self_funder"]:
        click.echo("  capital is above the upper limit: self-funder, pays the full fee")
        if r["weekly_contribution"] is not None:
            click.echo(f"  weekly contribution           £{r['weekly_contribution']:,.2f}")
        return
    click.echo(f"  tariff income                 £{r['tariff_income']:,.2f}")
    click.echo(f"  personal expenses allowance  -£{r['personal_expenses_allowance']:,.2f}")
    capped = " (capped at the fee)" if fee is not None and r["weekly_contribution"] == r["fee"] else ""
    click.echo(f"  weekly contribution           £{r['weekly_contribution']:,.2f}{capped}")


@main.command()
@click.argument("directory", type=_path())
@click.option("--force", is_flag=True, help="Write into a folder that is not empty.")
def example(directory, force):
    """Write the example council's scenarios and data to DIRECTORY as a starting point."""
    if directory.exists() and any(directory.iterdir()) and not force:
        raise InputError(directory, None, "folder exists and is not empty; choose another or pass --force")
    src = example_dir()
    shutil.copytree(src, directory, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    click.echo(f"Wrote the Exampleshire scenarios and data to {directory}")
    for f in sorted(directory.glob("*.yaml")):
        click.echo(f"  {f}")


SCHEDULER = click.option("--scheduler", default=None, metavar="ADDRESS",
                         help="Dask scheduler: an address (tcp://host:8786) for an existing cluster, 'local' for worker processes "
                              "here, 'none' to stay in this process. Default: local Dask workers when Dask is installed "
                              "(pip install 'feemodel[dask]'; a sweep uses them from 2,000 points), else this process.")


@main.command()
@SCENARIO
@click.option("--out", "out", type=_path(), default=None,
              help="Pack folder (default packs/<scenario name>); with --scenarios, the folder that holds one pack per scenario and batch.csv.")
@click.option("--force", is_flag=True, help="Replace an existing pack.")
@click.option("--scenarios", "many", multiple=True, type=_path(),
              help="Build several packs in parallel processes; repeat the option or list files after it.")
@SCHEDULER
@click.argument("more", nargs=-1, type=_path())
def pack(scenario, out, force, many, scheduler, more):
    """Build the consultation evidence pack: executed notebooks, pack.html, pack.pdf, tables.xlsx, manifest.json.

    Examples: `feemodel pack` (the example council), `feemodel pack my.yaml --out packs/my`,
    `feemodel pack --scenarios a.yaml b.yaml --out packs` (one pack per scenario, and packs/batch.csv:
    scenario, status, headline figures, seconds, pack folder; exit 1 if any scenario failed).
    """
    from ..publish.pack import PackError, SetupError, build_many, build_pack

    if many:
        files = list(many) + ([scenario] if scenario else []) + list(more)
        root = out or Path("packs")
        rows = build_many(files, root, force, scheduler=scheduler)
        for r in rows:
            if r["status"] == "built":
                click.echo(f"{r['scenario']}: pack in {r['pack']} ({r['seconds']} s)")
            else:
                click.echo(f"{r['scenario']}: {r['status']}: {_printable(r['error'])}", err=True)
        failed = sum(r["status"] != "built" for r in rows)
        click.echo(f"{len(rows) - failed} of {len(rows)} packs built; summary in {Path(root) / 'batch.csv'}")
        sys.exit(1 if failed else 0)
    if more:
        raise click.UsageError("give one SCENARIO, or several with --scenarios")
    path = _scenario(scenario)
    target = out or Path("packs") / path.stem
    try:
        build_pack(path, target, force)
    except SetupError as err:
        click.echo(f"pack failed: {err}", err=True)
        sys.exit(1)
    except PackError as err:
        click.echo(f"pack failed: {err}", err=True)
        click.echo(f"the previous pack (if any) is untouched; failed notebooks kept in {target}.failed", err=True)
        sys.exit(1)
    click.echo(f"Pack written to {target}/ (open {target / 'pack.html'}; also pack.pdf, tables.xlsx, manifest.json)")


@main.command()
@click.argument("directory", type=_path())
@click.option("--scenario", "scenario", type=_path(), default=None,
              help="The scenario file the pack was built from (default: where the manifest says, relative to the pack; or beside it).")
@click.option("--data", "data", type=_path(), default=None,
              help="The folder holding the data files (at the paths the scenario gives, or by file name); default: beside the scenario.")
@click.option("--keep-rerun", "keep", type=_path(), default=None, help="Keep the rebuilt pack in this new folder, to inspect it.")
def verify(directory, scenario, data, keep):
    """Rebuild a pack from its inputs, here or on another machine, and compare every published file.

    Compares the tables (CSV), every cell of tables.xlsx, the text of pack.html and pack.pdf, the
    executed notebooks' outputs, the headline figures, and the inputs by hash (scenario, data files,
    national parameter files). Exit 0: VERIFIED; 1: a difference (each shown as file, place, pack
    value, rerun value); 2: an input is missing (the message says which option points at it).
    """
    from ..publish.verify import verify as verify_pack

    rep = verify_pack(directory, scenario=scenario, data=data, keep_rerun=keep)
    for note in rep.notes:
        click.echo(f"warning: {note}", err=True)
    for line in rep.lines:
        click.echo(line)
    click.echo("VERIFIED: every published file is identical to the rerun" if rep.ok else "NOT VERIFIED: see the differences above")
    sys.exit(0 if rep.ok else 1)


@main.command()
@click.argument("base", type=_path())
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUES",
              help="A scenario key and its values: comma-separated (2,3,4,5) or a range start:stop:step (0:10:0.5). Repeat for a grid.")
@click.option("--out", "out", type=_path(), default=Path("sweep.csv"), show_default=True, help="The CSV to write (one row per point).")
@SCHEDULER
@click.option("--workers", type=click.IntRange(1, 512), default=None, help="Local Dask worker processes (default: one per core).")
def sweep(base, sets, out, scheduler, workers):
    """Cost a grid of overrides of BASE on the costing engine alone (no notebooks): one row per point.

    Example: `feemodel sweep my.yaml --set uplift.uniform_pct=2,3,4,5 --set uplift.effective_date=2026-04-06,2026-05-01`.
    Each row: the values set, each proposed band's weekly rate and the first year's change in the
    council's net cost (part year, £; the pack's headline figure for that scenario).
    """
    from ..publish.writers import write_csv
    from .sweep import sweep as run_sweep

    from ..inputs.scenario import load_scenario
    from ..publish.writers import protected_inputs

    inputs = {p.resolve() for p in protected_inputs(load_scenario(base)) if p.is_file()}
    if out.is_dir() or out.resolve() in inputs:
        raise InputError(out, "--out", "is a folder or one of the sweep's inputs; give a new CSV file name, e.g. sweep.csv")
    frame = run_sweep(base, list(sets), scheduler=scheduler, workers=workers)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_csv(frame, out)
    figure = frame["council_net_change_part_year_gbp"]
    click.echo(f"Wrote {len(frame)} points to {out}; first-year council cost from {figure.min():,.2f} to {figure.max():,.2f} GBP")


@main.command()
@SCENARIO
@click.option("--port", type=int, default=None, help="Port on localhost (default: a free one).")
@click.option("--save-to", "save_to", type=_path(), default=None,
              help="Folder the explorer saves scenarios to (default: scenarios/ in the current folder).")
def explore(scenario, port, save_to):
    """Serve the interactive fee explorer with Voila on localhost and print its address."""
    from ..inputs.scenario import load_scenario
    from .explore import serve, voila_missing

    missing = voila_missing()
    if missing:
        click.echo(f"error: {missing}", err=True)
        sys.exit(2)
    if port is not None and not 1 <= port <= 65535:
        raise InputError(None, "--port", f"{port} is not a port; give a whole number from 1 to 65535")
    path = _scenario(scenario)
    load_scenario(path)  # bad input is reported here, before anything starts
    proc, url = serve(path, port, save_folder=save_to)
    click.echo(f"Explorer for {path} at {url} (Ctrl-C to stop; log: {proc.log_path})")
    click.echo(f"Saved scenarios go to {Path(save_to or Path.cwd() / 'scenarios').resolve()}")
    try:
        proc.wait()
    except KeyboardInterrupt:
        proc.terminate()


if __name__ == "__main__":  # pragma: no cover
    main()

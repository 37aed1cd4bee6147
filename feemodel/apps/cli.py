"""The ``feemodel`` command. Exit codes: 0 ok, 2 bad input (one line naming file and key/row), 1 failure."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import traceback
from pathlib import Path

import click

from .. import __version__
from ..errors import InputError
from ..paths import default_scenario, example_dir


class FeemodelGroup(click.Group):
    """Turn bad input into one line on stderr and exit code 2; other failures into exit code 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as err:
            click.echo(f"error: {err.message}", err=True)
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


SCENARIO = click.argument("scenario", required=False, type=click.Path(path_type=Path))


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
    from ..inputs.load import load_inputs

    path = _scenario(scenario)
    s, params, book = load_inputs(path)
    p = book.placements
    click.echo(f"{path}: OK")
    click.echo(f"  {s.council}: {s.title} ({s.year_label})")
    click.echo(f"  bands: {len(s.bands('current'))} current ({s.current_structure}) -> {len(s.bands('proposed'))} proposed ({s.proposed_structure})")
    click.echo(f"  placements: {len(p):,} ({', '.join(f'{k} {v:,}' for k, v in p.funding.value_counts().sort_index().items())})")
    click.echo(f"  homes: {len(book.homes):,}; cost survey: {book.cost_survey.home_id.nunique()} homes, {len(book.cost_survey):,} rows")
    click.echo(f"  population rows: {len(book.population)}; admissions rows: {len(book.admissions)}")


@main.command()
@SCENARIO
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("output"), show_default=True,
              help="Folder for the tables (refused if it exists and is not empty, unless --force).")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
def run(scenario, out, force):
    """Compute every table for a scenario and write CSVs, tables.xlsx and headline.json."""
    from ..money import fmt_gbp_m
    from ..publish.tables import run as run_scenario
    from ..publish.writers import write_results

    results = run_scenario(_scenario(scenario))
    write_results(results, out, force)
    h = results.headline
    click.echo(f"Wrote {len(results.tables)} tables to {out}")
    click.echo(f"Council cost {h['financial_year']}: {fmt_gbp_m(h['council_net_change_part_year_gbp'])} part year, "
               f"{fmt_gbp_m(h['council_net_change_full_year_gbp'])} full year")


@main.command()
@click.option("--income", type=float, required=True, help="Assessable weekly income, £/week.")
@click.option("--capital", type=float, required=True, help="Assessable capital, £.")
@click.option("--date", "when", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date of the assessment (YYYY-MM-DD); default today.")
@click.option("--fee", type=float, default=None, help="Weekly fee the contribution is capped at, £/week.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def contribution(income, capital, when, fee, as_json):
    """Weekly contribution of a permanent care home resident under the Care Act 2014 means test."""
    from ..inputs.params import load_parameters
    from ..model.charging import assess_one

    for name, value in (("--income", income), ("--capital", capital), ("--fee", fee)):
        if value is not None and (value != value or value < 0 or value > 1e9):
            raise InputError(None, name, f"{value!r} is not allowed; give a number from 0 to 1,000,000,000")
    when = (when.date() if when else dt.date.today())
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
@click.argument("directory", type=click.Path(path_type=Path))
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


@main.command()
@SCENARIO
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Pack folder (default packs/<scenario name>); with --scenarios, the folder that holds one pack per scenario.")
@click.option("--force", is_flag=True, help="Replace an existing pack.")
@click.option("--scenarios", "many", multiple=True, type=click.Path(path_type=Path),
              help="Build several packs in parallel processes; repeat the option or list files after it.")
@click.argument("more", nargs=-1, type=click.Path(path_type=Path))
def pack(scenario, out, force, many, more):
    """Build the consultation evidence pack: executed notebooks, pack.html, pack.pdf, tables.xlsx, manifest.json.

    Examples: `feemodel pack` (the example council), `feemodel pack my.yaml --out packs/my`,
    `feemodel pack --scenarios a.yaml b.yaml --out packs`.
    """
    from ..publish.pack import PackError, build_many, build_pack

    if many:
        files = list(many) + ([scenario] if scenario else []) + list(more)
        results = build_many(files, out or Path("packs"), force)
        worst = 0
        for scen, folder, err, code in results:
            click.echo(f"{scen}: {'pack in ' + folder if code == 0 else ('error: ' + err)}", err=code != 0)
            worst = max(worst, code)
        sys.exit(worst)
    if more:
        raise click.UsageError("give one SCENARIO, or several with --scenarios")
    path = _scenario(scenario)
    target = out or Path("packs") / path.stem
    try:
        build_pack(path, target, force)
    except PackError as err:
        click.echo(f"pack failed: {err}", err=True)
        click.echo(f"the previous pack (if any) is untouched; failed notebooks kept in {target}.failed", err=True)
        sys.exit(1)
    click.echo(f"Pack written to {target}/ (open {target / 'pack.html'}; also pack.pdf, tables.xlsx, manifest.json)")


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
def verify(directory):
    """Rerun a pack from its manifest and report, table by table, whether every figure is identical."""
    from ..publish.verify import verify as verify_pack

    ok, lines = verify_pack(directory)
    for line in lines:
        click.echo(line)
    click.echo("VERIFIED: every figure is identical" if ok else "NOT VERIFIED: see the differences above")
    sys.exit(0 if ok else 1)


@main.command()
@SCENARIO
@click.option("--port", type=int, default=None, help="Port on localhost (default: a free one).")
def explore(scenario, port):
    """Serve the interactive fee explorer with Voila on localhost and print its address."""
    from ..inputs.scenario import load_scenario
    from .explore import serve

    path = _scenario(scenario)
    load_scenario(path)  # bad input is reported here, before anything starts
    proc, url = serve(path, port)
    click.echo(f"Explorer for {path} at {url} (Ctrl-C to stop)")
    try:
        proc.wait()
    except KeyboardInterrupt:
        proc.terminate()


if __name__ == "__main__":  # pragma: no cover
    main()

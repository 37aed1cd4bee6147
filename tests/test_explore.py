"""Explorer logic, without a browser or a kernel: figures equal the pack's, the rates shown are the
rates costed, out-of-range values are refused (never clamped) with the schema's bounds, levers that
do not apply are refused, target boxes show the built rate and the override apart, options compare
side by side, saves keep the base file's comments and go to a folder of the user's."""

import datetime as dt
import html
import io
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from pydantic import ValidationError

from feemodel.apps.explore import MAX_OPTIONS, QUICK_DRAWS, Explorer, ExplorerError, field_bounds
from feemodel.inputs.scenario import Band, Category, Returns, Scenario, Uplift
from feemodel.model import funding, market, uplift
from feemodel.money import fmt_gbp
from feemodel.paths import REPO_DIR
from feemodel.publish.tables import load_case, published_tables, run
from tests.conftest import EXAMPLE, edit_yaml


@pytest.fixture
def ex(example_copy):
    return Explorer.from_scenario(example_copy)


def part_year(ex):
    return ex.results.headline["council_net_change_part_year_gbp"]


def test_default_headline_is_the_packs(ex, example_copy):
    assert part_year(ex) == run(example_copy).headline["council_net_change_part_year_gbp"]


def test_categories_keep_their_own_occupancy_and_returns_until_a_lever_moves(example_copy):
    def differ(d):
        cats = d["cost_of_care"]["categories"]
        cats["standard_nursing"]["occupancy_pct"] = 85
        cats["standard_nursing"].setdefault("returns", {})["return_on_operations_pct"] = 7
    edit_yaml(example_copy, differ)
    ex = Explorer.from_scenario(example_copy)
    # the scenario as written: the explorer's first figures are the pack's (no average imposed on every category)
    assert part_year(ex) == run(example_copy).headline["council_net_change_part_year_gbp"]
    assert ex.scenario().cost_of_care.categories["standard_nursing"].occupancy_pct == 85
    ex.set("occupancy_pct", 92.0)
    assert {c.occupancy_pct for c in ex.scenario().cost_of_care.categories.values() if c.occupancy_pct is not None} == {92.0}
    assert ex.scenario().cost_of_care.categories["standard_nursing"].returns.return_on_operations_pct == 7


def test_an_index_scenario_keeps_its_index_until_a_percentage_is_typed(example_copy):
    edit_yaml(example_copy, lambda d: d["uplift"].update(method="index"))
    ex = Explorer.from_scenario(example_copy)
    assert ex.settings["structure"] == "legacy" and ex.scenario().uplift.method == "index"
    assert part_year(ex) == run(example_copy).headline["council_net_change_part_year_gbp"]
    assert "uplift index of the scenario" in ex.rates_html()
    ex.set("uniform_pct", 0.0)   # typed: 0% means 0%, not the index
    assert ex.scenario().uplift.method == "uniform" and ex.scenario().uplift.uniform_pct == 0.0


def test_uniform_uplift_matches_independent_costing(ex):
    ex.set("structure", "legacy")
    ex.set("uniform_pct", 4.0)
    case = load_case(EXAMPLE)
    s = case.scenario
    s4 = s.model_copy(update={"uplift": s.uplift.model_copy(update={"method": "uniform", "uniform_pct": 4.0})})
    expected = uplift.headline(uplift.uplift_cost(case.with_scenario(s4)))["council_net_change_part_year_gbp"]
    assert part_year(ex) == expected
    assert fmt_gbp(expected) in ex.headline_html()


def test_levers_move_the_cost_the_right_way(ex):
    base = part_year(ex)
    ex.set("pay_premium_change", 0.5)
    higher = part_year(ex)
    ex.set("occupancy_pct", 95)
    fuller = part_year(ex)
    assert higher > base and fuller < higher
    ex.set("effective_date", "2026-10-01")
    later = ex.results.headline
    assert later["council_net_change_part_year_gbp"] < later["council_net_change_full_year_gbp"] * 0.6


# ---- the rates shown are the rates costed

def test_uplift_mode_shows_the_uplifted_rates(ex):
    ex.set("structure", "legacy")
    ex.set("uniform_pct", 6.0)
    rates = ex.results.rates.set_index("band")
    # by hand: 760.00 x 1.06 = 805.60; 1,080.00 x 1.06 = 1,144.80 (the example's current rates)
    assert rates.loc["Residential", "now_gbp_pw"] == 760.00 and rates.loc["Residential", "costed_gbp_pw"] == 805.60
    assert rates.loc["Working age residential", "costed_gbp_pw"] == 1144.80
    assert "£805.60" in ex.rates_html() and "£805.60" in ex.chart_html()
    assert "&rarr; Residential</span>" in ex.chart_html()
    # the chart's costed rate is what the cost table costs each band at
    costed = uplift.band_rates_costed(ex.case.with_scenario(ex.scenario()))
    assert ex.results.costed_by_current["Residential"] == costed["Residential"] / 100
    # a band's own %: Nursing 850.00 x 1.09 = 926.50
    ex.set("per_band_pct", ("Nursing", 9.0))
    assert ex.results.rates.set_index("band").loc["Nursing", "costed_gbp_pw"] == 926.50
    assert "£926.50" in ex.chart_html()


def test_proposed_mode_chart_shows_the_mapped_band_at_its_costed_rate(ex):
    # Residential high needs moves to Residential plus: its costed rate is that band's card rate
    card = ex.results.rates.set_index("band")
    assert ex.results.costed_by_current["Residential high needs"] == card.loc["Residential plus", "costed_gbp_pw"]
    assert "&rarr; Residential plus" in ex.chart_html()


# ---- ranges from the schema; refused, never clamped

def test_bounds_are_read_from_the_schema():
    # the schema's own figures (scenario.py): SignedPct -100..100, Pct 0..100, occupancy 1..100, Money 0..1,000,000
    assert field_bounds(Uplift, "uniform_pct") == (-100, 100)
    assert field_bounds(Uplift, "per_band_pct") == (-100, 100)          # the values of a dict[str, SignedPct]
    assert field_bounds(Category, "occupancy_pct") == (1, 100)           # inside "X | None"
    assert field_bounds(Returns, "return_on_operations_pct") == (0, 100)
    assert field_bounds(Band, "weekly_rate") == (0, 1_000_000)


def test_every_lever_states_its_range_and_unit_and_the_schema_agrees_at_the_edges(ex):
    expected = {"uniform_pct": "from −100% to 100%", "occupancy_pct": "from 1% to 100%",
                "return_on_operations_pct": "from 0% to 100%", "capital_yield_pct": "from 0% to 100%",
                "provider_pass_through_pct": "from 0% to 100%", "effective_date": "from 1 April 2026 to 31 March 2027"}
    for name, text in expected.items():
        assert ex.range_text(name) == text
    for name, lever in ex.levers.items():
        assert lever.help and lever.unit in ("pct", "gbp_pw", "gbp_ph", "date"), name
    # Working age residential carries 4 h x £17.00 = £68.00 of supplementary hours: its card rate runs from £68.00
    assert ex.range_text("target_rates", "Working age residential") == "from £68.00 a week to £1,000,068.00 a week"
    # just outside the explorer's range is outside the schema's too
    data = ex.base.model_dump(mode="json", exclude={"path"})
    data["uplift"]["uniform_pct"] = 100.5
    with pytest.raises(ValidationError):
        Scenario.model_validate(data)


@pytest.mark.parametrize("setup, name, value, words", [
    ([], "target_rates", ("Nursing", -50.0), "−£50.00 a week is outside the allowed range, from £0.00 a week"),
    ([("structure", "legacy")], "uniform_pct", 150.0, "150% is outside the allowed range, from −100% to 100%"),
    ([("structure", "legacy")], "per_band_pct", ("Nursing", -101.0), "−101% is outside the allowed range"),
    ([], "occupancy_pct", 120.0, "120% is outside the allowed range, from 1% to 100%"),
    ([], "return_on_operations_pct", -1.0, "−1% is outside the allowed range, from 0% to 100%"),
    ([], "provider_pass_through_pct", 150.0, "150% is outside the allowed range, from 0% to 100%"),
    ([], "effective_date", "2027-06-01", "1 June 2027 is outside the scenario's financial year"),
    ([], "occupancy_pct", float("nan"), "give a number from 1% to 100%"),
])
def test_out_of_range_values_are_refused_and_the_last_figures_stay(ex, setup, name, value, words):
    for k, v in setup:
        ex.set(k, v)
    before, settings = ex.results, {**ex.settings}
    assert ex.set(name, value) is None
    assert words in ex.message and "It was not used" in ex.message or "give a number" in ex.message
    assert ex.results is before and ex.settings == settings


def test_values_inside_the_schema_are_used_not_clamped(ex):
    # the old sliders clamped a 20% return to 15% and 150% to 100%: 20% is inside the schema's 0-100%
    base = part_year(ex)
    ex.set("return_on_operations_pct", 20.0)
    assert ex.message == "" and ex.settings["return_on_operations_pct"] == 20.0 and part_year(ex) > base
    ex.set("structure", "legacy")
    ex.set("uniform_pct", -20.0)   # a cut is allowed (the schema's -100% to 100%): the cost falls below zero
    assert ex.message == "" and part_year(ex) < 0


def test_levers_that_do_not_apply_are_refused_with_the_reason(ex):
    assert ex.settings["structure"] == "proposed"
    assert ex.set("uniform_pct", 4.0) is None
    assert "Not used under “Move to proposed rates”" in ex.message
    assert ex.set("per_band_pct", ("Nursing", 4.0)) is None
    ex.set("structure", "legacy")
    assert ex.applies("uniform_pct") == (True, "")
    assert ex.set("target_rates", ("Nursing", 900.0)) is None
    assert "Not used under “Uplift current bands”" in ex.message


def test_target_box_is_the_card_rate_and_the_built_rate_refreshes(ex):
    # typing £1,200.00 for Working age residential means a card rate of £1,200.00 (not 1,200 + its £68.00 add-on)
    ex.set("target_rates", ("Working age residential", 1200.0))
    assert ex.results.rates.set_index("band").loc["Working age residential", "costed_gbp_pw"] == 1200.00
    assert ex.scenario().bands("proposed")[4].weekly_rate == 1132.00  # 1,200.00 - 4 x 17.00
    built_before = ex.results.built_rates["Nursing"]
    ex.set("occupancy_pct", 95.0)  # fuller homes: the built rate falls
    assert ex.results.built_rates["Nursing"] < built_before
    assert ex.results.built_rates["Working age residential"] == 1148.00   # its stated 1,080.00 + 68.00, override apart
    assert ex.results.rates.set_index("band").loc["Working age residential", "costed_gbp_pw"] == 1200.00
    ex.set("target_rates", ("Working age residential", None))  # clearing the box: the built rate again
    assert ex.results.rates.set_index("band").loc["Working age residential", "costed_gbp_pw"] == 1148.00


def test_payers_in_plain_words_and_self_funders_apart(ex):
    page = html.unescape(ex.funding_html())
    for words in ("NHS-funded nursing care (FNC)", "NHS continuing healthcare (CHC)", "Self-funders", "Residents' contributions"):
        assert words in page
    f = ex.results.funding.set_index("payer")
    case = ex.case
    split = funding.funding_split(case.book.placements, case.params, case.scenario.year_date(0), case.scenario.uplift.topup_collection)
    selfm = case.book.placements.funding.eq("self").to_numpy()
    # the pack's funding split, summed by hand over self-funders and over everyone else
    assert f.loc["self_funder", "now_gbp_pw"] == pytest.approx(split.resident_gbp_pw[selfm].sum(), abs=0.005)
    assert f.loc["resident", "now_gbp_pw"] == pytest.approx(split.resident_gbp_pw[~selfm].sum(), abs=0.005)


def test_homes_below_cost_follow_the_packs_suppression(ex, example_copy):
    case = ex.case
    raw = market.sustainability(case, uplift.first_year(case))[1].set_index("setting").loc["all"]
    published = published_tables(run(example_copy))["sustainability"].set_index("setting").loc["all"]
    assert ex.extras().homes_below_cost == {"now": published.below_cost_now, "proposed": published.below_cost_proposed}
    if 0 < raw.below_cost_now < 5:
        assert ex.extras().homes_below_cost["now"] == "<5" and "fewer than 5 are not shown" in ex.impact_html(ex.extras())
    # with a threshold of 1 nothing is withheld: the counts themselves
    edit_yaml(example_copy, lambda d: d["publication"].update(suppress_below=1))
    ex1 = Explorer.from_scenario(example_copy)
    assert ex1.extras().homes_below_cost == {"now": int(raw.below_cost_now), "proposed": int(raw.below_cost_proposed)}
    assert "Homes below their cost of care: " + f"{int(raw.below_cost_now):,} now" in ex1.impact_html(ex1.extras())


def test_reset_returns_to_the_scenario(ex):
    start = part_year(ex)
    ex.set("structure", "legacy")
    ex.set("uniform_pct", 3.0)
    ex.reset()
    assert ex.settings == ex.defaults() and part_year(ex) == start and ex.message == ""


# ---- what a decision needs, from the pack's functions

def test_range_five_year_and_who_gains_equal_the_packs(ex, example_copy, tmp_path):
    ex.set("structure", "legacy")
    ex.set("uniform_pct", 5.0)
    extras = ex.extras()
    assert extras.range["draws"] == QUICK_DRAWS
    path = ex.save("five_pct", tmp_path / "scenarios")
    # the same scenario with the pack's Monte Carlo at the explorer's 1,000 draws gives the same range
    edit_yaml(path, lambda d: d["sensitivity"].update(draws=QUICK_DRAWS))
    r = run(path)
    mc = r.tables["montecarlo"].set_index("statistic").council_cost_gbp
    assert (extras.range["P10"], extras.range["P90"]) == (mc["P10"], mc["P90"])
    rec = r.tables["reconciliation"]
    council = rec[rec.step == "council_net_change"]
    assert list(extras.five_year.council_net_change_gbp) == list(council.amount_gbp)
    assert len(extras.five_year[extras.five_year.period == "full_year"]) == 5
    who = published_tables(r)["who_gains"]
    for group in ("Self-funders", "Residents paying an assessed contribution", "Care homes"):
        assert extras.who[extras.who.who == group].change_first_year_gbp.iloc[0] == \
            who[who.who == group].change_first_year_gbp.iloc[0]
    assert "Likely range of the first-year cost" in ex.extras_html(extras) and "Self-funders" in ex.who_html(extras)
    assert "Income (fees, top-ups and self-funders" in html.unescape(ex.who_html(extras))


def test_options_side_by_side_equal_feemodel_run_on_the_saved_files(ex, tmp_path):
    import json

    from feemodel.apps.cli import main
    ex.set("structure", "legacy")
    ex.set("uniform_pct", 6.0)
    ex.pin("Six per cent")
    ex.set("structure", "proposed")
    ex.set("target_rates", ("Nursing", 950.0))
    ex.pin()
    table = ex.comparison()
    assert list(table.option) == ["Six per cent", "Option 2"]
    for k, (opt, row) in enumerate(zip(ex.options, table.itertuples(index=False), strict=True)):
        path = ex.save(re.sub(r"\W", "_", opt.label), tmp_path / "scenarios", settings=opt.settings)
        # `feemodel run` on the saved file: its headline.json and published tables carry the same figures
        out = tmp_path / f"run{k}"
        result = CliRunner().invoke(main, ["run", str(path), "--out", str(out)])
        assert result.exit_code == 0, result.output
        head = json.loads((out / "headline.json").read_text())
        assert (row.council_cost_part_year_gbp, row.council_cost_full_year_gbp) == \
            (head["council_net_change_part_year_gbp"], head["council_net_change_full_year_gbp"])
        assert (row.range_p10_gbp, row.range_p90_gbp) == (head["council_cost_range_gbp"]["P10"], head["council_cost_range_gbp"]["P90"])
        assert (row.homes_below_cost_now, row.homes_below_cost_proposed) == \
            (head["homes_below_cost"]["now"], head["homes_below_cost"]["proposed"])
        who = published_tables(run(path))["who_gains"].set_index(["who", "what"]).change_first_year_gbp
        assert row.self_funders_gbp == who.loc[("Self-funders", who.loc["Self-funders"].index[0])]
        assert row.families_topups_gbp == who.loc[("Families paying top-ups", "All top-ups")]
        assert row.homes_income_gbp == who.loc[("Care homes", "Income (fees, top-ups and self-funders' prices)")]
    assert table.council_cost_part_year_gbp.iloc[0] != table.council_cost_part_year_gbp.iloc[1]
    csv = pd.read_csv(io.StringIO(ex.comparison_csv()))
    assert list(csv["Option"]) == ["Six per cent", "Option 2"]
    assert list(csv["Cost to the council, full year (£)"]) == list(table.council_cost_full_year_gbp)
    assert "download=\"options.csv\"" in ex.comparison_html() and "Options side by side" in ex.comparison_html()
    ex.pin("three")
    ex.pin("four")
    assert len(ex.options) == MAX_OPTIONS
    with pytest.raises(ExplorerError, match="Up to 4 options"):
        ex.pin("five")
    ex.unpin("three")
    assert [o.label for o in ex.options] == ["Six per cent", "Option 2", "four"]


# ---- saving

def test_save_goes_to_scenarios_in_the_working_folder_and_keeps_comments(ex, example_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ex.set("structure", "legacy")
    ex.set("uniform_pct", 6.5)
    ex.set("per_band_pct", ("Nursing", 9.0))
    ex.set("effective_date", dt.date(2026, 5, 4))
    path = ex.save("uplift_test")
    assert path == tmp_path / "scenarios" / "uplift_test.yaml"
    assert (tmp_path / "scenarios" / "data" / "placements.csv").read_bytes() == (example_copy.parent / "data" / "placements.csv").read_bytes()
    base_comments = [line.split("#", 1)[1].strip() for line in example_copy.read_text().splitlines() if "#" in line]
    saved = path.read_text()
    assert all(c in saved for c in base_comments)
    assert "effective_date: 2026-05-04" in saved   # a date, as the base file writes it
    assert run(path).headline["council_net_change_part_year_gbp"] == part_year(ex)
    with pytest.raises(ExplorerError, match="already exists"):
        ex.save("uplift_test")
    with pytest.raises(ExplorerError, match="letters, numbers"):
        ex.save("../escape")


def test_save_never_writes_into_params_or_the_package(ex):
    from feemodel.paths import PACKAGE_DIR, example_dir
    for folder in (example_dir(), PACKAGE_DIR, PACKAGE_DIR / "apps"):
        with pytest.raises(ExplorerError, match="folder of your own"):
            ex.save("nope", folder)
        assert not (folder / "nope.yaml").exists()


def test_saved_scenario_builds_a_pack_with_the_same_figure(ex, tmp_path):
    import json

    from feemodel.publish.pack import build_pack
    ex.set("structure", "legacy")
    ex.set("uniform_pct", 3.25)
    path = ex.save("explorer_pack", tmp_path / "scenarios")
    out = build_pack(path, tmp_path / "pack", progress=False)
    shown = json.loads((out / "manifest.json").read_text())["headline"]["council_net_change_part_year_gbp"]
    assert shown == part_year(ex)
    assert f"£{shown / 1e6:,.2f}m" in (out / "pack.html").read_text()


# ---- packaging and the command

def test_voila_and_ruamel_are_runtime_dependencies():
    project = tomllib.loads((REPO_DIR / "pyproject.toml").read_text())["project"]
    runtime = " ".join(project["dependencies"])
    assert "voila" in runtime and "ruamel.yaml" in runtime
    assert not any(d.startswith("voila") for d in project["optional-dependencies"]["test"])
    env = yaml.safe_load((REPO_DIR / "environment.yml").read_text())
    assert {"voila>=0.5,<0.6", "ruamel.yaml>=0.18"} <= set(d for d in env["dependencies"] if isinstance(d, str))


def test_explore_without_voila_says_how_to_install_it(monkeypatch):
    import importlib.util

    from feemodel.apps.cli import main
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a, **k: None if name == "voila" else real(name, *a, **k))
    result = CliRunner().invoke(main, ["explore"])
    assert result.exit_code == 2
    assert "needs Voila" in result.output and "pip install 'voila>=0.5,<0.6'" in result.output


def test_serve_culls_idle_kernels_and_passes_the_save_folder(monkeypatch, tmp_path):
    import subprocess

    from feemodel.apps.explore import serve
    seen = {}

    class FakeVoila:
        def __init__(self, cmd, env, stdout, **kwargs):
            seen.update(cmd=cmd, env=env)
            stdout.write("Voila is running at:\nhttp://127.0.0.1:4321/\n")
            stdout.flush()

        def poll(self):
            return None
    monkeypatch.setattr(subprocess, "Popen", FakeVoila)
    proc, url = serve(EXAMPLE, cull_idle_s=600, cull_interval_s=60, save_folder=tmp_path / "mine")
    assert url == "http://127.0.0.1:4321/"
    Path(proc.log_path).unlink()
    # a kernel whose tab has closed is shut down after 10 minutes idle, checked every minute; an open tab is kept
    for flag in ("--MappingKernelManager.cull_idle_timeout=600", "--MappingKernelManager.cull_interval=60",
                 "--MappingKernelManager.cull_connected=False"):
        assert flag in seen["cmd"]
    assert seen["env"]["FEEMODEL_SAVE_DIR"] == str((tmp_path / "mine").resolve())  # (a real server: test_browser.py)


# ---- the widgets, without a kernel

def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def test_widget_callbacks_recompute_the_headline(example_copy, tmp_path):
    from feemodel.apps.explore import app
    ui = app(example_copy, extras_delay_s=0, save_folder=tmp_path / "scenarios")
    widgets = list(walk(ui))
    headline = next(w for w in widgets if type(w).__name__ == "HTML" and "feemodel-headline" in w.value)
    message = next(w for w in widgets if "feemodel-message" in w._dom_classes)
    uniform = next(w for w in widgets if "feemodel-uniform-pct" in w._dom_classes)
    assert uniform.disabled  # proposed rates: the % does not apply, and a note says why
    assert any("Not used under" in getattr(w, "value", "") for w in widgets if type(w).__name__ == "HTML")
    next(w for w in widgets if type(w).__name__ == "ToggleButtons").value = "legacy"
    assert not uniform.disabled
    uniform.value = 4.0
    expected = Explorer.from_scenario(example_copy)
    expected.set("structure", "legacy")
    expected.set("uniform_pct", 4.0)
    assert fmt_gbp(part_year(expected)) in headline.value
    # out of range: refused, the message shows, the box goes back to the value in force
    uniform.value = 150.0
    assert "outside the allowed range" in message.value and uniform.value == 4.0
    assert fmt_gbp(part_year(expected)) in headline.value
    # an invalid date is explained in the message area, not raised
    next(w for w in widgets if type(w).__name__ == "DatePicker").value = dt.date(2027, 6, 1)
    assert "financial year" in message.value
    # every control's help states its range; no description is cut (labels take their own width)
    helps = [w.value for w in widgets if type(w).__name__ == "HTML" and "feemodel-help" in w.value]
    assert len(helps) >= 8 and all("Allowed: from" in h for h in helps)
    assert all(w.style.description_width == "initial" for w in widgets if hasattr(w, "style") and hasattr(w.style, "description_width")
               and getattr(w, "description", ""))
    # the range and five-year figures are on screen
    assert any("Likely range" in getattr(w, "value", "") for w in widgets if type(w).__name__ == "HTML")


def test_widget_target_box_refreshes_its_built_rate(example_copy, tmp_path):
    from feemodel.apps.explore import app
    ui = app(example_copy, extras_delay_s=0, save_folder=tmp_path / "scenarios")
    widgets = list(walk(ui))
    built = [w for w in widgets if "feemodel-target-built" in w._dom_classes]
    nursing = built[2]
    before = nursing.value
    next(w for w in widgets if "feemodel-occupancy" in w._dom_classes).value = 95.0
    assert nursing.value != before and "Built rate:" in nursing.value
    box = [w for w in widgets if "feemodel-target" in w._dom_classes][2]
    box.value = "950"
    assert float(box.value) == 950.0 and "your rate: £950.00" in nursing.value
    pin = next(w for w in widgets if "feemodel-pin" in w._dom_classes)
    pin.click()
    assert any("Options side by side" in getattr(w, "value", "") and "Option 1" in w.value for w in widgets if type(w).__name__ == "HTML")


def test_explore_command_passes_the_save_folder_to_the_server(monkeypatch, tmp_path):
    from feemodel.apps import explore as module
    from feemodel.apps.cli import main
    seen = {}

    class Done:
        log_path = "log"

        def wait(self):
            return 0

    def fake_serve(path, port, save_folder=None):
        seen.update(path=path, save_folder=save_folder)
        return Done(), "http://127.0.0.1:1/"
    monkeypatch.setattr(module, "serve", fake_serve)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["explore", "--save-to", str(tmp_path / "mine")])
    assert result.exit_code == 0, result.output
    assert seen["save_folder"] == tmp_path / "mine" and f"Saved scenarios go to {tmp_path / 'mine'}" in result.output
    result = CliRunner().invoke(main, ["explore"])
    assert f"Saved scenarios go to {tmp_path / 'scenarios'}" in result.output

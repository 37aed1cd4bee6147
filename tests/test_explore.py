"""Explorer logic, without a browser: figures equal the pack's, errors are explained, save round-trips."""

import datetime as dt

import pytest

from feemodel.model import uplift
from feemodel.apps.explore import Explorer, ExplorerError
from feemodel.money import fmt_gbp
from feemodel.publish.tables import load_case, run
from tests.conftest import EXAMPLE


@pytest.fixture
def ex(example_copy):
    return Explorer.from_scenario(example_copy)


def test_default_headline_is_the_packs(ex, example_copy):
    assert ex.results.headline["council_net_change_part_year_gbp"] == run(example_copy).headline["council_net_change_part_year_gbp"]


def test_uniform_uplift_matches_independent_costing(ex):
    ex.set("structure", "legacy")
    ex.set("uniform_pct", 4.0)
    case = load_case(EXAMPLE)
    s = case.scenario
    s4 = s.model_copy(update={"uplift": s.uplift.model_copy(update={"method": "uniform", "uniform_pct": 4.0})})
    expected = uplift.headline(uplift.uplift_cost(case.with_scenario(s4)))["council_net_change_part_year_gbp"]
    assert ex.results.headline["council_net_change_part_year_gbp"] == expected
    assert fmt_gbp(expected) in ex.headline_html()


def test_levers_move_the_cost_the_right_way(ex):
    base = ex.results.headline["council_net_change_part_year_gbp"]
    ex.set("pay_premium_change", 0.5)
    higher = ex.results.headline["council_net_change_part_year_gbp"]
    ex.set("occupancy_pct", 95)
    fuller = ex.results.headline["council_net_change_part_year_gbp"]
    assert higher > base and fuller < higher
    ex.set("effective_date", "2026-10-01")
    later = ex.results.headline
    assert later["council_net_change_part_year_gbp"] < later["council_net_change_full_year_gbp"] * 0.6


def test_target_rate_override(ex):
    ex.set("target_rates", ("Residential", 760.00))  # the current Residential rate: no change for that band
    card = ex.results.rate_card.set_index("band")
    assert card.loc["Residential", "weekly_rate_gbp"] == 760.00
    assert ex.scenario().band_structures["two_band"][0].weekly_rate == 760.00


def test_invalid_values_are_explained_and_keep_last_results(ex):
    before = ex.results
    assert ex.set("occupancy_pct", 120) is None
    assert ex.message == "Occupancy must be at least 1% and at most 100%."  # the schema's bound (below 1% is refused)
    assert ex.results is before
    ex.set("effective_date", "2027-06-01")
    assert "financial year" in ex.message and "Traceback" not in ex.message
    ex.set("provider_pass_through_pct", 50)
    assert ex.message == "" and ex.settings["provider_pass_through_pct"] == 50


def test_save_round_trip_to_the_pack_engine(ex, example_copy):
    ex.set("structure", "legacy")
    ex.set("uniform_pct", 6.5)
    ex.set("per_band_pct", ("Nursing", 9.0))
    ex.set("effective_date", dt.date(2026, 5, 4).isoformat())
    path = ex.save("uplift_test")
    assert path.parent == example_copy.parent
    assert run(path).headline["council_net_change_part_year_gbp"] == ex.results.headline["council_net_change_part_year_gbp"]
    with pytest.raises(ExplorerError, match="already exists"):
        ex.save("uplift_test")
    with pytest.raises(ExplorerError, match="letters, numbers"):
        ex.save("../escape")


def test_saved_scenario_builds_a_pack_with_the_same_figure(ex, tmp_path):
    from feemodel.publish.pack import build_pack
    ex.set("structure", "legacy")
    ex.set("uniform_pct", 3.25)
    path = ex.save("explorer_pack")
    out = build_pack(path, tmp_path / "pack", progress=False)
    import json
    shown = json.loads((out / "manifest.json").read_text())["headline"]["council_net_change_part_year_gbp"]
    assert shown == ex.results.headline["council_net_change_part_year_gbp"]
    assert f"£{shown / 1e6:,.2f}m" in (out / "pack.html").read_text()


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def test_widget_callbacks_recompute_the_headline(example_copy):
    # drive the real widgets (no kernel needed): switch to uplifting current bands, type 4%
    from feemodel.apps.explore import app
    ui = app(example_copy)
    widgets = list(walk(ui))
    headline = next(w for w in widgets if type(w).__name__ == "HTML" and "feemodel-headline" in w.value)
    next(w for w in widgets if type(w).__name__ == "ToggleButtons").value = "legacy"
    next(w for w in widgets if getattr(w, "description", "") == "Uplift, all bands (%)").value = 4.0
    expected = Explorer.from_scenario(example_copy)
    expected.set("structure", "legacy")
    expected.set("uniform_pct", 4.0)
    assert fmt_gbp(expected.results.headline["council_net_change_part_year_gbp"]) in headline.value
    # an invalid date is explained in the message area, not raised
    next(w for w in widgets if type(w).__name__ == "DatePicker").value = dt.date(2027, 6, 1)
    message = next(w for w in widgets if "feemodel-message" in w._dom_classes)
    assert "financial year" in message.value

"""The decision brief (issue 14): who gains and who loses, every input of a built rate, the published
headline, pseudonymous homes, and the council's notes. Expected values are worked by hand."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from feemodel.errors import InputError
from feemodel.inputs.load import load_inputs
from feemodel.model.build_up import rate_inputs
from feemodel.model.impact import who_gains
from feemodel.publish import brief, evidence
from feemodel.publish.tables import compute, load_case, published_headline, published_tables, uplift_cost
from tests.conftest import edit_yaml, tiny_scenario

WEEKS = 365 / 7  # 2026/27 has no 29 February


@pytest.fixture
def tiny(tmp_path):
    """Three council placements at £760 (Residential) in home H1, a 10% uniform uplift from 1 April
    2026, and one self-funder paying £1,000 with half the council's average rise passed on."""
    return tiny_scenario(tmp_path, [
        dict(weekly_income=200.0),                                   # pays a contribution, no top-up
        dict(weekly_income=200.0, third_party_topup=100.0, provider_price=860.0),   # top-up falls
        dict(weekly_income=200.0, third_party_topup=50.0, provider_price=810.0),    # top-up ends
        dict(funding="self", band="", weekly_fee="", provider_price=1000.0),
    ], {"method": "uniform", "uniform_pct": 10, "effective_date": "2026-04-01", "self_funder_pass_through_pct": 50,
        "protection": "none"},
        proposed_structure="legacy", band_mapping={})


def test_who_gains_by_hand(tiny):
    case = load_case(tiny)
    t = who_gains(case, uplift_cost(case)).set_index("what")
    # every council fee goes £760 -> £836 (10%); contributions do not depend on the fee, so the
    # council's net cost rises £76 a week each: 3 x 76 x 365/7 = £11,888.57 (part year = full year
    # from 1 April, no turnover)
    council = t.loc["Net cost of its placements"]
    assert (council["count"], council.average_change_gbp_pw) == (3, 76.00)
    assert council.change_first_year_gbp == council.change_full_year_gbp == round(3 * 76 * WEEKS, 2) == 11888.57
    contributions = t.loc["Their contributions"]
    assert (contributions["count"], contributions.average_change_gbp_pw, contributions.change_full_year_gbp) == (3, 0.0, 0.0)
    # top-ups (no pass-through: the price stays): £860 - £836 = £24 (falls by £76); £810 < £836 (ends, -£50)
    # all top-ups: (-76 - 50) / 2 = -£63.00 a week; -126 x 365/7 = -£6,570.00 a year
    everyone = t.loc["All top-ups"]
    assert (everyone["count"], everyone.average_change_gbp_pw, everyone.change_full_year_gbp) == (2, -63.00, -6570.00)
    assert (t.loc["Top-up falls", "count"], t.loc["Top-up falls", "average_change_gbp_pw"]) == (1, -76.00)
    assert (t.loc["Top-up ends", "count"], t.loc["Top-up ends", "average_change_gbp_pw"]) == (1, -50.00)
    assert t.loc["Top-up rises", "count"] == 0 and t.loc["Top-up unchanged", "count"] == 0
    # self-funder: 50% of the council's average rise (£76) = £38 a week; 38 x 365/7 = £1,981.43
    sf = t[t.who == "Self-funders"].iloc[0]
    assert (sf["count"], sf.average_change_gbp_pw, sf.change_first_year_gbp) == (1, 38.00, 1981.43)
    # the home's income: +76 (no top-up) + 0 (price held at £860) + 26 (£810 -> £836) + 38 (self-funder)
    # = £140 a week; 140 x 365/7 = £7,300.00
    homes = t.loc["Income (fees, top-ups and self-funders' prices)"]
    assert (homes["count"], homes.average_change_gbp_pw, homes.change_full_year_gbp) == (1, 140.00, 7300.00)
    assert t.loc["Fee unchanged", "count"] == 0
    assert t.loc["Net cost to the council", "count"] == 0


def test_who_gains_totals_are_the_headline_figures():
    r = compute(load_case("params/scenarios/exampleshire/two_band_2026.yaml"))
    t = r.tables["who_gains"].set_index("what")
    h = r.headline
    assert t.loc["Net cost of its placements", "change_first_year_gbp"] == h["council_net_change_part_year_gbp"]
    assert t.loc["Net cost of its placements", "count"] == h["placements_affected"]
    assert t.loc["All top-ups", "change_first_year_gbp"] == h["topup_change_part_year_gbp"]
    assert t.loc["Fee unchanged", "count"] == h["placements_protected"]
    sf = t[t.who == "Self-funders"].iloc[0]
    assert sf.change_first_year_gbp == h["self_funders"]["total_change_part_year_gbp"]
    # homes' income = the cost table's gross change + self-funders' change (both published)
    income = t.loc["Income (fees, top-ups and self-funders' prices)", "change_first_year_gbp"]
    assert income == round(h["gross_change_part_year_gbp"] + h["self_funders"]["total_change_part_year_gbp"], 2)
    # the families' outcomes add up to all placements with a top-up
    outcomes = ["Top-up falls", "Top-up ends", "Top-up rises", "Top-up unchanged"]
    assert t.loc[outcomes, "count"].sum() == t.loc["All top-ups", "count"] == h["topup_exposure"]["placements_with_topups"]


def test_a_rate_rebuilt_by_hand_from_its_inputs():
    s, params = load_inputs("params/scenarios/exampleshire/two_band_2026.yaml")[:2]
    t = rate_inputs(s, params)
    res = t[t.band == "Residential"].set_index(["cost_line", "input"]).value
    # care staff: 23.5 hours x (£12.71 NLW + £0.55) x (1 + on-costs)
    hours, pay = res["care_staff", "Hours per resident per week"], res["care_staff", "Hourly pay (NLW plus premium)"]
    assert (hours, res["care_staff", "National Living Wage (NLW)"], pay) == (23.5, 12.71, 13.26)
    # on-costs: holiday 5.6 / (52 - 5.6) = 12.0690%; NI 15% x (13.26 x 37.5 x 52 - 5,000) / (13.26 x 37.5 x 52)
    annual = 13.26 * 37.5 * 52                                      # £25,857.00
    ni = 0.15 * (annual - 5000) / annual                             # 12.0994%
    pension = 0.03 * (annual - 6240) / annual                        # 2.2760%
    holiday = 5.6 / 46.4
    combined = (1 + holiday + 0.03) * (1 + ni + pension) - 1         # 31.6106%
    assert res["care_staff", "On-costs combined (% of basic pay)"] == pytest.approx(combined * 100, abs=1e-4)
    assert res["care_staff", "Result"] == round(23.5 * 13.26 * (1 + combined), 2) == 410.11
    # premises: (£22 + £8) per bed a week / 90% occupancy = £33.33
    assert res["premises", "Result"] == round(30 / 0.9, 2) == 33.33
    # return on capital: £75,000 x 6% / (52 x 0.9) = £96.15
    assert res["return_on_capital", "Result"] == round(75000 * 0.06 / (52 * 0.9), 2) == 96.15
    # the lines add up to the rate card's £819.01
    lines = t[(t.band == "Residential") & (t.input == "Result")].value
    assert round(lines.sum(), 2) == res["total", "Cost of care, total"] == 819.01


def test_published_headline_follows_the_tables_rule():
    r = compute(load_case("params/scenarios/exampleshire/two_band_2026.yaml"))
    tables = published_tables(r)
    pub = published_headline(r.headline, tables, 5)
    assert r.headline["homes_below_cost"] == {"now": 2, "proposed": 1}  # the model's own counts (never published)
    shown = tables["sustainability"].set_index("setting").loc["all"]
    assert pub["homes_below_cost"] == {"now": shown.below_cost_now, "proposed": shown.below_cost_proposed} == {"now": "<5", "proposed": "<5"}
    assert pub["council_net_change_part_year_gbp"] == r.headline["council_net_change_part_year_gbp"]
    assert published_headline({"placements_affected": 3, "placements_protected": 0}, {}, 5) == \
        {"placements_affected": "<5", "placements_protected": 0}


def test_pack_files_never_carry_a_small_count_or_a_home_id(example_pack):
    for f in [example_pack / "manifest.json", example_pack / "tables" / "headline.json"]:
        text = f.read_text()
        data = json.loads(text)
        head = data.get("headline", data)
        assert head["homes_below_cost"] == {"now": "<5", "proposed": "<5"}
    # the example names no homes (publication.name_homes is false): the survey's outlying and excluded
    # returns (homes H024 and H068 in the data) are lettered in every published file, the scenario
    # listing included
    published = [p for p in example_pack.rglob("*") if p.is_file() and p.suffix in (".html", ".csv", ".json", ".txt", ".ipynb")]
    text = "".join(p.read_text(encoding="utf-8") for p in published)
    assert "H068" not in text and "H024" not in text
    assert "Home B:standard_nursing" in (example_pack / "tables" / "scenario.txt").read_text()


def test_notes_are_keyed_by_a_real_scenario_key(example_copy):
    edit_yaml(example_copy, lambda d: d["notes"].update({"cost_of_care.categories.standard_residental.occupancy_pct": "typo"}),
              keep_notes=True)
    with pytest.raises(InputError) as err:
        load_inputs(example_copy)
    assert "standard_residental" in err.value.message and "standard_residential" in err.value.message
    edit_yaml(example_copy, lambda d: d.update(notes={"band_structures.two_band.Nursing": "why", "uplift.uniform_pct": "why"}))
    s = load_inputs(example_copy)[0]
    assert s.note("band_structures.two_band.Nursing") == "why"


def test_the_brief_names_each_rate_below_the_lower_quartile_with_its_reason():
    card = pd.DataFrame([
        dict(band="A", weekly_rate_gbp=900.0, survey_lower_quartile_gbp_pw=905.92, survey_median_gbp_pw=939.49, note="Occupancy 90%."),
        dict(band="B", weekly_rate_gbp=819.01, survey_lower_quartile_gbp_pw=818.04, survey_median_gbp_pw=842.98, note=""),
        dict(band="C", weekly_rate_gbp=1148.0, survey_lower_quartile_gbp_pw=float("nan"), survey_median_gbp_pw=float("nan"), note=""),
    ])
    below = brief.below_quartile_sentences(card)
    assert len(below) == 1 and "A rate, £900.00 a week" in below[0] and "(£905.92)" in below[0] and "Occupancy 90%." in below[0]
    median = brief.below_median_sentences(card)
    # B: £842.98 - £819.01 = £23.97 below the median; no reason recorded
    assert len(median) == 1 and "by £23.97 a week" in median[0] and "records no reason" in median[0]


def test_inputs_shown_in_their_units():
    assert evidence.fmt_input(13.26, "gbp_per_hour") == "£13.26"
    assert evidence.fmt_input(12.06897, "pct") == "12.069%"  # 4 decimals, so a rate rebuilds to the penny
    assert evidence.fmt_input(3.0, "pct") == "3%"
    assert evidence.fmt_input(75000, "gbp_per_bed") == "£75,000"
    assert evidence.fmt_input(23.5, "hours_prpw") == "23.5"


def test_the_sentence_names_the_placements_held_back_by_protection():
    # the council pays £1.2m more, families' top-ups fall by £0.3m, and 152 placements are protected at
    # their fee: they are named as held back; a withheld count ("") is not named, "<5" is in words
    def who(count):
        return pd.DataFrame([
            dict(who="The council", what="Its net cost", count=2821, change_first_year_gbp=1_200_000.0),
            dict(who="Placements protected at their current fee", what="Fee unchanged", count=count, change_first_year_gbp=""),
        ])
    text = brief.who_gains_sentence(who(152), 5)
    assert text == ("Paying more: the council (£1.20m). Held back: 152 placements protected at their current fee get no rise "
                    "this year while homes' costs rise (see who gets what uplift).")
    assert "Held back: fewer than 5 placements" in brief.who_gains_sentence(who("<5"), 5)
    assert "Held back" not in brief.who_gains_sentence(who(""), 5)
    assert "Held back" not in brief.who_gains_sentence(who(0), 5)


def test_the_stated_cost_is_placed_against_the_middle_of_the_simulations():
    # the example's figures: stated £11,118,502.45 -> £11.12m, median of the draws £11,487,371.47 -> £11.49m: below
    mc = pd.DataFrame({"statistic": ["as stated", "P10", "P50", "P90"],
                       "council_cost_gbp": [11118502.45, 9366903.88, 11487371.47, 13693948.68]})
    text = brief.central_sentence(mc)
    assert text.startswith("The cost as stated, £11.12m, uses the scenario's own values and is below the middle of the "
                           "simulations (£11.49m, their median)")
    # within rounding of each other (both £11.12m): said to be the middle
    same = mc.assign(council_cost_gbp=[11118502.45, 9e6, 11121000.00, 13e6])
    assert brief.central_sentence(same) == "The cost as stated, £11.12m, is also the middle of the simulations (their median)."
    assert brief.central_sentence(mc[mc.statistic != "P50"]) == ""

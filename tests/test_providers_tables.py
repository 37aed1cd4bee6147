"""The providers' challenge (issue 16): cost gap, cost pressure against the offer, past uplifts and
survey quality, each on a small hand-built book with every expected figure worked by hand below.

The book (tests.conftest.tiny_scenario): five council placements on the current band Residential
(£700 a week) in home H1 (residential, in county, 40 beds, 36 occupied), paid £700, £720, £740, £760
and £780 a week; the proposed band Residential is a stated £750 (no build-up), compared with the
survey's standard_residential category through market.cost_category. A full year is 365/7 weeks.

The survey (written over the example's): three homes per category, one cost line each (a line no
home gives is not missing), so each home's total is its one line:
  standard_residential: H1 £800 (occupancy 85%), X2 £820 (90%), X3 £900 (95%) -> median £820.00
  residential_enhanced: H1 £810, X2 £815, X3 £805; X3 is excluded ("late return") -> median of
                        £810 and £815 = £812.50, below the standard median: a warning.
"""

import pandas as pd
import pytest

from feemodel.errors import NotComputed
from feemodel.model import cost_gap, cost_pressure, survey_quality
from feemodel.publish import brief
from feemodel.publish import tables as T
from feemodel.publish.tables import load_case
from tests.conftest import tiny_scenario

WEEKS = 365 / 7
FEES = [700.0, 720.0, 740.0, 760.0, 780.0]


def _res(name, rate):
    return dict(name=name, setting="residential", client_group="older", weekly_rate=rate)


def _survey(folder):
    rows = []
    for cat, amounts in (("standard_residential", {"H1": 800, "X2": 820, "X3": 900}),
                         ("residential_enhanced", {"H1": 810, "X2": 815, "X3": 805})):
        for (home, amount), occ in zip(amounts.items(), (85.0, 90.0, 95.0), strict=True):
            rows.append(dict(home_id=home, category=cat, beds=40, occupancy_pct=occ, cost_line="care_staff", amount_prpw=amount))
    pd.DataFrame(rows).to_csv(folder / "data" / "cost_survey.csv", index=False)


def small_case(tmp_path, uplift=None, **top):
    settings = dict(band_structures={"now": [_res("Residential", 700.0)], "new": [_res("Residential", 750.0)]},
                    current_structure="now", proposed_structure="new", band_mapping={"Residential": "Residential"},
                    market={"cost_category": {"residential": "standard_residential"}},
                    survey_exclusions=["X3:residential_enhanced"],
                    survey_exclusion_reasons={"X3:residential_enhanced": "late return"},
                    survey_response={"standard_residential": {"invited": 20, "returned": 9, "validated": 8, "care_hours_prpw": 25.0}},
                    survey_price_base=None)   # the survey here is at the fee year's prices
    settings.update(top)
    path = tiny_scenario(tmp_path, [dict(weekly_fee=f, provider_price=f) for f in FEES],
                         uplift or {"method": "target_rates", "phasing_years": 2}, **settings)
    _survey(path.parent)
    return load_case(path)


def test_cost_gap_against_the_survey_median(tmp_path):
    case = small_case(tmp_path)
    row = cost_gap.cost_gap(case, T.survey_summary(case)).iloc[0]
    # average fee now: (700 + 720 + 740 + 760 + 780) / 5 = 3,700 / 5 = £740.00
    assert row.placements == 5 and row.average_fee_now_gbp_pw == 740.00
    # the stated band is compared with standard_residential (market.cost_category): median £820.00
    assert row.survey_category == "standard_residential" and row.benchmark == "survey median" and row.category_named
    assert row.survey_median_gbp_pw == 820.00 and pd.isna(row.built_rate_gbp_pw) and row.proposed_rate_gbp_pw == 750.00
    # gap now: 820 - 740 = £80.00, as a share of the cost of care 80 / 820 = 9.7561% -> 9.76;
    # proposed: 820 - 750 = £70.00, 70 / 820 = 8.5366% -> 8.54
    assert (row.gap_now_gbp_pw, row.gap_now_pct) == (80.00, 9.76)
    assert (row.gap_proposed_gbp_pw, row.gap_proposed_pct) == (70.00, 8.54)
    # at once: 80 x 5 x 365/7 = 400 x 52.142857 = £20,857.14; phased over 2 years: £10,428.57
    assert row.close_at_once_gbp_pa == 20857.14
    assert row.close_phased_first_year_gbp_pa == 10428.57


def test_a_stated_band_without_a_named_category_is_compared_with_its_settings_category_and_says_so(tmp_path):
    # no market.cost_category: the stated residential band is compared with the category named
    # standard_residential (the rule homes below cost use), the same £820.00 median and £80.00 gap as
    # above, and the benchmark names it; the summary's sentence leaves such a band out
    case = small_case(tmp_path, market={})
    gap = cost_gap.cost_gap(case, T.survey_summary(case))
    row = gap.iloc[0]
    assert row.benchmark == "survey median of standard_residential (the category named standard_residential)"
    assert not row.category_named
    assert (row.cost_of_care_gbp_pw, row.gap_now_gbp_pw, row.close_at_once_gbp_pa) == (820.00, 80.00, 20857.14)
    assert brief.cost_gap_sentence(gap) == ""
    # as published (a CSV read back: the flag is the text "False"), the sentence still leaves it out
    assert brief.cost_gap_sentence(gap.astype({"category_named": str})) == ""
    assert "across 5 council placements" in brief.cost_gap_sentence(gap.assign(category_named="True"))


def _staff_growth_2026(hours=37.5):
    """The staff cost of an hour, S = p x (1 + NI + pension), 2025/26 to 2026/27, from the national
    figures typed in by hand: NLW £12.21 -> £12.71; employer NI 15% above £5,000 a year both years;
    pension 3% above £6,240 both years; 37.5 hours x 52 weeks."""
    a0, a1 = 12.21 * hours * 52, 12.71 * hours * 52          # £23,809.50 and £24,784.50 a year
    ni0, ni1 = 0.15 * (a0 - 5000) / a0, 0.15 * (a1 - 5000) / a1   # 0.118500 and 0.119739
    pen0, pen1 = 0.03 * (a0 - 6240) / a0, 0.03 * (a1 - 6240) / a1  # 0.022138 and 0.022447
    d = 12.21 * (1 + ni0 + pen0)
    return {"pay": (12.71 / 12.21 - 1) * 100, "employer_ni": 12.71 * (ni1 - ni0) / d * 100,
            "pension": 12.71 * (pen1 - pen0) / d * 100}


def test_cost_pressure_of_a_stated_band_and_the_offer(tmp_path):
    case = small_case(tmp_path, uplift={"method": "uniform", "uniform_pct": 3.2})
    table = cost_pressure.pressure(case)
    g = _staff_growth_2026()
    # pay 4.0950%, NI 0.1131%, pension 0.0282% (staff cost +4.2363%) at the stated 57% weight; CPI 3% at 43%
    assert round(g["pay"], 4) == 4.0950 and round(g["employer_ni"], 4) == 0.1131 and round(g["pension"], 4) == 0.0282
    rows = table.set_index("component")
    assert rows.loc["pay", "weight_pct"] == 57.0 and rows.loc["other_costs", "weight_pct"] == 43.0
    assert rows.loc["employer_ni", "index_pct"] == round(g["employer_ni"], 4)
    expected = 0.57 * (g["pay"] + g["employer_ni"] + g["pension"]) + 0.43 * 3.0   # 2.4147 + 1.29 = 3.7047
    assert rows.loc["total", "contribution_pct"] == pytest.approx(expected, abs=5e-5) and round(expected, 4) == 3.7047
    assert "National Living Wage" in rows.loc["pay", "source"] and "£5,000" in rows.loc["employer_ni", "source"]

    offer = cost_pressure.offer(table, T._band_mapping(case)).set_index("current_band")
    # offer: 700 x 1.032 = £722.40, +3.2%; gap 3.2 - 3.7047 = -0.5047 points (a shortfall)
    assert offer.loc["Residential", "offer_pct"] == 3.2
    assert offer.loc["Residential", "gap_pct"] == pytest.approx(3.2 - expected, abs=1e-4)
    # £ a year on today's band rate: -0.5047% x 700 x 5 x 365/7 = -£921.09 (approx)
    assert offer.loc["Residential", "gap_gbp_pa"] == pytest.approx((3.2 - expected) / 100 * 700 * 5 * WEEKS, abs=0.01)
    assert offer.loc["all", "gap_gbp_pa"] == offer.loc["Residential", "gap_gbp_pa"]


def test_cost_pressure_energy_weight_from_the_build_up(tmp_path):
    # a band built from standard_residential: energy is its "utilities" item's share of supplies
    bands = {"now": [_res("Residential", 700.0)],
             "new": [dict(name="Residential", setting="residential", client_group="older", category="standard_residential")]}
    case = small_case(tmp_path, band_structures=bands, cost_pressure={"energy_pct": {2026: 10.0}})
    rows = cost_pressure.pressure(case).set_index("component")
    card = T._rate_card(case).iloc[0]
    # supplies items of the example's category: food 32 + utilities 28 + insurance 8 + registration 4
    # + medical 3 + other 10 = £85, utilities 28/85 of the supplies line
    energy = card.supplies_services_gbp_pw * 28 / 85 / card.cost_of_care_total_gbp_pw * 100
    assert rows.loc["energy", "weight_pct"] == pytest.approx(energy, abs=1e-4) and rows.loc["energy", "index_pct"] == 10.0
    staff = (card.care_staff_gbp_pw + card.nursing_staff_gbp_pw + card.other_staff_gbp_pw) / card.cost_of_care_total_gbp_pw * 100
    assert rows.loc["pay", "weight_pct"] == pytest.approx(staff, abs=1e-4)
    assert rows.loc["other_costs", "weight_pct"] == pytest.approx(100 - staff - energy, abs=1e-4)


def test_uplift_history_cumulative_gap(tmp_path):
    case = small_case(tmp_path, past_uplifts={2023: {"uplift_pct": 5, "cost_pressure_pct": 8},
                                              2024: {"uplift_pct": 4, "cost_pressure_pct": 6}})
    h = cost_pressure.history(case.scenario).set_index("financial_year")
    # uplifts 1.05 x 1.04 = 1.092; costs 1.08 x 1.06 = 1.1448; 1.092 / 1.1448 - 1 = -4.6122%
    assert h.loc[2024, "cumulative_uplift_factor"] == 1.092 and h.loc[2024, "cumulative_cost_factor"] == 1.1448
    assert h.loc[2024, "cumulative_gap_pct"] == -4.6122 and h.loc[2023, "gap_pct"] == -3.0
    # with the fee year: 1.092 x 1.032 = 1.126944 against 1.1448 x 1.037047 = 1.187211 -> -5.0764%
    h2 = cost_pressure.history(case.scenario, {"uplift_pct": 3.2, "cost_pressure_pct": 3.7047}).set_index("financial_year")
    assert h2.loc[2026, "cumulative_gap_pct"] == -5.0764


def test_past_uplifts_must_be_before_the_fee_year(tmp_path):
    case = small_case(tmp_path, past_uplifts={2026: {"uplift_pct": 5, "cost_pressure_pct": 8}})
    with pytest.raises(NotComputed, match="past_uplifts.2026 is not before the scenario's financial year 2026"):
        cost_pressure.history(case.scenario)


def test_survey_quality_tables(tmp_path):
    case = small_case(tmp_path)
    r = survey_quality.response(case).iloc[0]
    # 9 / 20 = 45.0%; 8 / 20 = 40.0%; the file holds 3 standard residential homes
    assert (r.response_rate_pct, r.validated_rate_pct, r.homes_in_survey_file) == (45.0, 40.0, 3)
    c = survey_quality.counts(case).set_index(["category", "cost_line"])
    enh = c.loc[("residential_enhanced", "care_staff")]
    assert (enh.homes_returned, enh.homes_excluded, enh.homes_used) == (3, 1, 2) and enh.warning.startswith("fewer than 5")
    assert survey_quality.exclusion_reasons(case).reason.tolist() == ["late return"]
    check = survey_quality.enhanced_check(case, T.survey_summary(case)).iloc[0]
    # enhanced £812.50 against standard £820.00: -£7.50, a warning
    assert (check.difference_gbp_pw, check.status) == (-7.50, "warning")
    rep = survey_quality.representativeness(case).set_index(["setting", "group"])
    # residential: H1 is the one open in-county residential home and is surveyed; 5 council placements / 36 occupied = 13.9%
    s = rep.loc[("residential", "surveyed homes")]
    assert (s.homes, s.share_of_homes_pct, s.median_beds, s.median_occupancy_pct, s.median_council_share_pct) == (1, 100.0, 40.0, 90.0, 13.9)
    a = survey_quality.assumptions(case).set_index("category").loc["standard_residential"]
    # assumed 90%; actual 36 / 40 = 90.0%; surveyed median of 85, 90, 95 = 90.0; hours 23.5 assumed, 25 surveyed
    assert (a.occupancy_assumed_pct, a.occupancy_actual_pct, a.occupancy_surveyed_pct) == (90.0, 90.0, 90.0)
    assert (a.care_hours_assumed, a.care_hours_surveyed) == (23.5, 25.0)


def test_optional_inputs_absent_skip_with_a_reason(tmp_path):
    case = small_case(tmp_path, survey_response={}, survey_exclusions=[], survey_exclusion_reasons={}, past_uplifts={})
    with pytest.raises(NotComputed, match="survey_response"):
        survey_quality.response(case)
    with pytest.raises(NotComputed, match="excludes no survey returns"):
        survey_quality.exclusion_reasons(case)
    r = T.compute(case)
    assert "past_uplifts" in r.skipped["uplift_history"] and "survey_response" in r.skipped["survey_response"]
    assert {"cost_gap", "cost_pressure", "cost_pressure_offer"} <= set(r.tables)


def test_survey_response_key_is_checked(tmp_path):
    from feemodel.errors import InputError
    with pytest.raises(InputError, match="validated .* is more than returned"):
        small_case(tmp_path / "a", survey_response={"standard_residential": {"invited": 5, "returned": 3, "validated": 4}})
    # a key naming what the scenario lacks skips its table, naming the key (the rest of the run goes on)
    r = T.compute(small_case(tmp_path / "b", survey_response={"nope": {"invited": 5, "returned": 3, "validated": 3}},
                             survey_exclusion_reasons={"H9:x": "typo"}))
    assert r.skipped["survey_response"].startswith("survey_response.nope is not a cost_of_care category")
    assert "survey_exclusion_reasons names 'H9:x'" in r.skipped["survey_exclusion_reasons"]


def _built(tmp_path, **top):
    bands = {"now": [_res("Residential", 700.0)],
             "new": [dict(name="Residential", setting="residential", client_group="older", category="standard_residential")]}
    return small_case(tmp_path, band_structures=bands, **top)


def test_returns_stated_with_the_change_from_last_year(tmp_path):
    from feemodel.model import returns
    case = _built(tmp_path, returns_last_year={"standard_residential": {"return_on_operations_pct": 5.0,
                                                                        "freehold_value_per_bed": 72000, "capital_yield_pct": 5.5}})
    r = returns.returns_stated(case).iloc[0]
    # the example's standard_residential: £75,000 a bed at 6% over 52 weeks at 90% occupancy:
    # 75,000 x 0.06 / (52 x 0.90) = 4,500 / 46.8 = £96.1538 -> £96.15 a week
    assert (r.freehold_value_per_bed, r.capital_yield_pct, r.return_on_capital_gbp_pw) == (75000.0, 6.0, 96.15)
    # change from last year: 75,000 - 72,000 = £3,000 a bed; 6.0 - 5.5 = 0.5 points
    assert (r.value_per_bed_change, r.yield_change_points) == (3000.0, 0.5)
    assert r.evidence.startswith("The 2022 fair cost of care exercise")


def test_weekly_rate_sensitivity_to_the_capital_yield(tmp_path):
    from feemodel.model import returns
    case = _built(tmp_path)
    t = returns.rate_sensitivity(case).set_index("assumption")
    row = t.loc["capital_yield_pct"]
    base = T._rate_card(case).iloc[0]
    # the yield moves only the return on capital: at 5%, 3,750 / 46.8 = £80.13; at 7%, 5,250 / 46.8 = £112.18
    assert row.weekly_rate_gbp == base.weekly_rate_gbp
    assert row.rate_at_low_gbp_pw == pytest.approx(base.weekly_rate_gbp - 96.15 + 80.13, abs=0.005)
    assert row.rate_at_high_gbp_pw == pytest.approx(base.weekly_rate_gbp - 96.15 + 112.18, abs=0.005)
    assert row.swing_gbp_pw == pytest.approx(112.18 - 80.13, abs=0.005)


def test_returns_skip_without_a_built_band(tmp_path):
    from feemodel.model import returns
    case = small_case(tmp_path)
    with pytest.raises(NotComputed, match="built from a cost-of-care category"):
        returns.returns_stated(case)
    with pytest.raises(NotComputed, match="built from a cost-of-care category"):
        returns.rate_sensitivity(case)


def test_who_gets_what_uplift_in_real_terms(tmp_path):
    from feemodel.model import uplift_groups
    # target rate £750 from 6 April, no phasing; placements paid above it keep their fee (the example's rule)
    case = small_case(tmp_path, uplift={"method": "target_rates", "phasing_years": 1})
    g = uplift_groups.by_uplift(case, 3.7047).set_index("uplift_group")
    # full: £700, £720, £740 move to £750: 2,160 -> 2,250, +90 / 2,160 = 4.1667% -> 4.17;
    # real terms: 1.041667 / 1.037047 - 1 = 0.4455% -> 0.45
    full = g.loc["full"]
    assert (full.placements, full.homes, full.average_fee_now_gbp_pw, full.average_fee_new_gbp_pw) == (3, 1, 720.0, 750.0)
    assert (full.change_pct, full.real_terms_change_pct) == (4.17, 0.45)
    # protected: £760 and £780 keep their fee: 0%, real terms 1 / 1.037047 - 1 = -3.5724% -> -3.57
    prot = g.loc["protected"]
    assert (prot.placements, prot.change_pct, prot.real_terms_change_pct) == (2, 0.0, -3.57)
    assert "none" not in g.index   # an empty group is left out


def test_vacancies_at_rate_placements_and_homes_over_time(tmp_path):
    from feemodel.model import uplift_groups
    case = small_case(tmp_path)
    m = uplift_groups.market_access(case).set_index("setting")
    # H1: 40 beds, 36 occupied -> 4 vacant (10.0%); H2: 50, 45 -> 5 (10.0%); all: 9 of 90 (10.0%)
    assert (m.loc["residential", "vacant_beds"], m.loc["nursing", "vacant_beds"], m.loc["all", "vacancy_pct"]) == (4, 5, 10.0)
    # of the five council placements in H1, only the one paid £700 is at the band's current rate (£700): 1 / 5 = 20.0%
    assert (m.loc["residential", "council_placements"], m.loc["residential", "at_rate_without_topup"],
            m.loc["residential", "at_rate_without_topup_pct"]) == (5, 1, 20.0)
    homes_csv = case.scenario.folder / "data" / "homes.csv"
    homes = pd.read_csv(homes_csv, keep_default_na=False)
    h4 = dict(home_id="H4", home_name="Four", setting="residential", area="in", locality="urban", beds=20,
              occupied_beds=0, private_weekly_price=900.0, opened="2019-05-01", closed="2024-02-01")
    homes = pd.concat([homes, pd.DataFrame([h4])], ignore_index=True)
    homes.to_csv(homes_csv, index=False)
    t = uplift_groups.homes_over_time(load_case(case.scenario.path)).set_index("year")
    # H1-H3 opened in 2000 (before the table's first year, 2016); H4 opened in 2019 and closed in 2024
    assert list(t.index) == list(range(2016, 2025))
    assert (t.loc[2019, "homes_opened"], t.loc[2024, "homes_closed"], int(t.homes_opened.sum()), int(t.homes_closed.sum())) == (1, 1, 1, 1)


def test_options_costed_by_the_same_engine(tmp_path):
    from feemodel.model import options
    case = small_case(tmp_path, chosen_reason="closes the gap",
                      options_considered=[{"scenario": "option.yaml", "reason": "costs more"}])
    import yaml
    data = yaml.safe_load(case.scenario.path.read_text())
    data["uplift"].update({"method": "uniform", "uniform_pct": 10.0})
    data["options_considered"] = []
    (case.scenario.folder / "option.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    t = options.options_table(case, load_case, T._band_mapping).set_index("option")
    assert t.loc["proposed", "reason"] == "closes the gap" and t.loc["option 1", "reason"] == "costs more"
    o = t.loc["option 1"]
    # 10% on every fee: 70 + 72 + 74 + 76 + 78 = £370 a week more, all of it the council's (each resident's
    # contribution, £200 income less the £31.80 allowance = £168.20, is below every fee; no turnover).
    # Full year: 370 x 365/7 = £19,292.86; part year from 6 April 2026 to 31 March 2027, 360 days:
    # 370 x 360/7 = £19,028.57. Band rate £700 -> £770: +10.00%.
    assert (o.placements, o.placements_affected, o.placements_protected, o.average_change_pct) == (5, 5, 0, 10.0)
    assert (o.council_cost_full_year_gbp, o.council_cost_part_year_gbp) == (19292.86, 19028.57)


def test_options_skip_when_a_file_is_missing(tmp_path):
    from feemodel.model import options
    case = small_case(tmp_path, options_considered=[{"scenario": "nowhere.yaml", "reason": "x"}])
    with pytest.raises(NotComputed, match="options_considered.0.scenario: 'nowhere.yaml' was not found"):
        options.options_table(case, load_case, T._band_mapping)


def _with_files(tmp_path, **top):
    case = small_case(tmp_path, **top)
    folder = case.scenario.folder
    pd.DataFrame([dict(council="B Council", financial_year=2026, band="Residential", weekly_rate=730.0, uplift_pct=4.0, source="B report"),
                  dict(council="A Council", financial_year=2026, band="Residential", weekly_rate="", uplift_pct=3.0, source="A report")]
                 ).to_csv(folder / "data" / "comparators.csv", index=False)
    pd.DataFrame([dict(theme="Pay", responses=12, council_answer="Pay index shown")]).to_csv(folder / "data" / "response_log.csv", index=False)
    import yaml
    data = yaml.safe_load(case.scenario.path.read_text())
    data["data"].update({"comparators": "data/comparators.csv", "response_log": "data/response_log.csv"})
    case.scenario.path.write_text(yaml.safe_dump(data, sort_keys=False))
    return load_case(case.scenario.path)


def test_comparators_beside_this_proposal_and_the_response_log(tmp_path):
    from feemodel.model import options
    case = _with_files(tmp_path, uplift={"method": "uniform", "uniform_pct": 3.2})
    t = T.compute(case).tables["comparators"]
    # sorted by band, then council: A, B, then this council at 700 x 1.032 = £722.40, +3.2%
    assert t.council.tolist() == ["A Council", "B Council", case.scenario.council]
    assert pd.isna(t.weekly_rate_gbp_pw.iloc[0]) and t.weekly_rate_gbp_pw.iloc[2] == 722.40 and t.uplift_pct.iloc[2] == 3.2
    assert t.source.iloc[2] == "this proposal (first year)"
    with pytest.raises(NotComputed, match="consultation draft"):
        options.response_log(case)
    final = _with_files(tmp_path / "final", publication={"status": "final"})
    log = options.response_log(final)
    assert log.to_dict("records") == [{"theme": "Pay", "responses": 12, "council_answer": "Pay index shown"}]


def test_the_summary_sentence_on_the_gap():
    from feemodel.publish import brief
    gap = pd.DataFrame([
        dict(band="A", placements=10, average_fee_now_gbp_pw=700.0, cost_of_care_gbp_pw=800.0, gap_now_gbp_pw=100.0,
             gap_proposed_gbp_pw=60.0, proposed_rate_gbp_pw=740.0, close_at_once_gbp_pa=52142.86,
             close_phased_first_year_gbp_pa=26071.43),
        dict(band="B", placements="<5", average_fee_now_gbp_pw="", cost_of_care_gbp_pw="", gap_now_gbp_pw="",
             gap_proposed_gbp_pw="", proposed_rate_gbp_pw=800.0, close_at_once_gbp_pa="", close_phased_first_year_gbp_pa=""),
    ])
    text = brief.cost_gap_sentence(gap)
    # A alone (B is withheld): £100.00 a week below a cost of care of £800.00, 100 / 800 = 12.5% of the cost;
    # at once 100 x 10 x 365/7 = £52,142.86 -> £0.05m, phased over two years £26,071.43 -> £0.03m;
    # proposed: 800 - 740 = £60.00, 60 / 800 = 7.5%
    assert text.startswith("On average the fees paid now are £100.00 a week (12.5%) below the cost of care")
    assert "across 10 council placements; closing that gap at once would cost £0.05m a year (£0.03m in the first year" in text
    assert text.endswith("the proposed rates are £60.00 a week (7.5%) below the cost of care. Left out: B (no cost of care of "
                         "its own to compare, or withheld; see the cost gap table).")


def test_the_build_up_against_the_survey_line_by_line():
    from feemodel.model.rates import COST_LINES
    from feemodel.paths import default_scenario
    case = load_case(default_scenario())   # Residential is built from standard_residential; survey statistic median_of_totals
    line = {k: 0.0 for k in COST_LINES}
    line.update(care_staff=410.11, other_staff=128.00, premises=33.33)
    card = pd.DataFrame([{"band": "Residential", **{f"{k}_gbp_pw": v for k, v in line.items()}, "cost_of_care_total_gbp_pw": 571.44}])
    summary = pd.DataFrame([
        dict(category="standard_residential", cost_line="other_staff", convention="per_line", homes=23,
             lower_quartile=145.34, median=149.49, upper_quartile=164.27),
        dict(category="standard_residential", cost_line="total", convention="sum_of_line_medians", homes=23,
             lower_quartile=1.0, median=2.0, upper_quartile=3.0),
        dict(category="standard_residential", cost_line="total", convention="median_of_totals", homes=23,
             lower_quartile=842.58, median=868.27, upper_quartile=899.98)])
    t = cost_gap.cost_line_gap(case, card, summary).set_index("cost_line")
    assert list(t.index) == [*COST_LINES, "total"] and set(t.band) == {"Residential"}
    # other staff: 128.00 - 149.49 = -£21.49 (the council allows £21.49 less than the median home)
    assert (t.loc["other_staff", "council_less_median_gbp_pw"], t.loc["other_staff", "homes"]) == (-21.49, 23)
    # the total is compared by the scenario's statistic (median of totals), not the sum of line medians:
    # 410.11 + 128.00 + 33.33 = 571.44; 571.44 - 868.27 = -296.83
    assert t.loc["total", "survey_median_gbp_pw"] == 868.27 and t.loc["total", "council_less_median_gbp_pw"] == -296.83
    # a line the survey does not have: no quartiles, no difference, 0 homes (never a silent 0 difference)
    assert pd.isna(t.loc["premises", "council_less_median_gbp_pw"]) and t.loc["premises", "homes"] == 0
    with pytest.raises(NotComputed, match="no provider cost survey"):
        cost_gap.cost_line_gap(case, card, None)

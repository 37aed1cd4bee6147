"""Small-number suppression in published tables."""

import pandas as pd

from feemodel.publish.suppression import suppress


def test_small_counts_and_their_figures_are_withheld_labels_kept():
    t = pd.DataFrame({"band": ["A", "B", "C"], "placements": [12, 3, 0], "average_gbp_pw": [10.5, 99.0, 0.0]})
    out = suppress(t, ["placements"], 5)
    assert out.band.tolist() == ["A", "B", "C"]                 # labels stay, so readers see what is withheld
    assert out.placements.tolist() == [12, "<5", 0]              # zero is not disclosive, 3 is
    assert out.average_gbp_pw.tolist() == [10.5, "", 0.0]       # the average of 3 people is withheld too


def test_threshold_is_configurable():
    t = pd.DataFrame({"g": ["x"], "n": [7]})
    assert suppress(t, ["n"], 10).n.tolist() == ["<10"]
    assert suppress(t, ["n"], 5).n.tolist() == [7]


def test_small_subcount_is_withheld_alone():
    # 47 homes, 3 of them below cost: the 3 is withheld, the 47 and the median over 47 homes stay
    t = pd.DataFrame({"setting": ["nursing", "all"], "homes": [47, 122], "below_cost": [3, 12], "median_margin_pct": [-1.5, 7.0]})
    out = suppress(t, ["homes", "below_cost"], 5)
    assert out.homes.tolist() == [47, 122]
    assert out.below_cost.tolist() == ["<5", 12]
    assert out.median_margin_pct.tolist() == [-1.5, 7.0]


def test_small_population_withholds_its_subcounts_too():
    t = pd.DataFrame({"band": ["A"], "placements": [4], "protected": [2], "cost_gbp": [1234.5]})
    out = suppress(t, ["placements", "protected"], 5)
    assert out.iloc[0].tolist() == ["A", "<5", "", ""]


# ---- secondary suppression: worked by hand on small tables

from feemodel.publish.suppression import Adds, Parts, Structure  # noqa: E402


def test_a_withheld_part_of_a_total_takes_the_smallest_other_part_with_it():
    # A 4 + B 10 + C 12 = All 26: A is "<5"; All - B - C would give it back, so B (the smallest other
    # non-zero count; the total 26 is larger) is withheld too, with its average. 26 - 12 = A + B = 14.
    t = pd.DataFrame({"band": ["A", "B", "C", "All"], "placements": [4, 10, 12, 26], "average_gbp_pw": [50.0, 60.0, 70.0, 63.0]})
    out = suppress(t, ["placements"], 5, structure=Structure(adds=(Adds(over="band", total="All"),)))
    assert out.placements.tolist() == ["<5", "", 12, 26]
    assert out.average_gbp_pw.tolist() == ["", "", 70.0, 63.0]


def test_zero_is_shown_and_never_chosen():
    # A 3 + B 0 + C 20 = 23: B's zero stays; C is the only non-zero other part
    t = pd.DataFrame({"band": ["A", "B", "C", "All"], "placements": [3, 0, 20, 23]})
    out = suppress(t, ["placements"], 5, structure=Structure(adds=(Adds(over="band", total="All"),)))
    assert out.placements.tolist() == ["<5", 0, "", 23]


def test_two_small_counts_alone_are_pinned_by_their_bounds_so_one_more_goes():
    # A 4 + B 4 + C 40 + D 50 = 98 (published elsewhere): 98 - 90 = 8 = A + B, and both "<5" means
    # both are 4. So C (40, the smallest other) is withheld too: A + B + C = 48, A and B anywhere in 1..4.
    t = pd.DataFrame({"band": ["A", "B", "C", "D"], "placements": [4, 4, 40, 50]})
    out = suppress(t, ["placements"], 5, structure=Structure(adds=(Adds(over="band"),)))
    assert out.placements.tolist() == ["<5", "<5", "", 50]


def test_column_identity_withholds_the_complement_not_the_population():
    # placements 321 = affected 318 + protected 3: protected "<5" needs affected withheld; 321 and the
    # money describe all 321 placements and stay
    t = pd.DataFrame({"band": ["A"], "placements": [321], "placements_affected": [318], "protected": [3], "cost_gbp": [1000.0]})
    s = Structure(parts=(Parts("placements", ("placements_affected", "protected")),))
    out = suppress(t, ["placements", "placements_affected", "protected"], 5, structure=s)
    assert out.iloc[0].tolist() == ["A", 321, "", "<5", 1000.0]


def test_secondary_suppression_repeats_until_stable_across_sets():
    # two outcomes by two bands, with totals both ways. A/falls 2 is "<5"; the falls column then takes
    # B/falls 30 (smaller than All 32); A's row sum (A falls + A vanishes = 12, published) then needs
    # A/vanishes 10 withheld; then the vanishes column needs B/vanishes 20 (smaller than All 30).
    t = pd.DataFrame({"band": ["A", "A", "B", "B", "All", "All"], "outcome": ["falls", "vanishes"] * 3,
                      "placements": [2, 10, 30, 20, 32, 30]})
    s = Structure(adds=(Adds(over="band", within=("outcome",), total="All"), Adds(over="outcome", within=("band",))))
    out = suppress(t, ["placements"], 5, structure=s)
    assert out.placements.tolist() == ["<5", "", "", "", 32, 30]


def test_published_tables_withhold_in_run_output(tmp_path):
    # feemodel run writes the tables through published_tables: the CSV carries the secondary cells
    from conftest import EXAMPLE
    from feemodel.publish.tables import published_tables, run
    from feemodel.publish.writers import write_results

    r = run(EXAMPLE)
    write_results(r, tmp_path / "out")
    topups = pd.read_csv(tmp_path / "out" / "topups.csv", keep_default_na=False, dtype=str)
    assert topups.equals(published_tables(r)["topups"].astype(str).replace("nan", ""))
    vanish = topups[topups.outcome == "vanishes"].set_index("band").placements
    assert vanish["Residential"] == "<5" and (vanish.drop(["Residential", "All bands"]) == "").sum() >= 1


# ---- the providers' challenge tables are declared, so their counts survive subtraction

from feemodel.publish.suppression import suppress_tables  # noqa: E402


def test_uplift_groups_add_up_to_the_councils_placements_so_a_small_group_takes_another_with_it():
    # 2,821 full + 3 protected + 40 none = 2,864, the council's placements in the headline: "<5"
    # protected alone would come back as 2,864 - 2,821 - 40, so the smallest other group (none, 40)
    # goes too, with its averages. Homes are not additive (a home has placements in several groups).
    t = pd.DataFrame({"uplift_group": ["full", "protected", "none"], "placements": [2821, 3, 40], "homes": [168, 3, 20],
                      "change_pct": [9.19, 0.0, 0.0]})
    out = suppress_tables({"uplift_groups": t}, {"uplift_groups": ["placements", "homes"]}, 5)["uplift_groups"]
    assert out.placements.tolist() == [2821, "<5", ""]
    assert out.change_pct.tolist() == [9.19, "", ""]


def test_market_access_settings_add_up_to_all_so_a_small_setting_takes_another_with_it():
    # residential 3 + nursing 30 = all 33 council placements: residential "<5" needs nursing withheld;
    # at the rate without a top-up 2 + 25 = 27 likewise
    t = pd.DataFrame({"setting": ["residential", "nursing", "all"], "homes": [10, 12, 22],
                      "council_placements": [3, 30, 33], "at_rate_without_topup": [2, 25, 27]})
    out = suppress_tables({"market_access": t}, {"market_access": ["council_placements", "at_rate_without_topup"]}, 5)["market_access"]
    assert out.council_placements.tolist() == ["<5", "", 33]
    assert out.at_rate_without_topup.tolist() == ["", "", 27]


def test_options_placements_are_affected_plus_protected_so_a_small_protected_count_takes_affected():
    # 2,973 = 2,970 affected + 3 protected: "<5" protected needs affected withheld; 2,973 stays
    t = pd.DataFrame({"option": ["proposed"], "placements": [2973], "placements_affected": [2970], "placements_protected": [3]})
    counts = {"options": ["placements", "placements_affected", "placements_protected"]}
    out = suppress_tables({"options": t}, counts, 5)["options"]
    assert out.iloc[0].tolist() == ["proposed", 2973, "", "<5"]

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

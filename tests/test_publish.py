"""Small-number suppression in published tables."""

import pandas as pd

from feemodel.publish import suppress


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

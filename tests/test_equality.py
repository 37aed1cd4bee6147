"""Equality analysis: the first year's change by age band, sex and primary support reason, worked by
hand on a small book; a book without the columns; bad codes; the example pack's table, suppressed."""

import math

import pandas as pd
import pytest
import yaml

from conftest import PLACEMENT_DEFAULTS, tiny_scenario
from feemodel.errors import InputError, NotComputed
from feemodel.model import equality
from feemodel.publish import labels
from feemodel.publish.tables import load_case, published_tables, run

# Six residential placements in home H1 (in county, no FNC). Uniform uplift of 10% on every fee;
# homes pass none of the rise to top-up prices; self-funders' prices rise by 50% of the council's
# average rise in their setting.
#   id  funding  sex     age    fee   contribution  top-up (price)
#   1   council  female  65-74  760   200           0
#   2   council  female  85+    800   250           100 (900)
#   3   council  male    65-74  760   300           50 (810)
#   4   council  male    85+    900   950 (capped at the fee: pays 900)
#   5   self     female  85+    price 1,000
#   6   self     male    65-74  price 1,100
HAND = [
    dict(sex="female", age_band="65-74", weekly_fee=760.0, provider_price=760.0, assessed_contribution=200.0),
    dict(sex="female", age_band="85+", weekly_fee=800.0, provider_price=900.0, assessed_contribution=250.0, third_party_topup=100.0),
    dict(sex="male", age_band="65-74", weekly_fee=760.0, provider_price=810.0, assessed_contribution=300.0, third_party_topup=50.0),
    dict(sex="male", age_band="85+", weekly_fee=900.0, provider_price=900.0, assessed_contribution=950.0),
    dict(sex="female", age_band="85+", funding="self", band="", weekly_fee="", provider_price=1000.0, capital=90000.0),
    dict(sex="male", age_band="65-74", funding="self", band="", weekly_fee="", provider_price=1100.0, capital=90000.0),
]
UPLIFT = dict(method="uniform", uniform_pct=10, self_funder_pass_through_pct=50)


def _scenario(tmp_path, rows, uplift=UPLIFT, codes=None):
    """tiny_scenario's files, with the placement book rewritten to carry the rows' own columns."""
    path = tiny_scenario(tmp_path, [{}], uplift)
    book = pd.DataFrame([{"placement_id": f"T{i + 1:03d}", **PLACEMENT_DEFAULTS, **r} for i, r in enumerate(rows)])
    book.to_csv(path.parent / "data" / "placements.csv", index=False)
    if codes:
        data = yaml.safe_load(path.read_text())
        data["data"]["placements"] = {"path": data["data"]["placements"], "codes": codes}
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _row(t, characteristic, group, who):
    r = t[(t.characteristic == characteristic) & (t.group == group) & (t.who == who)]
    assert len(r) == 1, (characteristic, group, who)
    return r.iloc[0]


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    case = load_case(_scenario(tmp_path_factory.mktemp("hand"), HAND))
    return equality.equality_table(case)


def test_hand_worked_council_fees_and_contributions(hand):
    # new fees, 10% on each: 760 -> 836, 800 -> 880, 760 -> 836, 900 -> 990 (rises 76, 80, 76, 90)
    # contributions 200, 250, 300 stay below the new fee: no change. Placement 4's 950 was capped at
    # its fee of 900; at 990 it pays 950: +£50 a week, x 365/7 = £2,607.142857 -> £2,607.14 a year.
    r = _row(hand, "age_band", "65-74", "council")            # placements 1 and 3
    assert r.placements == 2
    assert (r.average_now_gbp_pw, r.average_proposed_gbp_pw, r.average_weekly_change_gbp_pw) == (760.00, 836.00, 76.00)
    assert r.change_gbp_pa == 0.0
    r = _row(hand, "age_band", "85+", "council")              # placements 2 and 4
    assert r.placements == 2
    # (800 + 900) / 2 = 850; (880 + 990) / 2 = 935; (80 + 90) / 2 = 85
    assert (r.average_now_gbp_pw, r.average_proposed_gbp_pw, r.average_weekly_change_gbp_pw) == (850.00, 935.00, 85.00)
    assert r.change_gbp_pa == 2607.14
    r = _row(hand, "sex", "female", "council")                # placements 1 and 2: (760 + 800) / 2, (836 + 880) / 2
    assert (r.placements, r.average_now_gbp_pw, r.average_proposed_gbp_pw, r.average_weekly_change_gbp_pw) == (2, 780.00, 858.00, 78.00)
    assert r.change_gbp_pa == 0.0
    r = _row(hand, "sex", "male", "council")                  # placements 3 and 4: (760 + 900) / 2, (836 + 990) / 2
    assert (r.placements, r.average_now_gbp_pw, r.average_proposed_gbp_pw, r.average_weekly_change_gbp_pw) == (2, 830.00, 913.00, 83.00)
    assert r.change_gbp_pa == 2607.14


def test_hand_worked_self_funders(hand):
    # the council's average rise in residential homes in county: (76 + 80 + 76 + 90) / 4 = £80.50;
    # self-funders' prices rise by 50% of it, £40.25 a week: x 365/7 = £2,098.75 a year
    r = _row(hand, "age_band", "85+", "self")                 # placement 5: 1,000 -> 1,040.25
    assert (r.placements, r.average_now_gbp_pw, r.average_proposed_gbp_pw, r.average_weekly_change_gbp_pw) == (1, 1000.00, 1040.25, 40.25)
    assert r.change_gbp_pa == 2098.75
    r = _row(hand, "sex", "male", "self")                     # placement 6: 1,100 -> 1,140.25
    assert (r.placements, r.average_now_gbp_pw, r.average_proposed_gbp_pw, r.average_weekly_change_gbp_pw) == (1, 1100.00, 1140.25, 40.25)
    assert r.change_gbp_pa == 2098.75


def test_hand_worked_families_top_ups(hand):
    # homes keep their prices (no pass-through): the new top-up is price - new fee, at least 0.
    # Placement 2: 900 - 880 = £20 (falls by £80; -80 x 365/7 = -£4,171.428571 -> -£4,171.43 a year).
    # Placement 3: 810 - 836 < 0, so it ends (falls by £50; -50 x 365/7 = -£2,607.14 a year).
    r = _row(hand, "age_band", "85+", "topup")
    assert (r.placements, r.average_now_gbp_pw, r.average_proposed_gbp_pw, r.average_weekly_change_gbp_pw) == (1, 100.00, 20.00, -80.00)
    assert r.change_gbp_pa == -4171.43
    assert (r.topups_fall, r.topups_rise, r.topups_vanish, r.topups_unchanged) == (1, 0, 0, 0)
    r = _row(hand, "sex", "male", "topup")
    assert (r.placements, r.average_now_gbp_pw, r.average_proposed_gbp_pw, r.average_weekly_change_gbp_pw) == (1, 50.00, 0.00, -50.00)
    assert r.change_gbp_pa == -2607.14
    assert (r.topups_fall, r.topups_rise, r.topups_vanish, r.topups_unchanged) == (0, 0, 1, 0)   # ends: not also "falls"
    assert _row(hand, "sex", "female", "council").topups_fall == 0                               # counted on top-up rows only


def test_rows_for_not_recorded_and_only_the_characteristics_recorded(hand):
    # the book has no primary_support_reason column: that characteristic is left out; every group of
    # the others is listed (18-64 and 75-84 with none), then "not recorded"
    assert list(dict.fromkeys(hand.characteristic)) == ["age_band", "sex"]
    ages = hand[(hand.characteristic == "age_band") & (hand.who == "council")]
    assert list(ages.group) == ["18-64", "65-74", "75-84", "85+", "not recorded"]
    none = _row(hand, "sex", "not recorded", "council")
    assert none.placements == 0 and math.isnan(none.average_now_gbp_pw) and none.change_gbp_pa == 0.0
    assert len(hand) == (5 + 3) * 3                                                                  # groups x who


def test_comparisons_name_the_widest_gap_and_say_what_is_missing(hand):
    text = equality.comparisons(hand, labels.words)
    # council-funded by age: 85+ £85.00, 65-74 £76.00 -> £9.00 apart; families: 85+ -£80, 65-74 -£50
    assert text[0].startswith("By age band: for council-funded residents, the average change in the weekly fee is highest "
                              "for 85+ (£85.00 a week) and lowest for 65-74 (£76.00 a week), £9.00 a week apart")
    assert "the average change in the weekly top-up is highest for 65-74 (-£50.00 a week) and lowest for 85+ (-£80.00 a week)" in text[0]
    assert "highest for Male (£83.00 a week) and lowest for Female (£78.00 a week), £5.00 a week apart" in text[1]
    assert text[2] == "Primary support reason is not recorded in the placement book, so no comparison by primary support reason is made."


def test_published_small_groups_are_withheld_and_never_compared(tmp_path):
    r = run(_scenario(tmp_path, HAND))
    pub = published_tables(r)["equality"]
    assert set(pub.placements.astype(str)) <= {"0", "<5", ""}                 # every group here has 1 or 2
    assert pd.to_numeric(pub.average_now_gbp_pw, errors="coerce").isna().all()   # withheld, or no placements
    text = equality.comparisons(pub, labels.words)
    assert "for council-funded residents, fewer than two groups have figures shown, so none are compared" in text[0]


def test_a_book_without_the_columns_is_not_computed(tmp_path):
    rows = [{k: v for k, v in r.items() if k not in ("sex", "age_band")} for r in HAND]
    path = _scenario(tmp_path, rows)
    with pytest.raises(NotComputed, match="records none of age band, sex or primary support reason"):
        equality.equality_table(load_case(path))
    r = run(path)
    assert "equality" not in r.tables
    assert r.skipped["equality"] == ("the placement book records none of age band, sex or primary support reason "
                                     "(the optional columns age_band, sex and primary_support_reason)")


def test_a_bad_sex_code_names_file_row_column_and_what_is_allowed(tmp_path):
    rows = [dict(r) for r in HAND]
    rows[1]["sex"] = "F"                                       # the second placement: spreadsheet row 3
    with pytest.raises(InputError) as err:
        load_case(_scenario(tmp_path, rows))
    msg = str(err.value)
    assert "placements.csv" in msg and "row 3, column 'sex'" in msg
    assert "'F' is not allowed; use one of: female, male, not recorded" in msg


def test_a_bad_support_reason_is_refused_too(tmp_path):
    rows = [dict(r, primary_support_reason="dementia") for r in HAND]
    with pytest.raises(InputError, match=r"row 2, column 'primary_support_reason': 'dementia' is not allowed; use one of: "
                                         r"physical_support, sensory_support, memory_cognition"):
        load_case(_scenario(tmp_path, rows))


def test_the_councils_own_codes_map_onto_the_toolkits(tmp_path):
    rows = [dict(r, sex={"female": "F", "male": "M"}[r["sex"]], primary_support_reason="Dementia") for r in HAND]
    codes = {"sex": {"F": "female", "m": "male"}, "primary_support_reason": {"dementia": "memory_cognition"}}
    t = equality.equality_table(load_case(_scenario(tmp_path, rows, codes=codes)))   # codes match ignoring case
    assert _row(t, "sex", "female", "council").placements == 2
    assert _row(t, "primary_support_reason", "memory_cognition", "council").placements == 4


def test_example_pack_publishes_the_table_with_small_cells_withheld(example_pack):
    t = pd.read_csv(example_pack / "tables" / "equality.csv", dtype=str, keep_default_na=False)
    assert set(t.characteristic) == {"age_band", "sex", "primary_support_reason"}
    assert (t.placements == "<5").any()                        # small groups withheld ...
    assert (t.placements == "").any()                          # ... and others with them (secondary)
    for c in equality.COUNTS:
        n = pd.to_numeric(t[c], errors="coerce")
        assert not ((n > 0) & (n < 5)).any(), c
    withheld = t[t.placements.isin(["", "<5"])]
    assert (withheld.average_now_gbp_pw == "").all() and (withheld.change_gbp_pa == "").all()
    html = (example_pack / "pack.html").read_text()
    assert "Equality analysis" in html and "Equality Act 2010, section 149" in html
    assert "Memory and cognition (including dementia)" in html

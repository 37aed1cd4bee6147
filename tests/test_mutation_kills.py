"""Hand-worked tests that kill mutants mutmut found surviving in the money core (issue 19, `make mutate`).

Every expected figure is worked by hand from the rule, with the working in a comment; none is copied
from the code's output. Mutants that cannot change a published figure are listed, with the reason, in
tests/mutation-survivors.md.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from feemodel import money
from feemodel.inputs.params import load_parameters
from feemodel.model.charging import ChargingRules, assess, assess_one, assess_pence

PARAMS = load_parameters()
# On 1 June 2024 (tests/test_charging.py): lower limit £14,250, upper £23,250, tariff £1 per £250 or
# part, PEA £30.15.
JUNE24 = dt.date(2024, 6, 1)

# ---------------------------------------------------------------------------------------------
# feemodel/money.py
# ---------------------------------------------------------------------------------------------


def test_to_pence_rounds_once_half_away_from_zero_and_keeps_a_series_aligned():
    # Rule (money.py): pounds -> whole pence, halves away from zero, once.
    # A Series keeps its index and name: £1.005 -> 100.5p -> 101p; £-0.125 -> -12.5p -> -13p; £2 -> 200p.
    s = pd.Series([1.005, -0.125, 2.0], index=[10, 20, 30], name="weekly_fee")
    out = money.to_pence(s)
    assert list(out.index) == [10, 20, 30]
    assert out.name == "weekly_fee"
    assert out.tolist() == [101, -13, 200]
    # Scalars: £0.004 -> 0.4p -> 0p; £0.005 -> 0.5p -> 1p; £-0.005 -> -1p; Decimal £7.125 -> 712.5p -> 713p.
    assert [money.to_pence(0.004), money.to_pence(0.005), money.to_pence(-0.005)] == [0, 1, -1]
    assert money.to_pence(Decimal("7.125")) == 713 and money.to_pence(Decimal("-7.125")) == -713
    assert type(money.to_pence(3.5)) is int and money.to_pence(3.5) == 350
    # An array: £[0.015, 99.994, 99.995] -> [2, 9999, 10000] pence, as int64.
    arr = money.to_pence(np.array([0.015, 99.994, 99.995]))
    assert arr.dtype == np.int64 and arr.tolist() == [2, 9_999, 10_000]
    # A list of exact Decimal amounts is an array too: £0.125 -> 12.5p -> 13p; £2 -> 200p.
    assert money.to_pence([Decimal("0.125"), Decimal("2")]).tolist() == [13, 200]
    # Not a number is not money.
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match=r"^money amounts must be finite numbers$"):
            money.to_pence(bad)


def test_round_half_up_halves_go_away_from_zero_at_any_number_of_places():
    # Rule (money.py): a percentage is rounded to dp places, halves away from zero.
    # 5.125 is exact in binary (41/8): to 2 dp the half goes up -> 5.13 (not 5.12, not 5.14, not 5.15).
    assert money.round_half_up(5.125, 2) == 5.13
    # -2.25 is exact (-9/4): to 1 dp the half goes away from zero -> -2.3.
    assert money.round_half_up(-2.25, 1) == -2.3
    # 12.3456 to 1 dp: the next digit is 4, below a half -> 12.3.
    assert money.round_half_up(12.3456, 1) == 12.3
    # 0.04 to 1 dp: 0.04 is under half of 0.1 -> 0.0 (a step of 1.5 instead of 0.5 would give 0.1).
    assert money.round_half_up(0.04, 1) == 0.0
    # 1.005 is held as 1.00499999...: the nudge restores the written half -> 1.01.
    assert money.round_half_up(1.005, 2) == 1.01
    # 37.5 to 0 dp -> 38 (scale 10**0 = 1).
    assert money.round_half_up(37.5, 0) == 38.0


def test_pounds_keeps_a_series_index_and_name_and_returns_a_float_for_a_scalar():
    # Rule: pounds() rounds each amount to the penny, halves away from zero, and a Series stays the
    # same Series (same index, same name) so it lines up with the book it came from.
    s = pd.Series([1.005, 2.5, -0.125], index=["h1", "h2", "h3"], name="fee")
    out = money.pounds(s)
    # 1.005 -> 1.01 (half up); 2.5 -> 2.50; -0.125 -> -0.13 (half away from zero).
    assert list(out.index) == ["h1", "h2", "h3"]
    assert out.name == "fee"
    assert out.tolist() == [1.01, 2.5, -0.13]
    # A scalar comes back as a plain float: 2.345 -> 2.35 (held as 2.34499..., the nudge gives the half).
    one = money.pounds(2.345)
    assert type(one) is float and one == 2.35
    # A Decimal amount is an amount too: Decimal("7.125") -> 7.13.
    assert money.pounds(Decimal("7.125")) == 7.13


def test_to_pounds_divides_whole_pence_by_one_hundred():
    # Rule: whole pence back to pounds: 12345p = £123.45, -5p = -£0.05, 100p = £1.
    out = money.to_pounds(pd.Series([12345, -5, 100]))
    assert out.tolist() == [123.45, -0.05, 1.0]
    assert money.to_pounds(np.array([250, 1])).tolist() == [2.5, 0.01]
    assert money.to_pounds(87654) == 876.54


def test_fmt_gbp_writes_pounds_and_pence_with_the_sign_in_front():
    # Rule (docstring): '£1,234.56'; negative as '-£1,234.56'; two decimals unless asked.
    assert money.fmt_gbp(1234.5) == "£1,234.50"
    assert money.fmt_gbp(-1234.56) == "-£1,234.56"
    # Zero and amounts under £1 carry no minus sign.
    assert money.fmt_gbp(0) == "£0.00"
    assert money.fmt_gbp(0.5) == "£0.50"
    # dp=0: whole pounds, 1234.0 -> '£1,234'.
    assert money.fmt_gbp(1234.0, dp=0) == "£1,234"


def test_fmt_gbp_m_writes_millions_to_two_decimals():
    # Rule (docstring): '£2.19m'. £2,190,000 = £2.19m; -£2,190,000 -> '-£2.19m'.
    assert money.fmt_gbp_m(2_190_000) == "£2.19m"
    assert money.fmt_gbp_m(-2_190_000) == "-£2.19m"
    # £500,000 = £0.50m, no sign; £0 = £0.00m.
    assert money.fmt_gbp_m(500_000) == "£0.50m"
    assert money.fmt_gbp_m(0) == "£0.00m"
    # £1,005,001 = £1.005001m, just above the half -> £1.01m (dividing by anything but a million,
    # e.g. 1,000,001, gives 1.004999... -> £1.00m).
    assert money.fmt_gbp_m(1_005_001) == "£1.01m"


# ---------------------------------------------------------------------------------------------
# feemodel/model/charging.py
# ---------------------------------------------------------------------------------------------


def test_assess_one_reports_every_input_and_rule_it_used():
    # The `feemodel contribution` command prints this record. Income £200, capital £14,501, fee £900:
    # capital is £251 over the lower limit = one step of £250 and a part -> 2 steps -> tariff £2;
    # contribution = 200 + 2 - 30.15 = £171.85 (under the fee, so not capped).
    r = assess_one(200, 14_501, JUNE24, fee=900, params=PARAMS)
    assert r == {
        "date": "2024-06-01",
        "weekly_income": 200.0,
        "capital": 14_501.0,
        "fee": 900.0,
        "self_funder": False,
        "tariff_income": 2.0,
        "personal_expenses_allowance": 30.15,
        "weekly_contribution": 171.85,
        "lower_capital_limit": 14_250.0,
        "upper_capital_limit": 23_250.0,
    }
    # Inputs are shown as rounded to the penny on the way in: £199.994 -> £199.99, £0.005 -> £0.01
    # capital; fee £899.999 -> £900.00. Contribution 199.99 - 30.15 = £169.84.
    r = assess_one(199.994, 0.005, JUNE24, fee=899.999, params=PARAMS)
    assert (r["weekly_income"], r["capital"], r["fee"], r["weekly_contribution"]) == (199.99, 0.01, 900.0, 169.84)


def test_charging_rules_carry_the_date_they_were_read_for():
    # The rules in force on 1 June 2024 say so (the date is shown beside the rules used).
    rules = ChargingRules.on(JUNE24, PARAMS)
    assert rules.date == JUNE24
    # ... in whole pence: £14,250 = 1,425,000p, £23,250 = 2,325,000p, £250 step = 25,000p, £1 = 100p, PEA 3,015p.
    assert (rules.lower_capital_limit, rules.upper_capital_limit, rules.tariff_step, rules.tariff_per_step,
            rules.personal_expenses_allowance) == (1_425_000, 2_325_000, 25_000, 100, 3_015)


def test_assess_without_a_fee_keeps_the_index_and_gives_a_self_funder_no_figure():
    # Two residents on a book indexed by placement id. "p7": income £200, no capital ->
    # 200 - 30.15 = £169.85. "p9": capital £50,000 > £23,250 -> self-funder; with no fee given the
    # contribution is NaN (not a number, not None, not 0).
    frame = pd.DataFrame({"weekly_income": [200.0, 200.0], "capital": [0.0, 50_000.0]}, index=["p7", "p9"])
    out = assess(frame, ChargingRules.on(JUNE24, PARAMS))
    assert list(out.index) == ["p7", "p9"]
    assert out.loc["p7", "weekly_contribution"] == 169.85
    assert math.isnan(out.loc["p9", "weekly_contribution"])
    assert out.loc["p9", "self_funder"]
    # Above the upper limit there is no tariff income at all (the resident pays the full fee):
    # £0.00, not the £1-per-£250 figure (£50,000 - £14,250 = £35,750 -> 143 steps -> £143).
    assert out.loc["p9", "tariff_income"] == 0.0
    assert out.loc["p7", "tariff_income"] == 0.0 and out.loc["p7", "personal_expenses_allowance"] == 30.15


def test_assess_pence_without_a_fee_marks_a_self_funder_with_minus_one():
    # Rule (docstring): with no fee, a self-funder's contribution is -1 (no figure); funding.py and
    # uplift.py reuse this uncapped assessment across fee variants. Income 20,000p (£200):
    # resident A, no capital: 20,000 - 3,015 PEA = 16,985p. Resident B, capital 5,000,000p (£50,000)
    # > 2,325,000p: self-funder -> -1 (not 16,985, not +1, not -2), tariff 0.
    out = assess_pence([20_000, 20_000], [0, 5_000_000], ChargingRules.on(JUNE24, PARAMS))
    assert out["contribution"].tolist() == [16_985, -1]
    assert out["self_funder"].tolist() == [False, True]
    assert out["tariff"].tolist() == [0, 0]
    assert out["pea"].tolist() == [3_015, 3_015]


# ---------------------------------------------------------------------------------------------
# feemodel/model/funding.py
# ---------------------------------------------------------------------------------------------
# On 1 June 2026: FNC £267.68 a week, PEA £31.80; no capital, so no tariff income. A resident on
# £200 a week pays 200.00 - 31.80 = £168.20 towards a council placement.
JUNE26 = dt.date(2026, 6, 1)


def _bare_book(**extra) -> pd.DataFrame:
    """Four placements with only the columns every book has (no band, area, proposed band,
    supplementary hours or first-party top-up columns); blanks are NaN, as the loader gives them."""
    nan = float("nan")
    data = dict(
        placement_id=["P1", "P2", "P3", "P4"], home_id=["H1", "H2", "H2", "H2"],
        setting=["residential", "nursing", "nursing", "nursing"], client_group=["older", "older", "older", "older"],
        funding=["council", "self", "chc", "self"], fnc_eligible=[False, True, True, True],
        weekly_fee=[760.0, nan, 1200.0, nan], third_party_topup=[40.0, nan, nan, nan],
        provider_price=[800.0, 1400.0, 1200.0, 250.0], weekly_income=[200.0] * 4, capital=[0.0] * 4,
        assessed_contribution=[nan] * 4,
    )
    data.update(extra)
    return pd.DataFrame(data)


def test_book_arrays_from_a_book_without_the_optional_columns():
    from feemodel.model.funding import BookArrays
    a = BookArrays.from_frame(_bare_book())
    # no band column: every placement has no band (code -1); the only name seen is the blank one
    assert a.n == 4 and a.band_code.tolist() == [-1, -1, -1, -1] and a.band_names == ("",)
    # no area column: every placement is in the council's area
    assert a.in_area.tolist() == [True, True, True, True]
    # no reassessment columns: no proposed band (-1), no own supplementary hours (NaN, as floats)
    assert a.proposed_band_code.tolist() == [-1, -1, -1, -1] and a.proposed_band_names == ("",)
    assert a.supplementary_hours.dtype == np.float64 and np.isnan(a.supplementary_hours).all()
    assert not a.has_reassessment
    # blank fee and blank top-up are 0 pence; P1's £760 fee -> 76,000p, its family's £40 top-up -> 4,000p
    assert a.fee.tolist() == [76_000, 0, 120_000, 0]
    assert a.topup.tolist() == [4_000, 0, 0, 0]
    # no first_party_topup column: no resident pays their own top-up
    assert a.first_party.tolist() == [False, False, False, False]
    # no recorded contribution: -1 ("not given")
    assert a.given.tolist() == [-1, -1, -1, -1]


def test_book_arrays_read_a_small_first_party_topup_and_blank_supplementary_hours():
    from feemodel.model.funding import BookArrays
    # the resident's own top-up of 50p is a first-party top-up (any amount above 0); a blank
    # supplementary_hours cell ("") is no figure (NaN), 3.5 is 3.5 hours
    book = _bare_book(first_party_topup=[0.50, float("nan"), float("nan"), float("nan")],
                      third_party_topup=[0.0, 0.0, 0.0, 0.0], supplementary_hours=["", "3.5", "", ""])
    a = BookArrays.from_frame(book)
    assert a.first_party.tolist() == [True, False, False, False]
    assert a.topup.tolist() == [50, 0, 0, 0]
    assert np.isnan(a.supplementary_hours[0]) and a.supplementary_hours[1] == 3.5


def test_band_codes_treat_blank_and_missing_bands_as_no_band():
    from feemodel.model.funding import BookArrays
    # bands " A " (trimmed to "A"), "" and missing: only "A" is a band; band_values gives A's value to
    # the first and the default (0, or the one given) to the other two
    a = BookArrays.from_frame(_bare_book(band=[" A ", "", None, "A"]))
    assert a.band_names == ("", "A")
    assert a.band_code.tolist() == [1, -1, -1, 1]
    assert a.band_values({"A": 50_000}).tolist() == [50_000, 0, 0, 50_000]
    assert a.band_values({"A": 2.5}, 1.0, float).tolist() == [2.5, 1.0, 1.0, 2.5]


def test_split_pence_self_funder_below_fnc_pays_nothing_and_figures_stay_whole_pence():
    from feemodel.model.funding import split_pence
    rules = ChargingRules.on(JUNE26, PARAMS)
    s = split_pence(_bare_book(), rules, 26_768)
    # P4: a nursing self-funder whose price (£250.00) is below FNC (£267.68) pays max(250.00 - 267.68, 0) = £0
    assert s["resident"][3] == 0 and s["nhs_fnc"][3] == 26_768 and s["gross"][3] == 26_768
    # P1: council fee £760, income £200 -> resident £168.20, council £591.80, family £40
    assert (s["resident"][0], s["council"][0], s["third_party"][0]) == (16_820, 59_180, 4_000)
    for part in ("gross", "council", "resident", "third_party", "first_party", "nhs_fnc", "nhs_chc"):
        assert s[part].dtype == np.int64, part
    # a means test given by the caller (uncapped) is used as given: a contribution of £100.00 for P1
    given = {"contribution": np.array([10_000, 0, 0, 0]), "self_funder": np.array([False, False, False, False])}
    s = split_pence(_bare_book(), rules, 26_768, uncapped=given)
    assert (s["resident"][0], s["council"][0]) == (10_000, 66_000)


@pytest.mark.parametrize("collection, paid", [
    # council_gross: the council pays the home the gross fee less FNC: P1 760 + 40 = £800
    ("council_gross", [800.0, 0.0, 0.0, 0.0]),
    # direct: the council pays its own share and the resident's: 591.80 + 168.20 = £760; the family pays its £40 itself
    ("direct", [760.0, 0.0, 0.0, 0.0]),
])
def test_council_pays_nothing_to_the_home_for_self_funders_and_chc(collection, paid):
    from feemodel.model.funding import funding_split
    book = _bare_book(area=["in"] * 4, band=["A", "", "", ""])
    split = funding_split(book, PARAMS, JUNE26, collection)
    # P2 and P4 are self-funders, P3 is NHS CHC: the council pays their homes nothing
    assert split.council_pays_provider_gbp_pw.tolist() == paid


def _split_frame() -> pd.DataFrame:
    """A funding split in £/week (as funding_split gives it), bands first seen out of name order."""
    parts = ["council", "resident", "third_party", "first_party", "nhs_fnc", "nhs_chc"]
    rows = [
        # band, funding, gross, council, resident, third_party, first_party, nhs_fnc, nhs_chc
        ("Residential", "council", 800.0, 591.80, 168.20, 40.0, 0.0, 0.0, 0.0),
        ("Nursing", "council", 1117.68, 681.80, 168.20, 0.0, 0.0, 267.68, 0.0),
        ("", "self", 1000.0, 0.0, 1000.0, 0.0, 0.0, 0.0, 0.0),
    ]
    out = pd.DataFrame(rows, columns=["band", "funding", "gross_gbp_pw"] + [f"{p}_gbp_pw" for p in parts])
    out.insert(0, "client_group", "older")
    out.insert(0, "area", "in")
    return out


def test_summary_tables_layout_order_and_the_not_council_funded_label():
    from feemodel.model.funding import summary_tables
    t = summary_tables(_split_frame())
    parts = ["gross", "council", "resident", "third_party", "first_party", "nhs_fnc", "nhs_chc"]
    # columns: grouping, group, placements, each payer a week, then each payer a year
    assert list(t.columns) == (["grouping", "group", "placements"] + [f"{p}_gbp_pw" for p in parts]
                               + [f"{p}_gbp_pa" for p in parts])
    # one row per group, numbered 0..n-1; groups sorted by name within each grouping ("(" sorts
    # before letters), the self-funder's blank band shown as "(not council-funded)"
    assert list(t.index) == list(range(len(t)))
    assert list(zip(t.grouping, t.group, strict=True)) == [
        ("band", "(not council-funded)"), ("band", "Nursing"), ("band", "Residential"),
        ("client_group", "older"), ("area", "in"), ("funding", "council"), ("funding", "self")]
    assert t.placements.tolist() == [1, 1, 1, 3, 3, 2, 1]
    # the self-funder pays £1,000 a week: £1,000 x 365 / 7 = £52,142.857 -> £52,142.86 a year
    assert (t.resident_gbp_pw[0], t.resident_gbp_pa[0]) == (1000.0, 52142.86)


def test_topup_exposure_counts_every_topup_above_zero():
    from feemodel.model.funding import topup_exposure
    split = pd.DataFrame({"third_party_gbp_pw": [1.00, 0.0, 30.00], "first_party_gbp_pw": [0.0, 1.00, 0.0]})
    e = topup_exposure(split, "council_gross")
    # families' top-ups: £1 and £30 -> 2 placements, £31 a week; a year 31 x 365 / 7 = 11,315 / 7 = 1,616.43
    assert (e["placements_with_topups"], e["topups_gbp_pw"], e["council_exposure_gbp_pa"]) == (2, 31.0, 1616.43)
    # the resident's own top-up of £1: 1 placement; a year 365 / 7 = 52.142857 -> £52.14
    assert (e["placements_with_first_party_topups"], e["first_party_topups_gbp_pw"], e["first_party_exposure_gbp_pa"]) == (1, 1.0, 52.14)
    assert e["collected_by_council"] is True
    # a split without the first-party column (no resident pays their own top-up): all first-party figures 0
    e = topup_exposure(split.drop(columns="first_party_gbp_pw"), "direct")
    assert (e["placements_with_first_party_topups"], e["first_party_topups_gbp_pw"], e["first_party_exposure_gbp_pa"]) == (0, 0.0, 0.0)
    assert e["collected_by_council"] is False


# ---------------------------------------------------------------------------------------------
# feemodel/model/uplift.py
# ---------------------------------------------------------------------------------------------


def test_provider_income_table_and_its_distribution_by_hand():
    from types import SimpleNamespace

    from feemodel.model.uplift import provider_income
    # Seven homes, each taking £1,000.00 a week before (A from two placements of £500); the weekly
    # gross after (pence) gives these changes, chosen at the edges of the published bands:
    #   A: 50,000 + 50,000 -> 50,000 + 49,999: -£0.01 (lose);  B: no change;  C: +£0.01;
    #   D: +£500.00 (top of "up to £500");  G: +£500.50;  E: +£2,000.00 (top of "£500 to £2,000");
    #   F: +£2,000.50 (over £2,000). The book lists them out of name order.
    ids = ["F", "A", "A", "B", "C", "D", "G", "E"]
    old = [100_000, 50_000, 50_000, 100_000, 100_000, 100_000, 100_000, 100_000]
    new = [300_050, 50_000, 49_999, 100_000, 100_001, 150_000, 150_050, 300_000]
    homes = pd.DataFrame({"home_id": list("ABCDEFG"), "home_name": [f"Home {h}" for h in "ABCDEFG"],
                          "area": ["in", "in", "out", "in", "in", "in", "out"],
                          "setting": ["residential", "nursing"] * 3 + ["residential"]})
    yf = SimpleNamespace(base={"gross": np.array(old)}, new={"gross": np.array(new)})

    def case(named):
        return SimpleNamespace(scenario=SimpleNamespace(publication=SimpleNamespace(name_homes=named)),
                               book=SimpleNamespace(placements=pd.DataFrame({"home_id": ids}), homes=homes))

    per_home, dist = provider_income(case(True), yf)
    assert list(per_home.columns) == ["home_id", "home_name", "area", "setting", "change_gbp_pw", "change_pct",
                                      "weekly_income_before_gbp"]
    assert per_home.home_id.tolist() == list("ABCDEFG")
    assert per_home.home_name.tolist() == [f"Home {h}" for h in "ABCDEFG"]
    assert per_home.area.tolist() == ["in", "in", "out", "in", "in", "in", "out"]
    assert per_home.setting.tolist() == ["residential", "nursing"] * 3 + ["residential"]
    assert per_home.change_gbp_pw.tolist() == [-0.01, 0.0, 0.01, 500.0, 2000.0, 2000.5, 500.5]
    # change / £1,000 x 100, to 2 dp: -0.001% -> 0.00; 0.001% -> 0.00; 50%; 200%; 200.05%; 50.05%
    assert per_home.change_pct.tolist() == [0.0, 0.0, 0.0, 50.0, 200.0, 200.05, 50.05]
    assert per_home.weekly_income_before_gbp.tolist() == [1000.0] * 7
    # not named: the home_id and no name column
    per_home, _ = provider_income(case(False), yf)
    assert list(per_home.columns) == ["home_id", "area", "setting", "change_gbp_pw", "change_pct", "weekly_income_before_gbp"]
    # bands (lower edge excluded, upper included): lose A -0.01; no change B; up to £500: C + D = 500.01;
    # £500 to £2,000: G + E = 2,500.50; over £2,000: F 2,000.50
    assert list(dist.columns) == ["group", "homes", "total_change_gbp_pw"]
    assert dist.group.tolist()[:5] == ["lose", "no change", "gain up to £500 a week", "gain £500 to £2,000 a week",
                                      "gain over £2,000 a week"]
    assert dist.homes.tolist()[:5] == [1, 1, 2, 2, 1]
    assert dist.total_change_gbp_pw.tolist()[:5] == [-0.01, 0.0, 500.01, 2500.5, 2000.5]
    # percentiles of the 7 changes sorted (-0.01, 0, 0.01, 500, 500.50, 2000, 2000.50), linear between
    # points at position q x 6: P10 0.6 -> -0.01 + 0.6 x 0.01 = -0.004 -> £0.00; P25 1.5 -> 0.005 -> £0.01;
    # P50 3 -> 500.00; P75 4.5 -> 500.50 + 0.5 x 1,499.50 = 1,250.25; P90 5.4 -> 2,000 + 0.4 x 0.50 = 2,000.20
    assert dist.group.tolist()[5:] == [f"P{q} change per home (£/week)" for q in (10, 25, 50, 75, 90)]
    assert dist.homes[5:].isna().all()
    assert dist.total_change_gbp_pw.tolist()[5:] == [0.0, 0.01, 500.0, 1250.25, 2000.2]


def _split_fees_call(reach, in_area=(True, True, False), shape=None):
    from types import SimpleNamespace

    from feemodel.model.uplift import split_fees
    u = SimpleNamespace(reach_rule=reach, protection="keep_fee", protection_pct=0)
    fee_old = np.array([90_000, 70_000, 75_000])
    band_old = np.array([70_000, 70_000, 70_000])
    # three proposed bands: Z (no placement moves to it), Y £600, X £800
    weights = [np.zeros(3), np.array([0.5, 0.0, 1.0]), np.array([0.5, 1.0, 0.0])]
    rates = [np.array(100_000), np.array(60_000), np.array(80_000)] if shape is None else shape
    return split_fees(u, fee_old, band_old, weights, rates, np.array(in_area), out_factor=1.10)


@pytest.mark.parametrize("reach", ["protect_above_new_rate", "protect_above_current_rate"])
def test_split_fees_by_hand(reach):
    # P1 £900, half to Y (£600), half to X (£800): above both -> keeps £900; band rate 0.5 x 600 + 0.5 x 800 = £700
    # P2 £700, all to X (£800): not above -> £800; band rate £800 (above Y's £600, but it has no share of Y)
    # P3 £750, all to Y (£600): above -> keeps £750 in county; it is out of county, so £750 x 1.10 = £825.00;
    #    band rate £600.  Against the current rate (£700): P1 and P3 are above, P2 (= £700) is not; same fees.
    fee, above, band = _split_fees_call(reach)
    assert fee.tolist() == [90_000, 80_000, 82_500]
    assert above.tolist() == [True, False, True]
    assert band.tolist() == [70_000, 80_000, 60_000]


def test_split_fees_over_draws_and_a_weight_list_that_does_not_match_the_rates():
    # two draws of the rates (rows): draw 1 as above (Y £600, X £800); draw 2 Y £660, X £880.
    # draw 2: P1 £900 above both -> £900; P2 £700 -> X £880; P3 £750 above Y £660 -> keeps £750 (all in county)
    # band rates draw 2: P1 0.5 x 660 + 0.5 x 880 = £770; P2 £880; P3 £660
    rates = [np.array([[100_000], [100_000]]), np.array([[60_000], [66_000]]), np.array([[80_000], [88_000]])]
    fee, above, band = _split_fees_call("protect_above_new_rate", (True, True, True), rates)
    assert fee.tolist() == [[90_000, 80_000, 75_000], [90_000, 88_000, 75_000]]
    assert above.tolist() == [[True, False, True], [True, False, True]]
    assert band.tolist() == [[70_000, 80_000, 60_000], [77_000, 88_000, 66_000]]
    # one weight per proposed band: three weights and two rates is refused
    with pytest.raises(ValueError):
        _split_fees_call("protect_above_new_rate", shape=[np.array(60_000), np.array(80_000)])


def test_placement_options_own_proposed_band_and_mapping_by_hand():
    from types import SimpleNamespace

    from feemodel.model.funding import BookArrays
    from feemodel.model.uplift import placement_options
    # proposed bands: Res (supplementary £20.00 an hour, 2 hours in the band) and Nur (£25.00, 0 hours);
    # mapping: "Old" splits 40% Res / 60% Nur, "OldN" all to Nur
    bands = [SimpleNamespace(name="Res", supplementary_hourly_rate=20.0, supplementary_hours=2.0),
             SimpleNamespace(name="Nur", supplementary_hourly_rate=25.0, supplementary_hours=0.0)]
    scenario = SimpleNamespace(bands=lambda which: bands, band_mapping={"Old": {"Res": 40, "Nur": 60}, "OldN": "Nur"})
    # every placement has its own proposed band (none blank): it wins over the mapping
    a = BookArrays.from_frame(_bare_book(band=["Old", "OldN", "Old", "OldN"], proposed_band=["Nur", "Res", "Nur", "Nur"],
                                         supplementary_hours=[float("nan"), 3.0, float("nan"), float("nan")]))
    names, weights, supplement = placement_options(scenario, a)
    assert names == ["Res", "Nur"]
    assert weights.tolist() == [[0, 1], [1, 0], [0, 1], [0, 1]]
    # P2's own 3 hours: under Res 3 x 20.00 - 2 x 20.00 = £20.00 (2,000p); under Nur 3 x 25.00 - 0 = £75.00
    assert supplement.tolist() == [[0, 0], [2_000, 7_500], [0, 0], [0, 0]] and supplement.dtype == np.int64  # whole pence
    # no own bands: the mapping; a blank band (P2) moves nowhere
    a = BookArrays.from_frame(_bare_book(band=["Old", "", "OldN", "Old"]))
    names, weights, supplement = placement_options(scenario, a)
    assert weights.tolist() == [[0.4, 0.6], [0, 0], [0, 1], [0.4, 0.6]]
    assert supplement.tolist() == [[0, 0]] * 4 and supplement.dtype == np.int64


def test_indexed_rate_moves_each_part_by_its_own_factor():
    from feemodel.model.uplift import _indexed
    # a £1,000.00 rate with a £50.00 quality premium and £100.00 of supplementary needs: the core is
    # 1,000 - 50 - 100 = £850.00. Core x 1.10 = 935.00, premium x 1.20 = 60.00, supplementary x 1.30 = 130.00:
    # £1,125.00
    mult = {"core": 1.10, "quality_premium": 1.20, "supplementary_needs": 1.30}
    assert _indexed(100_000, {"quality_premium": 5_000, "supplementary_needs": 10_000}, mult) == pytest.approx(1125.00, abs=1e-9)
    # one factor for every part: the plain product, £1,000.00 x 1.10 = £1,100.00
    same = dict.fromkeys(mult, 1.10)
    assert _indexed(100_000, {"quality_premium": 5_000, "supplementary_needs": 10_000}, same) == pytest.approx(1100.00, abs=1e-9)


def test_topups_table_outcomes_by_hand():
    from types import SimpleNamespace

    from feemodel.model.uplift import topups_table
    # families' top-ups before -> after (pence), bands listed out of name order:
    #   P1 R none; P2 R 1p -> 1p (unchanged); P3 N £50.00 -> £49.99 (falls); P4 N £50.00 -> £50.01 (rises);
    #   P5 R £20.00 -> 0 (vanishes); P6 R £1.00 -> £1.01 (rises)
    case = SimpleNamespace(book=SimpleNamespace(placements=pd.DataFrame({"band": ["R", "R", "N", "N", "R", "R"]})))
    yf = SimpleNamespace(base={"third_party": np.array([0, 1, 5_000, 5_000, 2_000, 100])},
                         new={"third_party": np.array([0, 1, 4_999, 5_001, 0, 101])})
    t = topups_table(case, yf)
    assert t.columns.tolist() == ["band", "outcome", "placements", "average_topup_before_gbp_pw",
                                  "average_topup_after_gbp_pw", "average_change_gbp_pw"]
    # by band (N before R), outcomes in name order; then all bands: rises = P4 and P6:
    # before (50.00 + 1.00) / 2 = 25.50, after (50.01 + 1.01) / 2 = 25.51, change +0.01
    assert [tuple(r) for r in t.itertuples(index=False)] == [
        ("N", "falls", 1, 50.00, 49.99, -0.01),
        ("N", "rises", 1, 50.00, 50.01, 0.01),
        ("R", "rises", 1, 1.00, 1.01, 0.01),
        ("R", "unchanged", 1, 0.01, 0.01, 0.00),
        ("R", "vanishes", 1, 20.00, 0.00, -20.00),
        ("All bands", "falls", 1, 50.00, 49.99, -0.01),
        ("All bands", "rises", 2, 25.50, 25.51, 0.01),
        ("All bands", "unchanged", 1, 0.01, 0.01, 0.00),
        ("All bands", "vanishes", 1, 20.00, 0.00, -20.00),
    ]
    # a book with no top-ups: an empty table that still has its six columns
    none = SimpleNamespace(base={"third_party": np.zeros(6, dtype=np.int64)}, new={"third_party": np.zeros(6, dtype=np.int64)})
    empty = topups_table(case, none)
    assert len(empty) == 0 and empty.columns.tolist() == t.columns.tolist()


def test_band_staff_share_reads_the_build_up_at_the_rates_date(monkeypatch):
    from types import SimpleNamespace

    from feemodel.model import uplift
    seen = []
    lines = {"cost_of_care_total": 50_000, "care_staff": 30_000, "nursing_staff": 0, "other_staff": 10_000}

    def build_up(band, scenario, params, when):
        seen.append((params, when))
        return lines

    monkeypatch.setattr(uplift, "band_rate_pence", build_up)
    scenario = SimpleNamespace(indexation=SimpleNamespace(weights="build_up", staff_share_pct=57.0), rates_date=JUNE26)
    band = SimpleNamespace(category="built")
    # staff lines (care 300 + nursing 0 + other staff 100) / cost of care 500 = 0.8, from the build-up
    # read with the given parameters at the scenario's rates date
    assert uplift.band_staff_share(band, scenario, PARAMS) == pytest.approx(0.8)
    assert seen == [(PARAMS, JUNE26)]
    # a build-up with no cost at all has no staff share (0), not a division by zero
    lines = {"cost_of_care_total": 0, "care_staff": 0, "nursing_staff": 0, "other_staff": 0}
    assert uplift.band_staff_share(band, scenario, PARAMS) == 0.0
    # a stated band (no category) uses staff_share_pct: 57% -> 0.57
    assert uplift.band_staff_share(SimpleNamespace(category=None), scenario, PARAMS) == pytest.approx(0.57)


def test_later_years_each_have_their_own_band_factors(tmp_path):
    from feemodel.model import uplift
    from tests.test_uplift_rules import built_and_stated_case
    # as tests/test_uplift_rules.py::test_build_up_weights_index_each_band_on_its_staff_share: the built
    # band (£500, staff share 80%) moves 0.8 x 5 + 0.2 x 2 = 4.4% a year, the stated band (£700, 57%)
    # 0.57 x 5 + 0.43 x 2 = 3.71% a year. Year 2 (2028/29) is two years of it, not year 1 again:
    #   500 x 1.044 x 1.044 = 500 x 1.089936 = 544.968 -> £544.97
    #   700 x 1.0371 x 1.0371 = 700 x 1.07557641 = 752.903487 -> £752.90
    case = built_and_stated_case(tmp_path)
    assert uplift.band_rates_costed(case, 1, float(case.index.cumulative_factor[1])) == {"Built": 52200, "Residential": 72597}
    assert uplift.band_rates_costed(case, 2, float(case.index.cumulative_factor[2])) == {"Built": 54497, "Residential": 75290}


def test_self_funders_part_year_change_from_a_mid_year_date_with_replaced_leavers(tmp_path):
    from feemodel.model import uplift
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    # one council placement (Residential, £760) and one residential self-funder (£1,000); 10% on every
    # council fee from 1 October 2026: 760 -> 836, +£76; the self-funder pays half of it, +£38 a week.
    # 20% of residents leave a year and every leaver is replaced, so each place is filled every day:
    # 1 Oct 2026 to 31 Mar 2027 is 31 + 30 + 31 + 31 + 28 + 31 = 182 days = 26 weeks -> 38 x 26 = £988.00
    path = tiny_scenario(tmp_path, [dict(), dict(funding="self", band="", weekly_fee="", provider_price=1000.0)],
                         {"method": "uniform", "uniform_pct": 10, "effective_date": "2026-10-01",
                          "self_funder_pass_through_pct": 50, "protection": "none",
                          "turnover": {"annual_exit_rate_pct": 20, "replace_leavers": True}},
                         proposed_structure="legacy", band_mapping={})
    sf = uplift.self_funder_change(load_case(path))
    assert (sf["self_funders"], sf["total_change_gbp_pw"]) == (1, 38.00)
    assert sf["total_change_part_year_gbp"] == 988.00


def test_headline_by_hand():
    from feemodel.model.uplift import headline
    # first year 2026/27 (the first row): part year +£100.00 (gross +£110.00, top-ups +£5.00), full year
    # +£250.00 with 2 placements affected and 1 protected; 2027/28 full year +£400.00 (listed in between)
    cost = pd.DataFrame([
        ("2026/27", "part_year", 100.00, 110.00, 5.00, 2, 1),
        ("2027/28", "full_year", 400.00, 420.00, 6.00, 2, 0),
        ("2026/27", "full_year", 250.00, 260.00, 7.00, 2, 1),
    ], columns=["financial_year", "period", "council_net_change_gbp", "gross_change_gbp", "topup_change_gbp",
                "placements_affected", "protected"])
    h = headline(cost)
    assert list(h.items())[:7] == [
        ("financial_year", "2026/27"), ("council_net_change_part_year_gbp", 100.00),
        ("council_net_change_full_year_gbp", 250.00), ("gross_change_part_year_gbp", 110.00),
        ("topup_change_part_year_gbp", 5.00), ("placements_affected", 2), ("placements_protected", 1)]
    # by year, in year order: 2026/27 £250.00, 2027/28 £400.00
    assert list(h["council_net_change_by_year_gbp"].items()) == [("2026/27", 250.00), ("2027/28", 400.00)]


def test_out_of_area_factor_follows_the_settings_it_is_given():
    from types import SimpleNamespace

    from feemodel.inputs.scenario import OutOfArea, Uplift
    from feemodel.model.uplift import out_of_area_factor
    # the scenario says band_change (no factor: the band's own % applies); varied to a stated 20% in a
    # year with later indices of 1.05: (1 + 20 / 100) x 1.05 = 1.26
    case = SimpleNamespace(scenario=SimpleNamespace(uplift=Uplift(out_of_area=OutOfArea(method="band_change"))))
    assert out_of_area_factor(case, 1.05) is None
    assert out_of_area_factor(case, 1.05, {"out_of_area": OutOfArea(method="pct", pct=20.0)}) == pytest.approx(1.26)


def test_rate_card_by_year_by_hand_on_build_up_weights(tmp_path):
    import math

    from feemodel.model import uplift
    from tests.test_uplift_rules import built_and_stated_case
    # as test_later_years_each_have_their_own_band_factors: Built £500 moves 4.4% a year, Residential £700
    # 3.71% a year; the first year adds 0% (uniform 0%). Rate = base x factor, to the penny; change from
    # the rate the year before, % to 2 dp half up; factor to 8 dp:
    #   Built:       2026 500.00 (0%); 2027 500 x 1.044 = 522.00 (4.40%); 2028 x 1.089936 = 544.968 -> 544.97
    #                ((544.97 - 522) / 522 = 4.4004% -> 4.40); 2029 x 1.137893184 = 568.9466 -> 568.95 (4.4002% -> 4.40)
    #   Residential: 2026 700.00; 2027 x 1.0371 = 725.97 (3.71%); 2028 x 1.07557641 = 752.9035 -> 752.90
    #                (26.93 / 725.97 = 3.7095% -> 3.71); 2029 x 1.115480294811 = 780.8362 -> 780.84
    #                (27.94 / 752.90 = 3.7110% -> 3.71), factor 1.11548029 (8 dp)
    case = built_and_stated_case(tmp_path)
    card = uplift.rate_card_by_year(case)
    assert list(card.columns) == ["financial_year", "band", "weekly_rate_gbp", "index_pct", "rate_change_pct",
                                  "cumulative_factor", "supplementary_needs_gbp_pw"]
    card = card[card.financial_year <= 2029]
    assert list(zip(card.financial_year, card.band, strict=True)) == [(y, b) for y in range(2026, 2030) for b in ("Built", "Residential")]
    assert card.weekly_rate_gbp.tolist() == [500.00, 700.00, 522.00, 725.97, 544.97, 752.90, 568.95, 780.84]
    assert card.index_pct.tolist() == pytest.approx([0.0, 0.0, 4.4, 3.71, 4.4, 3.71, 4.4, 3.71])
    assert card.rate_change_pct.tolist() == [0.0, 0.0, 4.40, 3.71, 4.40, 3.71, 4.40, 3.71]
    assert card.cumulative_factor.tolist() == [1.0, 1.0, 1.044, 1.0371, 1.089936, 1.07557641, 1.13789318, 1.11548029]
    assert not any(math.isnan(v) for v in card.supplementary_needs_gbp_pw)


def test_rate_card_by_year_lists_the_current_bands_for_a_pct_method(tmp_path):
    from feemodel.model import uplift
    from tests.test_uplift_rules import case_for, res
    # 10% on every fee; the current band Residential (£700) maps to a proposed Res A (£750): a % method
    # costs the current bands, so the card's first year is Residential at 700 x 1.10 = £770.00, +10%
    case = case_for(tmp_path, [700], dict(method="uniform", uniform_pct=10), current=[res("Residential", 700.0)],
                    proposed=[res("Res A", 750.0)], mapping={"Residential": "Res A"})
    first = uplift.rate_card_by_year(case).iloc[0]
    assert (first.financial_year, first.band, first.weekly_rate_gbp, first.index_pct, first.rate_change_pct) == (2026, "Residential", 770.00, 10.0, 10.0)


def test_rate_card_by_year_lists_the_proposed_bands_for_target_rates(tmp_path):
    import math

    from feemodel.model import uplift
    from tests.test_uplift_rules import case_for, res
    # target_rates: the card lists the proposed bands at their full proposed rate (before any phasing):
    # Res A £750.00 in the first year, with no index % and no change % (a move to a rate card, not a %)
    case = case_for(tmp_path, [700], dict(method="target_rates"), current=[res("Residential", 700.0)],
                    proposed=[res("Res A", 750.0)], mapping={"Residential": "Res A"})
    first = uplift.rate_card_by_year(case).iloc[0]
    assert (first.financial_year, first.band, first.weekly_rate_gbp, first.cumulative_factor) == (2026, "Res A", 750.00, 1.0)
    assert math.isnan(first.index_pct) and math.isnan(first.rate_change_pct)


def test_proposed_targets_on_build_up_weights_follow_the_proposed_bands_own_index(tmp_path):
    from feemodel.model import uplift
    from tests.test_uplift_rules import NLW, case_for, res
    # target_rates with weights: build_up (no single index, so each proposed band follows its own
    # index): the stated proposed band Res A (£750, staff share 57% by default) moves
    # 0.57 x 5 + 0.43 x 2 = 2.85 + 0.86 = 3.71% a year, the same % on every part, so its target is
    #   year 1 (2027/28): 750 x 1.0371 = £777.825 (unrounded)
    #   year 2 (2028/29): 750 x 1.0371 x 1.0371 = 750 x 1.07557641 = £806.6823075
    # The single-index factor passed in (99) is not used. The current band (Residential) has another
    # name, so reading the current structure's factors instead of the proposed one's would fail.
    ix = dict(weights="build_up", staff_growth_pct={y: 5.0 for y in range(2026, 2031)},
              cpi_pct={y: 2.0 for y in range(2026, 2031)}, future_nlw=NLW)
    case = case_for(tmp_path, [700], dict(method="target_rates"), current=[res("Residential", 700.0)],
                    proposed=[res("Res A", 750.0)], mapping={"Residential": "Res A"}, indexation=ix)
    assert uplift.proposed_targets_gbp(case, 1, 99.0, {"Res A": 75000}) == {"Res A": pytest.approx(777.825)}
    assert uplift.proposed_targets_gbp(case, 2, 99.0, {"Res A": 75000}) == {"Res A": pytest.approx(806.6823075)}


def test_out_of_area_band_change_on_arrays_that_broadcast():
    from feemodel.model.uplift import _out_of_area
    # no stated factor: the placement's own fee (£500.00 = 50,000p) x the band's change, new rate /
    # current rate, where the current rate is above 0 (else x 1), to the penny. Pence:
    #   current 1p -> new 2p: x 2 -> £1,000.00; 1p -> 3p: x 3 -> £1,500.00
    #   current 0p: no change (x 1) -> £500.00, whatever the new rate
    #   current 70,000 -> 77,000: x 1.1 -> £550.00; 70,000 -> 70,000: x 1 -> £500.00
    # The rates broadcast as the costing engine's draws do (draws x placements against placements),
    # either way round; the result has the broadcast shape (2 x 3).
    fee = np.array([50000, 50000, 50000])
    got = _out_of_area(fee, np.array([1, 0, 70000]), np.array([[2, 5, 77000], [3, 5, 70000]]), None)
    assert got.tolist() == [[100000, 50000, 55000], [150000, 50000, 50000]]
    # current (2 x 3) against new (3): 1 -> 2 is x 2, 2 -> 2 is x 1, 0 -> 5 is x 1, 70,000 -> 77,000 x 1.1
    got = _out_of_area(fee, np.array([[1, 0, 70000], [2, 0, 70000]]), np.array([2, 5, 77000]), None)
    assert got.tolist() == [[100000, 50000, 55000], [50000, 50000, 55000]]


# ---------------------------------------------------------------------------------------------
# feemodel/model/engine.py
# ---------------------------------------------------------------------------------------------


def test_engine_keeps_a_recorded_nil_contribution_and_full_payers_cost_the_council_nothing(tmp_path):
    from feemodel.model.engine import CostEngine
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    # three council placements on Residential at £760; 10% on every fee from 1 October 2026, no
    # turnover: 760 -> 836, +£76 a week, for 1 Oct 2026 to 31 Mar 2027 = 182 days = 26 weeks.
    #   A: capital £30,000 (above the £23,250 upper limit) but a recorded contribution of £0: the
    #      record stands, the council pays the whole rise: 76 x 26 = £1,976.00
    #   B: capital £30,000, no recorded contribution: the means test makes B a full payer, who pays
    #      the whole fee before and after, so the council's cost does not move: £0
    #   C: capital £0, income £200 a week: C's contribution is well under the £760 fee, the council
    #      pays the rise: £1,976.00
    # one group (Residential, older, in area): 1,976 + 0 + 1,976 = £3,952.00
    path = tiny_scenario(tmp_path, [dict(capital=30000.0, assessed_contribution=0.0), dict(capital=30000.0), dict()],
                         {"method": "uniform", "uniform_pct": 10, "effective_date": "2026-10-01", "protection": "none"},
                         proposed_structure="legacy", band_mapping={})
    assert CostEngine(load_case(path)).council_cost().tolist() == [3952.00]


def test_engine_on_a_book_with_no_council_placements_costs_nothing(tmp_path):
    from feemodel.model.engine import CostEngine
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    # only a self-funder: no council placement, so no group to cost and the council's change is £0
    path = tiny_scenario(tmp_path, [dict(funding="self", band="", weekly_fee="", provider_price=1000.0)],
                         {"method": "uniform", "uniform_pct": 10, "effective_date": "2026-10-01", "protection": "none"},
                         proposed_structure="legacy", band_mapping={})
    assert CostEngine(load_case(path)).council_cost().tolist() == [0.0]


def test_engine_scales_the_part_year_by_demand_growth_over_the_days_costed(tmp_path):
    import math

    from feemodel.model.engine import CostEngine
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    # one council placement at £760, 10% from 1 October 2026 (+£76 a week for 26 weeks = £1,976.00),
    # with the book growing 10% a year: each day d of the year costed (d = 183 for 1 October, days
    # from 1 April 2026, to 364 for 31 March 2027: 182 days) is scaled by 1.1 ** (d / 365.25), and the
    # part year by the mean of those. A geometric series with q = 1.1 ** (1 / 365.25):
    #   mean = q ** 183 x (q ** 182 - 1) / (q - 1) / 182 = 1.07407781... -> 1,976 x 1.0740778 = £2,122.38
    # and a shrinking book (-10%) scales by less than 1, not more.
    path = tiny_scenario(tmp_path, [dict()],
                         {"method": "uniform", "uniform_pct": 10, "effective_date": "2026-10-01", "protection": "none"},
                         proposed_structure="legacy", band_mapping={})
    engine = CostEngine(load_case(path))
    q = 1.1 ** (1 / 365.25)
    assert q ** 183 * (q ** 182 - 1) / (q - 1) / 182 == pytest.approx(1.0740778, abs=1e-7)
    assert engine.council_cost(demand_growth_pct=10.0).tolist() == [2122.38]
    assert engine.council_cost(demand_growth_pct=[0.0, 10.0]).tolist() == [1976.00, 2122.38]
    assert engine.council_cost(demand_growth_pct=-10.0)[0] < 1976.00
    assert not math.isnan(engine.council_cost(demand_growth_pct=-10.0)[0])


def test_engine_applies_a_stated_out_of_area_pct_when_every_placement_is_out_of_county(tmp_path):
    from feemodel.model.engine import CostEngine
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    # one council placement, out of county (home H3) at £760; the band rises 10% but out-of-area fees
    # follow a stated 5%: 760 x 1.05 = £798.00, +£38 a week for 1 Oct 2026 to 31 Mar 2027 (26 weeks):
    # 38 x 26 = £988.00 (the band's 10% would give 76 x 26 = £1,976.00)
    path = tiny_scenario(tmp_path, [dict(home_id="H3", area="out")],
                         {"method": "uniform", "uniform_pct": 10, "effective_date": "2026-10-01", "protection": "none",
                          "out_of_area": {"method": "pct", "pct": 5.0}},
                         proposed_structure="legacy", band_mapping={})
    assert CostEngine(load_case(path)).council_cost().tolist() == [988.00]


def _target_rates_build_up_case(tmp_path):
    """target_rates onto a proposed card of a built band and a stated band, indexed on build-up weights
    (no single index), supplementary needs on staff growth alone, rates rounded to the pound.

    Current: "Residential" stated £700. Proposed (the mapping moves Residential to "Built"):
      * "Built": as the category of tests/test_uplift_rules.py's built_and_stated_case, but its care
        staff paid £2.29 an hour above the National Living Wage (£12.71 on the rates date, 6 April 2026,
        from the national parameters): care 20 h x £15.00 = £300 with no on-costs, other staff £100,
        supplies £100: cost of care £500, staff share (300 + 100) / 500 = 80%; a quality premium of £20
        and 2 supplementary hours x £10 = £20: rate 500 + 20 + 20 = £540;
      * "Residential" (the current band's name again): stated £750, staff share 57% (staff_share_pct),
        1 supplementary hour x £12.50: rate 750 + 12.50 = £762.50.
    Index: 2027 staff growth is the NLW's change, 2026's £12.71 (the national parameters) to 2027's
    £12.71 (future_nlw) = 0%; 2028 on, staff growth is stated at 5%; CPI 2% every year."""
    from tests.test_uplift_rules import EXAMPLE_COST, case_for, res
    cat = dict(label="Built", setting="residential", occupancy_pct=90, care_hours_prpw=20, care_pay={"nlw_premium": 2.29},
               on_costs={"holiday": 0, "employer_ni": 0, "pension": 0}, other_staff_prpw={"admin": 100.0},
               supplies_prpw={"food": 100.0})
    proposed = [dict(name="Built", setting="residential", client_group="older", category="built", quality_premium=20.0,
                     supplementary_hours=2, supplementary_hourly_rate=10.0),
                res("Residential", 750.0, supplementary_hours=1, supplementary_hourly_rate=12.5)]
    ix = dict(weights="build_up", components={"supplementary_needs": "staff"},
              future_nlw={2027: 12.71, 2028: 13.55, 2029: 13.95, 2030: 14.35},
              staff_growth_pct={y: 5.0 for y in range(2028, 2031)}, cpi_pct={y: 2.0 for y in range(2026, 2031)})
    return case_for(tmp_path, [700], dict(method="target_rates", rounding="pound"), current=[res("Residential", 700.0)],
                    proposed=proposed, mapping={"Residential": "Built"}, indexation=ix,
                    cost_of_care=dict(EXAMPLE_COST, categories={**EXAMPLE_COST["categories"], "built": cat}))


def test_rate_card_by_year_for_target_rates_on_band_indices_rounded_to_the_pound(tmp_path):
    import math

    from feemodel.model import uplift
    case = _target_rates_build_up_case(tmp_path)
    assert case.proposed_rates == {"Built": 54_000, "Residential": 76_250}
    # A % variant of the same case costed first (the overrides band_rates_costed allows) must not change
    # the case's own card. Uniform 0% on the current Residential £700 (staff share 57%), in 2027:
    # core 0.57 x 0 + 0.43 x 2 = 0.86% -> 700 x 1.0086 = 706.02 -> £706 (pound rounding)
    assert uplift.band_rates_costed(case, 1, 1.0, overrides={"method": "uniform", "uniform_pct": 0.0}) == {"Residential": 70_600}
    # Each proposed band's part moves by its own index (products rounded to 8 dp):
    #   Built core and quality premium: 2027 0.8 x 0 + 0.2 x 2 = 0.4%; 2028 0.8 x 5 + 0.2 x 2 = 4.4%
    #     -> factors 1.004, 1.004 x 1.044 = 1.048176; supplementary (staff): 0%, 5% -> 1.0, 1.05
    #   Residential core: 2027 0.43 x 2 = 0.86%; 2028 0.57 x 5 + 0.43 x 2 = 3.71%
    #     -> 1.0086, 1.0086 x 1.0371 = 1.04601906; supplementary 1.0, 1.05
    # Rate (pence) = core part x core factor + premium x its factor + supplementary x its factor, then
    # rounded once to the pound (halves up):
    #   2026: Built £540.00 -> £540; Residential £762.50 -> £763
    #   2027: Built 50,000 x 1.004 + 2,000 x 1.004 + 2,000 = 50,200 + 2,008 + 2,000 = 54,208p -> £542
    #         Residential 75,000 x 1.0086 + 1,250 = 75,645 + 1,250 = 76,895p -> £769
    #   2028: Built 50,000 x 1.048176 + 2,000 x 1.048176 + 2,000 x 1.05 = 52,408.8 + 2,096.352 + 2,100
    #         = 56,605.152p -> £566; Residential 75,000 x 1.04601906 + 1,250 x 1.05 = 78,451.4295 + 1,312.5
    #         = 79,763.9295p -> £798
    # Change from the year before (none in the first year: a move to a rate card, not a %; not from the
    # current Residential, though the name is the same), % to 2 dp half up:
    #   2027 Built 2 / 540 = 0.370% -> 0.37; Residential 6 / 763 = 0.786% -> 0.79
    #   2028 Built 24 / 542 = 4.428% -> 4.43; Residential 29 / 769 = 3.771% -> 3.77
    # Supplementary needs (£, to the penny): Built 20.00, 20.00, 20 x 1.05 = 21.00;
    #   Residential 12.50, 12.50, 12.50 x 1.05 = 13.125 -> 13.13
    card = uplift.rate_card_by_year(case)
    card = card[card.financial_year <= 2028]
    assert list(zip(card.financial_year, card.band, strict=True)) == [(y, b) for y in (2026, 2027, 2028) for b in ("Built", "Residential")]
    assert card.weekly_rate_gbp.tolist() == [540.0, 763.0, 542.0, 769.0, 566.0, 798.0]
    assert all(math.isnan(v) for v in card.index_pct[:2]) and all(math.isnan(v) for v in card.rate_change_pct[:2])
    assert card.index_pct.tolist()[2:] == pytest.approx([0.4, 0.86, 4.4, 3.71])
    assert card.rate_change_pct.tolist()[2:] == [0.37, 0.79, 4.43, 3.77]
    assert card.cumulative_factor.tolist() == [1.0, 1.0, 1.004, 1.0086, 1.048176, 1.04601906]
    assert card.supplementary_needs_gbp_pw.tolist() == [20.0, 12.5, 20.0, 12.5, 21.0, 13.13]


def test_rate_card_supplementary_needs_follow_the_first_years_pct(tmp_path):
    from feemodel.model import uplift
    from tests.test_uplift_rules import case_for, res
    # 10% on every fee; the current band Residential is £700 plus 2 supplementary hours x £10 = £20, so its
    # rate is £720: the first year's card has 720 x 1.10 = £792.00, and its supplementary needs allowance
    # moves by the same 10%: 20 x 1.10 = £22.00
    case = case_for(tmp_path, [700], dict(method="uniform", uniform_pct=10),
                    current=[res("Residential", 700.0, supplementary_hours=2, supplementary_hourly_rate=10.0)])
    first = uplift.rate_card_by_year(case).iloc[0]
    assert (first.band, first.weekly_rate_gbp, first.supplementary_needs_gbp_pw) == ("Residential", 792.0, 22.0)


def test_engine_reads_the_means_test_in_force_in_the_first_year(tmp_path):
    from feemodel.model.engine import CostEngine
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    # one council placement on Residential at £760, 10% on every fee from 1 October 2026 (760 -> 836), no
    # turnover. The resident's income is £800 a week and no capital: on 1 October 2026 the Personal
    # Expenses Allowance is £31.80, so the contribution is 800 - 31.80 = £768.20, above the old fee (the
    # resident pays all £760, the council nothing) and below the new one: the council pays 836 - 768.20
    # = £67.80 a week more, for 1 Oct 2026 to 31 Mar 2027 = 182 days = 26 weeks: 67.80 x 26 = £1,762.80.
    # (The 2027/28 allowance, £32.75 from the example's projections, would give 68.75 x 26 = £1,787.50.)
    path = tiny_scenario(tmp_path, [dict(weekly_income=800.0)],
                         {"method": "uniform", "uniform_pct": 10, "effective_date": "2026-10-01", "protection": "none"},
                         proposed_structure="legacy", band_mapping={})
    assert CostEngine(load_case(path)).council_cost().tolist() == [1762.80]


def test_engine_scales_replacements_weeks_by_demand_growth_too(tmp_path):
    from feemodel.model.engine import CostEngine
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    # one council placement paid its band rate (Residential £760), 10% from 1 October 2026: +£76 a week.
    # 20% of residents leave a year and each leaver is replaced by an admission at the band rate, which
    # also rises £76: original residents' weeks + replacements' weeks = the 182 days = 26 weeks, whatever
    # the exit rate, so the part year is 76 x 26 = £1,976.00. With the book growing 10% a year both kinds
    # of week scale by the same mean growth, 1.0740778 (test_engine_scales_the_part_year_by_demand_growth_
    # over_the_days_costed): 1,976 x 1.0740778 = 2,122.378 -> £2,122.38.
    path = tiny_scenario(tmp_path, [dict()],
                         {"method": "uniform", "uniform_pct": 10, "effective_date": "2026-10-01", "protection": "none",
                          "turnover": {"annual_exit_rate_pct": 20, "replace_leavers": True}},
                         proposed_structure="legacy", band_mapping={})
    assert CostEngine(load_case(path)).council_cost(demand_growth_pct=[0.0, 10.0]).tolist() == [1976.00, 2122.38]


def test_engine_costs_each_draw_of_a_uniform_pct_in_batches(tmp_path):
    from feemodel.model.engine import CostEngine
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    # one council placement at £760 (the resident pays £168.20, under any fee here), from 1 October 2026
    # (26 weeks). The scenario says 10%, but each draw states its own %: 0% -> £0; 5% -> 760 x 1.05 =
    # 798, +38 x 26 = £988.00; 10% -> 836, +76 x 26 = £1,976.00. Costed one draw at a time (chunk 1),
    # every draw is still costed.
    path = tiny_scenario(tmp_path, [dict()],
                         {"method": "uniform", "uniform_pct": 10, "effective_date": "2026-10-01", "protection": "none"},
                         proposed_structure="legacy", band_mapping={})
    engine = CostEngine(load_case(path))
    assert engine.council_cost(uniform_pct=[0.0, 5.0, 10.0], chunk=1).tolist() == [0.0, 988.00, 1976.00]
    assert engine.council_cost(uniform_pct=[5.0, 10.0]).tolist() == [988.00, 1976.00]


def test_engine_split_band_with_pound_rounding_and_an_out_of_county_placement(tmp_path):
    from feemodel.model import uplift
    from feemodel.model.engine import CostEngine
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    # Current band Residential £760 splits half to A, half to B (so the engine costs each placement over
    # both bands); target_rates reached in one year, rates rounded to the pound, from 1 October 2026
    # (26 weeks, no turnover); out-of-county fees follow a stated 5%. Two council placements at £760:
    #   P1 in county: 0.5 x A + 0.5 x B;  P2 out of county (H3): 760 x 1.05 = £798.00, +£38 -> 38 x 26 = £988.00
    # Draw 1 (the scenario's card): A £800, B £900: P1 0.5 x 800 + 0.5 x 900 = £850, +£90 -> 90 x 26 = £2,340.00;
    #   total 2,340 + 988 = £3,328.00
    # Draw 2: A £800.60 -> £801, B £900.60 -> £901 (pound rounding): P1 £851, +£91 -> £2,366.00; total £3,354.00
    #   (to the penny it would be 850.60, +90.60 -> £2,355.60; P2 moved by the band's change instead of 5%
    #   would be 760 x 851 / 760 = £851, not £798)
    structures = {"now": [dict(name="Residential", setting="residential", client_group="older", weekly_rate=760.0)],
                  "new": [dict(name="A", setting="residential", client_group="older", weekly_rate=800.0),
                          dict(name="B", setting="residential", client_group="older", weekly_rate=900.0)]}
    path = tiny_scenario(tmp_path, [dict(), dict(home_id="H3", area="out")],
                         {"method": "target_rates", "rounding": "pound", "phasing_years": 1, "effective_date": "2026-10-01",
                          "protection": "keep_fee", "out_of_area": {"method": "pct", "pct": 5.0}},
                         band_structures=structures, current_structure="now", proposed_structure="new",
                         band_mapping={"Residential": {"A": 50, "B": 50}})
    case = load_case(path)
    engine = CostEngine(load_case(path))
    assert engine.council_cost([[80_000, 90_000], [80_060, 90_060]]).tolist() == [3328.00, 3354.00]
    # the cost table, for the scenario's own card (draw 1), gives the same part year
    cost = uplift.uplift_cost(case)
    part = cost[(cost.financial_year == "2026/27") & (cost.period == "part_year")]
    assert part.council_net_change_gbp.sum() == pytest.approx(3328.00, abs=1e-9)


def _two_pct_a_year() -> dict:
    """Indexation of one index a year: 0.57 x 2% staff growth + 0.43 x 2% CPI = 2%, so 2027/28's factor is 1.02."""
    from tests.test_uplift_rules import NLW
    return dict(staff_growth_pct={y: 2.0 for y in range(2026, 2031)}, cpi_pct={y: 2.0 for y in range(2026, 2031)},
                future_nlw=NLW)


@pytest.mark.parametrize("rounding, phasing, proposed, costed", [
    # penny, phased over 3 years: the target is rounded to the penny before phasing (as always):
    # 750.15 x 1.02 = 765.153 -> £765.15; year 2 is 2/3 of the way from £700: 700 + 65.15 x 2/3 =
    # 743.4333 -> £743.43 (phasing the unrounded 765.153 would give 743.4353 -> £743.44)
    ("penny", 3, 750.15, 74_343),
    # pound, reached in one year: the target is not rounded before the one rounding to the pound:
    # 752.45 x 1.02 = 767.499 -> £767 (rounded to the penny first, £767.50, it would be £768)
    ("pound", 1, 752.45, 76_700),
])
def test_target_rates_later_year_target_is_rounded_once_by_the_rule(tmp_path, rounding, phasing, proposed, costed):
    from feemodel.model import uplift
    from tests.test_uplift_rules import case_for, res
    # one index a year of 0.57 x 2 + 0.43 x 2 = 2%, so the second year's (2027/28) factor is 1.02; the
    # current Residential £700 moves to the proposed rate indexed for 2027/28
    case = case_for(tmp_path, [700], dict(method="target_rates", rounding=rounding, phasing_years=phasing),
                    proposed=[res("Residential", proposed)], indexation=_two_pct_a_year())
    factor = float(case.index.cumulative_factor[1])
    assert factor == 1.02
    assert uplift.band_rates_costed(case, 1, factor) == {"Residential": costed}


def test_pct_uplift_moves_an_out_of_county_fee_by_its_bands_change(tmp_path):
    from feemodel.model import uplift
    from feemodel.model.engine import CostEngine
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    # 10% on every fee from 1 October 2026 (26 weeks, no turnover); out-of-county fees follow the band's
    # change (band_change), here the same 10%. One council placement in county and one out of county
    # (H3), both £760: each 760 x 1.10 = £836, +£76 a week -> 76 x 26 = £1,976.00 each, £3,952.00 in all
    path = tiny_scenario(tmp_path, [dict(), dict(home_id="H3", area="out")],
                         {"method": "uniform", "uniform_pct": 10, "effective_date": "2026-10-01", "protection": "none",
                          "out_of_area": {"method": "band_change"}},
                         proposed_structure="legacy", band_mapping={})
    case = load_case(path)
    cost = uplift.uplift_cost(case, years=1)
    part = cost[cost.period == "part_year"].set_index("area")
    assert part.council_net_change_gbp.to_dict() == {"in": 1976.00, "out": 1976.00}
    assert uplift.first_year(case).fee_new.tolist() == [83_600, 83_600]
    assert CostEngine(case).council_cost().tolist() == [3952.00]


def test_exposure_weeks_and_group_cost_by_hand():
    from types import SimpleNamespace

    from feemodel.model.uplift import exposure_weeks, group_cost

    def scenario(exit_pct, replace):
        turnover = SimpleNamespace(annual_exit_rate_pct=exit_pct, replace_leavers=replace)
        return SimpleNamespace(financial_year=2026, year_start=dt.date(2026, 4, 1), uplift=SimpleNamespace(turnover=turnover))

    # nobody leaves: a place's weeks are the days costed / 7
    #   2026/27 in full: 1 April 2026 to 31 March 2027 = 365 days = 52.142857 weeks
    #   from 1 October 2026: 182 days (31 + 30 + 31 + 31 + 28 + 31) = 26 weeks
    #   2027/28 in full: 366 days (29 February 2028) = 52.285714 weeks; a date before the year starts
    #   changes nothing
    s = scenario(0, True)
    assert exposure_weeks(s, 0) == (pytest.approx(365 / 7, abs=1e-12), 0.0)
    assert exposure_weeks(s, 0, dt.date(2026, 10, 1)) == (pytest.approx(26.0, abs=1e-12), 0.0)
    assert exposure_weeks(s, 1) == (pytest.approx(366 / 7, abs=1e-12), 0.0)
    assert exposure_weeks(s, 1, dt.date(2026, 10, 1)) == (pytest.approx(366 / 7, abs=1e-12), 0.0)
    # 20% leave a year: day d after 1 April 2026 a place's first resident is still there with
    # probability 0.8 ** (d / 365.25) = q ** d. From 1 October 2026 (d = 183) to 31 March 2027 (d = 364),
    # 182 days, a geometric series: S = q ** 183 x (1 - q ** 182) / (1 - q); the first residents' weeks
    # are S / 7, and with every leaver replaced the replacements fill the rest, (182 - S) / 7.
    q = 0.8 ** (1 / 365.25)
    S = q ** 183 * (1 - q ** 182) / (1 - q)
    # about 26 x 0.8 ** 0.75 (the mid-point, three quarters of a year in) = 26 x 0.846 = 22.0 of the 26 weeks
    assert 21.9 < S / 7 < 22.1
    ws, wr = exposure_weeks(scenario(20, True), 0, dt.date(2026, 10, 1))
    assert (ws, wr) == (pytest.approx(S / 7, rel=1e-12), pytest.approx((182 - S) / 7, rel=1e-12))
    # leavers not replaced: no replacement weeks at all
    assert exposure_weeks(scenario(20, False), 0, dt.date(2026, 10, 1)) == (pytest.approx(S / 7, rel=1e-12), 0.0)
    # 2027/28 in full: d = 365 to 730, 366 days
    S1 = q ** 365 * (1 - q ** 366) / (1 - q)
    assert exposure_weeks(scenario(20, True), 1) == (pytest.approx(S1 / 7, rel=1e-12), pytest.approx((366 - S1) / 7, rel=1e-12))
    # a group's cost: weekly changes x weeks, original residents' and replacements' added:
    # 2 weeks x 10p + 3 weeks x 5p = 35p
    assert group_cost(10, 5, 2.0, 3.0) == 35.0


def test_index_method_first_year_reads_the_nlw_rise_into_the_scenarios_year(tmp_path):
    from feemodel.model import uplift
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    from tests.test_uplift_rules import EXAMPLE_COST, NLW, case_for, res
    # The first year's index (method: index) for 2026/27: staff growth is the NLW's rise from 2025's £12.21
    # to 2026's £12.71 (both the national parameters): 12.71 / 12.21 - 1 = 4.0950041%.
    # One index (the example's weights: 57% staff, CPI 2026 3.0%): 0.57 x 4.0950041 + 0.43 x 3.0
    # = 2.3341523 + 1.29 = 3.6241523% -> Residential £760 x 1.036241523 = 787.5436 -> £787.54, and the
    # placement paid £760 gets the same
    path = tiny_scenario(tmp_path / "one", [dict()], {"method": "index", "effective_date": "2026-10-01", "protection": "none"},
                         proposed_structure="legacy", band_mapping={})
    case = load_case(path)
    assert uplift.band_rates_costed(case)["Residential"] == 78_754
    assert uplift.first_year(case).fee_new.tolist() == [78_754]
    # Build-up weights, CPI 2% (each band its own index): the built band (care staff paid £2.29 over the NLW,
    # 20 h x £15.00 = £300, other staff £100, supplies £100: £500, staff share 80%):
    # 0.8 x 4.0950041 + 0.2 x 2 = 3.6760033% -> 500 x 1.036760033 = 518.3800 -> £518.38; the stated
    # Residential £700 (57%): 0.57 x 4.0950041 + 0.43 x 2 = 3.1941523% -> 700 x 1.031941523 = 722.3591 -> £722.36
    cat = dict(label="Built", setting="residential", occupancy_pct=90, care_hours_prpw=20, care_pay={"nlw_premium": 2.29},
               on_costs={"holiday": 0, "employer_ni": 0, "pension": 0}, other_staff_prpw={"admin": 100.0},
               supplies_prpw={"food": 100.0})
    bands = [dict(name="Built", setting="residential", client_group="older", category="built"), res("Residential", 700.0)]
    ix = dict(weights="build_up", cpi_pct={y: 2.0 for y in range(2026, 2031)}, future_nlw=NLW)
    case = case_for(tmp_path / "two", [700], dict(method="index"), current=bands, proposed=bands, indexation=ix,
                    cost_of_care=dict(EXAMPLE_COST, categories={**EXAMPLE_COST["categories"], "built": cat}))
    assert uplift.band_rates_costed(case) == {"Built": 51_838, "Residential": 72_236}


def test_uplift_cost_follows_the_rates_and_settings_it_is_given_and_the_years_asked_for(tmp_path):
    from feemodel.model import uplift
    from tests.test_uplift_rules import WEEKS, case_for
    # target_rates, one placement paid £700 on Residential (current £700, proposed £750), from 6 April
    # 2026 (the example's date; a full year is 365 / 7 weeks), no turnover. First year, full year:
    #   as stated: 700 -> 750, +£50 a week -> 50 x 365 / 7 = 2,607.142857 -> £2,607.14
    #   proposed rate given as £800: +£100 -> 5,214.2857 -> £5,214.29
    #   phasing over 2 years given: half way, 700 + 50 / 2 = 725, +£25 -> 1,303.5714 -> £1,303.57
    #   both: 700 + 100 / 2 = 750, +£50 -> £2,607.14
    case = case_for(tmp_path, [700], dict(method="target_rates"))
    assert WEEKS == 365 / 7

    def full_year(**kw):
        cost = uplift.uplift_cost(case, years=1, **kw)
        assert set(cost.financial_year) == {"2026/27"}          # one year asked for, one year costed
        return cost[cost.period == "full_year"].council_net_change_gbp.sum()

    assert full_year() == pytest.approx(2607.14, abs=1e-9)
    assert full_year(proposed_rates={"Residential": 80_000}) == pytest.approx(5214.29, abs=1e-9)
    assert full_year(overrides={"phasing_years": 2}) == pytest.approx(1303.57, abs=1e-9)
    assert full_year(proposed_rates={"Residential": 80_000}, overrides={"phasing_years": 2}) == pytest.approx(2607.14, abs=1e-9)


def test_uplift_cost_a_residents_own_topup_that_vanishes(tmp_path):
    import pandas as pd

    from feemodel.model import uplift
    from feemodel.publish.tables import load_case
    from tests.conftest import PLACEMENT_DEFAULTS, tiny_scenario
    # one council placement on Residential at £760, the home's price £800: the resident pays the £40
    # top-up from their own money (a first-party top-up). 10% from 1 October 2026 (26 weeks): the fee
    # becomes £836, above the price (no pass-through), so the top-up vanishes: max(0, 800 - 836) = 0,
    # -£40 a week -> -40 x 26 = -£1,040.00. The council pays the £76 rise: 76 x 26 = £1,976.00 (the
    # resident's £168.20 contribution is under both fees). Gross: 1,976 - 1,040 = £936.00.
    path = tiny_scenario(tmp_path, [dict()],
                         {"method": "uniform", "uniform_pct": 10, "effective_date": "2026-10-01", "protection": "none"},
                         proposed_structure="legacy", band_mapping={})
    book = dict(PLACEMENT_DEFAULTS, placement_id="T001", provider_price=800.0, first_party_topup=40.0)
    pd.DataFrame([book]).to_csv(path.parent / "data" / "placements.csv", index=False)
    cost = uplift.uplift_cost(load_case(path), years=1)
    part = cost[cost.period == "part_year"].iloc[0]
    assert (part.first_party_topup_change_gbp, part.topup_change_gbp) == (-1040.00, 0.0)
    assert (part.council_net_change_gbp, part.gross_change_gbp) == (1976.00, 936.00)


def test_uplift_cost_rows_first_year_part_and_full_later_years_full_groups_in_name_order(tmp_path):
    from feemodel.model import uplift
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    # the book lists a "Residential high needs" placement before a "Residential" one; the cost table has, for
    # the first year, a part-year and a full-year row per group, and for a later year a full-year row only,
    # groups in name order ("Residential" sorts before "Residential high needs")
    path = tiny_scenario(tmp_path, [dict(band="Residential high needs"), dict()],
                         {"method": "uniform", "uniform_pct": 10, "effective_date": "2026-10-01", "protection": "none"},
                         proposed_structure="legacy", band_mapping={})
    cost = uplift.uplift_cost(load_case(path), years=2)
    assert list(zip(cost.financial_year, cost.period, cost.band, strict=True)) == [
        ("2026/27", "part_year", "Residential"), ("2026/27", "part_year", "Residential high needs"),
        ("2026/27", "full_year", "Residential"), ("2026/27", "full_year", "Residential high needs"),
        ("2027/28", "full_year", "Residential"), ("2027/28", "full_year", "Residential high needs")]
    # the published layout: the year and period first, then the group, the counts, then each payer's change
    assert list(cost.columns) == ["financial_year", "period", "band", "client_group", "area", "placements",
                                  "placements_affected", "protected", "gross_change_gbp", "council_net_change_gbp",
                                  "resident_contribution_change_gbp", "topup_change_gbp", "first_party_topup_change_gbp",
                                  "fnc_change_gbp"]
    # one placement in each group, each fee moved by the 10%, none protected
    assert (cost.placements.tolist(), cost.placements_affected.tolist(), cost.protected.tolist()) == ([1] * 6, [1] * 6, [0] * 6)
    # counts are whole numbers (written 1, not 1.0), and the rows are numbered 0 to 5
    assert all(pd.api.types.is_integer_dtype(cost[c]) for c in ("placements", "placements_affected", "protected"))
    assert list(cost.index) == list(range(6))


def test_year_fees_out_of_area_settings_given_and_not_needed(tmp_path):
    from feemodel.inputs.scenario import OutOfArea
    from feemodel.model import uplift
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    from tests.test_uplift_rules import NLW
    # 10% on every fee from 1 October 2026 (26 weeks), no turnover. An out-of-county placement (H3) at £760
    # follows its band's change (band_change) as stated: 760 x 1.10 = 836, +76 x 26 = £1,976.00; costed with
    # a stated 5% given instead: 760 x 1.05 = 798, +38 x 26 = £988.00
    path = tiny_scenario(tmp_path / "out", [dict(home_id="H3", area="out")],
                         {"method": "uniform", "uniform_pct": 10, "effective_date": "2026-10-01", "protection": "none",
                          "out_of_area": {"method": "band_change"}},
                         proposed_structure="legacy", band_mapping={})
    case = load_case(path)

    def part_year(**kw):
        cost = uplift.uplift_cost(case, years=1, **kw)
        return cost[cost.period == "part_year"].council_net_change_gbp.sum()

    assert part_year() == pytest.approx(1976.00, abs=1e-9)
    assert part_year(overrides={"out_of_area": OutOfArea(method="pct", pct=5.0)}) == pytest.approx(988.00, abs=1e-9)
    # Only in-county placements: the out-of-area index for 2026/27 is not needed, so a scenario without
    # 2026's CPI (out_of_area: index, the default) still costs its 10%: £1,976.00
    ix = dict(staff_share_pct=57, cpi_pct={y: 2.0 for y in range(2027, 2031)}, future_nlw=NLW)
    path = tiny_scenario(tmp_path / "in", [dict()],
                         {"method": "uniform", "uniform_pct": 10, "effective_date": "2026-10-01", "protection": "none"},
                         proposed_structure="legacy", band_mapping={}, indexation=ix)
    cost = uplift.uplift_cost(load_case(path), years=1)
    assert cost[cost.period == "part_year"].council_net_change_gbp.sum() == pytest.approx(1976.00, abs=1e-9)
    # costed at 20% given instead of the scenario's 10%: 760 x 1.20 = 912, +152 x 26 = £3,952.00
    cost = uplift.uplift_cost(load_case(path), years=1, overrides={"uniform_pct": 20.0})
    assert cost[cost.period == "part_year"].council_net_change_gbp.sum() == pytest.approx(3952.00, abs=1e-9)


def test_year_fees_per_band_pct_on_a_book_with_a_self_funder(tmp_path):
    from feemodel.model import uplift
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    # 10% on the Residential band (per_band); the whole book's first year also holds a self-funder with no
    # band (no council fee, before or after): the council placement's £760 -> 760 x 1.10 = £836.00, the
    # self-funder's council fee stays 0
    path = tiny_scenario(tmp_path, [dict(), dict(funding="self", band="", weekly_fee="", provider_price=1000.0)],
                         {"method": "per_band", "per_band_pct": {"Residential": 10}, "effective_date": "2026-10-01",
                          "protection": "none"},
                         proposed_structure="legacy", band_mapping={})
    yf = uplift.first_year(load_case(path))
    assert (yf.fee_old.tolist(), yf.fee_new.tolist()) == ([76_000, 0], [83_600, 0])


def test_year_fees_later_year_on_band_indices_on_a_book_with_a_self_funder(tmp_path):
    from feemodel.model import uplift
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    from tests.test_uplift_rules import NLW
    # 10% in 2026/27, then each band's own index (supplementary needs on staff growth alone, so no single
    # index): staff growth 2% and CPI 2% give Residential's core 0.57 x 2 + 0.43 x 2 = 2% in 2027/28. The
    # council placement's £760 -> 760 x 1.10 x 1.02 = 852.72 -> £852.72; the self-funder (no band) has no
    # council fee in either year
    ix = dict(components={"supplementary_needs": "staff"}, staff_growth_pct={y: 2.0 for y in range(2026, 2031)},
              cpi_pct={y: 2.0 for y in range(2026, 2031)}, future_nlw=NLW)
    path = tiny_scenario(tmp_path, [dict(), dict(funding="self", band="", weekly_fee="", provider_price=1000.0)],
                         {"method": "uniform", "uniform_pct": 10, "effective_date": "2026-10-01", "protection": "none"},
                         proposed_structure="legacy", band_mapping={}, indexation=ix)
    yf = uplift.year_fees(load_case(path), 1, 1.02)
    assert yf.fee_new.tolist() == [85_272, 0]


def test_year_fees_own_supplementary_hours_phased_over_years_on_band_indices(tmp_path):
    import pandas as pd

    from feemodel.model import uplift
    from feemodel.publish.tables import load_case
    from tests.conftest import PLACEMENT_DEFAULTS, tiny_scenario
    from tests.test_uplift_rules import NLW, res
    # Residential £700 moves to "Res A": stated £750 plus its 2 supplementary hours x £10 = £20 (£770), over
    # 2 years (a share (k + 1) / 2 of the way, at most all of it). The one placement (£700) is paid for 4
    # hours of its own: 4 x 10 - 2 x 10 = £20 more than the band. Indices: staff 5%, CPI 2%, supplementary
    # needs on staff growth alone: Res A's core 0.57 x 5 + 0.43 x 2 = 3.71% a year, its supplement 5%.
    #   2026/27 (k 0): target 770 + 20 = £790.00; half way: 700 + 90 / 2 = £745.00
    #   2027/28 (k 1): 750 x 1.0371 + 20 x 1.05 + 20 x 1.05 = 777.825 + 21 + 21 = 819.825 -> £819.83 (to the
    #     penny, then phased); all the way (2 / 2): £819.83
    #   2028/29 (k 2): 750 x 1.07557641 + (20 + 20) x 1.1025 = 806.68230750 + 44.10 = 850.7823 -> £850.78;
    #     the share stays 1 (3 / 2 is capped): £850.78
    ix = dict(components={"supplementary_needs": "staff"}, staff_growth_pct={y: 5.0 for y in range(2026, 2031)},
              cpi_pct={y: 2.0 for y in range(2026, 2031)}, future_nlw=NLW)
    structures = {"now": [res("Residential", 700.0)], "new": [res("Res A", 750.0, supplementary_hours=2, supplementary_hourly_rate=10.0)]}
    path = tiny_scenario(tmp_path, [dict()], {"method": "target_rates", "phasing_years": 2}, band_structures=structures,
                         current_structure="now", proposed_structure="new", band_mapping={"Residential": "Res A"}, indexation=ix)
    book = dict(PLACEMENT_DEFAULTS, placement_id="T001", weekly_fee=700.0, provider_price=700.0, supplementary_hours=4.0)
    pd.DataFrame([book]).to_csv(path.parent / "data" / "placements.csv", index=False)
    case = load_case(path)
    fees = [uplift.year_fees(case, k, float(case.index.cumulative_factor[k])).fee_new.tolist() for k in (0, 1, 2)]
    assert fees == [[74_500], [81_983], [85_078]]


@pytest.mark.parametrize("rounding, phasing, a_rate, b_rate, fee", [
    # penny, phased over 3 years; year 2 (2027/28, k 1) is 2/3 of the way. One index of 0.57 x 2 + 0.43 x 2 = 2%,
    # so the proposed rates are x 1.02 in 2027/28. Each target is rounded to the penny before phasing:
    #   A: 750.15 x 1.02 = 765.153 -> £765.15; 700 + 65.15 x 2/3 = 743.4333 -> £743.43
    #      (phasing the unrounded 765.153 would give 743.4353 -> £743.44)
    #   B: 760.15 x 1.02 = 775.353 -> £775.35; 700 + 75.35 x 2/3 = 750.2333 -> £750.23 (unrounded: £750.24)
    #   the placement, half on each: 0.5 x 743.43 + 0.5 x 750.23 = £746.83 (each a penny higher: £746.84)
    ("penny", 3, 750.15, 760.15, 74_683),
    # pound, reached in one year; the target is not rounded before the one rounding to the pound:
    #   A: 752.45 x 1.02 = 767.499 -> £767 (rounded to the penny first, £767.50, it would be £768;
    #      left at the penny, £767.50);  B: 800.00 x 1.02 = £816 exactly
    #   the placement: 0.5 x 767 + 0.5 x 816 = £791.50 (£791.75 with A at £767.50, £792.00 with A at £768)
    ("pound", 1, 752.45, 800.00, 79_150),
])
def test_a_split_band_under_target_rates_rounds_each_phased_rate_by_the_scenarios_rule(tmp_path, rounding, phasing,
                                                                                     a_rate, b_rate, fee):
    from feemodel.model import uplift
    from tests.test_uplift_rules import case_for, res
    # The current Residential band (£700) splits half to A, half to B, so year_fees costs the placement over
    # both proposed bands (the options path). One council placement in county at £700, below both rates.
    case = case_for(tmp_path, [700], dict(method="target_rates", rounding=rounding, phasing_years=phasing),
                    proposed=[res("A", a_rate), res("B", b_rate)], mapping={"Residential": {"A": 50, "B": 50}},
                    indexation=_two_pct_a_year())
    factor = float(case.index.cumulative_factor[1])
    assert factor == 1.02
    yf = uplift.year_fees(case, 1, factor)
    assert yf.fee_new.tolist() == [fee]
    assert yf.band_new.tolist() == [fee]   # the band rate the placement moves to, half of each
    # the rate the split current band is costed at (new admissions, the rate card) is the same sum
    assert uplift.band_rates_costed(case, 1, factor) == {"Residential": fee}


def test_no_protection_means_no_placement_is_counted_protected(tmp_path):
    from feemodel.model import uplift
    from tests.test_uplift_rules import case_for
    # target_rates to Residential £750 in one year. Fees £700 (below: moves up to £750) and £800 (above the new
    # rate). With protection "none" the £800 fee is cut to £750 and no placement is protected; with "keep_fee"
    # it keeps £800 and is the one placement protected.
    for protection, fees, protected in [("none", [75_000, 75_000], [False, False]),
                                        ("keep_fee", [75_000, 80_000], [False, True])]:
        case = case_for(tmp_path / protection, [700, 800], dict(method="target_rates", protection=protection, phasing_years=1))
        yf = uplift.year_fees(case, 0, 1.0)
        assert yf.fee_new.tolist() == fees
        assert yf.protected.tolist() == protected
        cost = uplift.uplift_cost(case)
        first = cost[(cost.financial_year == "2026/27") & (cost.period == "full_year")]
        assert int(first.protected.sum()) == sum(protected)   # the cost table's count, first year


def test_a_fee_cut_creates_no_topup_where_there_was_none_and_keeps_a_one_penny_topup(tmp_path):
    from feemodel.model import uplift
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    from tests.test_money_paths_funding import CUT_BANDS
    # target_rates cuts Residential £760.00 to £722.00 (-£38.00), protection none, 50% pass-through of rises.
    # A top-up is worked out again only where the placement has one (Annex A: the agreed price is
    # fee + FNC + top-up, and a cut is not passed on, so the price holds):
    #   P1, no top-up: fee £722.00, no top-up (the family pays nothing), the home gets £722.00;
    #   P2, a top-up of £0.01: the price holds at £760.01, so the top-up takes the cut: 760.01 - 722.00 = £38.01.
    path = tiny_scenario(tmp_path, [dict(), dict(third_party_topup=0.01)],
                         {"method": "target_rates", "effective_date": "2026-04-01", "protection": "none",
                          "provider_pass_through_pct": 50}, **CUT_BANDS)
    yf = uplift.first_year(load_case(path))
    assert yf.fee_new.tolist() == [72_200, 72_200]
    assert yf.base["third_party"].tolist() == [0, 1]
    assert yf.new["third_party"].tolist() == [0, 3_801]
    assert yf.new["gross"].tolist() == [72_200, 76_001]


def test_self_funders_in_a_setting_with_no_council_placement_in_county_pay_the_same(tmp_path):
    from feemodel.model import uplift
    from feemodel.publish.tables import load_case
    from tests.conftest import tiny_scenario
    from tests.test_money_paths_funding import LEGACY, UNIFORM_10
    # A uniform 10% on the current bands, all of it passed on to self-funders (the average council rise in their
    # setting, over council placements in county). Residential: two council placements at £760.00 in county,
    # each +£76.00, so the residential self-funder pays £76.00 more. Nursing: no council placement at all, so
    # there is no council rise to pass on and the nursing self-funder's price (£1,400.00) stays.
    book = [dict(), dict(),
            dict(funding="self", band="", weekly_fee="", provider_price=1000.0),
            dict(funding="self", band="", weekly_fee="", home_id="H2", setting="nursing", provider_price=1400.0,
                 fnc_eligible=True)]
    case = load_case(tiny_scenario(tmp_path, book, dict(UNIFORM_10, self_funder_pass_through_pct=100), **LEGACY))
    for _ in range(3):   # costed afresh each time: the nursing average is 0 by the rule, not by whatever memory held
        yf = uplift.year_fees(case, 0, 1.0)
        assert yf.self_price_change.tolist() == [0, 0, 7_600, 0]

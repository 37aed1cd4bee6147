"""Money paths of the fee change worked by hand (issue 19): years 2 and 3 of a phased move to a rate
card (the index, leap-year weeks, the rate stopping at its target, the by-year budget line), the
``per_band`` method, and protection by % at and just above the new rate.

Every expected figure is worked by hand from the rule (the scenario setting and the docstrings of
feemodel.model.uplift), with the working in a comment; none is copied from the code's output.

Common to every test (tests.conftest.tiny_scenario): council placements in home H1 (in county),
income £200 a week and no capital, so the assessed contribution (200 - PEA) is far below every fee
here, the same before and after the change, and the council pays the whole change; no turnover
(annual_exit_rate_pct 0, no replacements), so each placement is there every week of the year; no
pass-through to top-ups or self-funders. The fee change takes effect on 6 April 2026, 360 days
before 1 April 2027 (the part year); a full year is its days / 7 weeks.
"""

import pytest

from feemodel.model import uplift
from feemodel.model.engine import CostEngine
from feemodel.model.sensitivity import headline_cost
from feemodel.publish.tables import REGISTRY, load_case, uplift_cost
from tests.conftest import tiny_scenario

# the loader checks the NLW for every projection year, whatever the index uses
NLW = {2027: 13.15, 2028: 13.55, 2029: 13.95, 2030: 14.35}
PART = 360 / 7            # 6 April 2026 to 31 March 2027
YEAR = 365 / 7            # a financial year without 29 February
LEAP = 366 / 7            # 2027/28: 1 April 2027 to 31 March 2028 holds 29 February 2028


def res(name, rate):
    return dict(name=name, setting="residential", client_group="older", weekly_rate=rate)


def council_change_by_year(cost):
    """{financial year: the cost table's full-year council net change}, summed over its rows."""
    full = cost[cost.period == "full_year"]
    return {y: round(float(g.council_net_change_gbp.sum()), 2) for y, g in full.groupby("financial_year")}


def engine_agrees(case, cost):
    """The vectorised engine's first-year (part-year) council cost equals the cost table's."""
    part = cost[(cost.financial_year == "2026/27") & (cost.period == "part_year")]
    assert headline_cost(CostEngine(case), {})[0] == pytest.approx(part.council_net_change_gbp.sum(), abs=1e-9)


# ---------------------------------------------------------------- years 2 and 3 of a phased change

def test_three_year_phasing_by_hand_with_a_leap_year_and_no_overshoot(tmp_path):
    # Scenario: current structure Residential £700 (stated); proposed Residential £760 (stated);
    # uplift.method target_rates, phasing_years 3, protection keep_fee (compared with the new rate);
    # indexation: staff_share_pct 100 with staff_growth_pct stated, so a later year's index is the
    # stated staff growth alone (CPI has no weight): 2027 4.0%, 2028 2.5%, 2029 2.0%, 2030 2.0%.
    # Book: three Residential placements paid £700, £740 and £800.
    #
    # Rule (uplift.band_rates_costed): in year k the band rate is a share min(1, (k + 1) / 3) of the
    # way from the current rate (£700, not indexed: the baseline is today's fees held flat) to the
    # proposed rate indexed for the later years (£760 x the product of (1 + index) over years 1..k),
    # that target held to the penny and the phased rate rounded once, half up.
    #   k=0 2026/27: factor 1; share 1/3: 700 + (760 - 700) / 3 = 700 + 20 = £720.00
    #   k=1 2027/28: factor 1.04; target 760 x 1.04 = £790.40; share 2/3:
    #                700 + 90.40 x 2/3 = 700 + 60.2667 = 760.2667 -> £760.27
    #   k=2 2028/29: factor 1.04 x 1.025 = 1.066; target 760 x 1.066 = £810.16; share 3/3: £810.16
    #   k=3 2029/30: factor 1.066 x 1.02 = 1.08732; target 760 x 1.08732 = 826.3632 -> £826.36;
    #                the share stops at 1 (4/3 would overshoot: 700 + 126.36 x 4/3 = £868.48)
    #   k=4 2030/31: factor 1.08732 x 1.02 = 1.1090664; 760 x 1.1090664 = 842.890464 -> £842.89
    # Fees (keep_fee protects a fee above the year's new rate; at or below moves to the rate):
    #   k=0 rate 720.00: 700 -> 720 (+20.00); 740 and 800 above: kept (2 protected). Weekly +20.00
    #   k=1 rate 760.27: 700 -> +60.27; 740 -> +20.27; 800 kept (1 protected). Weekly +80.54
    #   k=2 rate 810.16: +110.16 +70.16 +10.16 = +190.48 (none protected)
    #   k=3 rate 826.36: +126.36 +86.36 +26.36 = +239.08
    #   k=4 rate 842.89: +142.89 +102.89 +42.89 = +288.67
    # Annual council change = weekly change x weeks (no turnover), rounded to the penny once:
    #   2026/27 part year 20 x 360/7 = 1,028.571 -> £1,028.57; full year 20 x 365/7 = 1,042.857 -> £1,042.86
    #   2027/28 80.54 x 366/7 = 29,477.64 / 7 = 4,211.091 -> £4,211.09 (365/7 weeks would give £4,199.59)
    #   2028/29 190.48 x 365/7 = 69,525.20 / 7 = 9,932.171 -> £9,932.17
    #   2029/30 239.08 x 365/7 = 87,264.20 / 7 = 12,466.314 -> £12,466.31
    #   2030/31 288.67 x 365/7 = 105,364.55 / 7 = 15,052.079 -> £15,052.08
    ix = dict(staff_share_pct=100, staff_index="nlw", future_nlw=NLW,
              staff_growth_pct={2027: 4.0, 2028: 2.5, 2029: 2.0, 2030: 2.0})
    path = tiny_scenario(tmp_path, [dict(weekly_fee=f, provider_price=f) for f in (700, 740, 800)],
                         dict(method="target_rates", phasing_years=3, protection="keep_fee"),
                         band_structures={"now": [res("Residential", 700.0)], "new": [res("Residential", 760.0)]},
                         current_structure="now", proposed_structure="new", band_mapping={"Residential": "Residential"},
                         indexation=ix)
    case = load_case(path)
    assert case.scenario.demand.projection_years == 5          # 2026/27 to 2030/31

    # the band rate costed each year (pence): phased, then at the indexed target and no further
    factors = [1.0, 1.04, 1.066, 1.08732, 1.1090664]
    assert [float(f) for f in case.index.cumulative_factor] == pytest.approx(factors, abs=1e-12)
    rates = [uplift.band_rates_costed(case, k, factors[k])["Residential"] for k in range(5)]
    assert rates == [720_00, 760_27, 810_16, 826_36, 842_89]

    # each placement's fee and protection, year by year
    fees = {k: uplift.year_fees(case, k, factors[k]) for k in range(5)}
    assert fees[0].fee_new.tolist() == [720_00, 740_00, 800_00]
    assert fees[0].protected.tolist() == [False, True, True]
    assert fees[1].fee_new.tolist() == [760_27, 760_27, 800_00]
    assert fees[1].protected.tolist() == [False, False, True]
    assert fees[2].fee_new.tolist() == [810_16] * 3
    assert fees[3].fee_new.tolist() == [826_36] * 3
    assert fees[4].fee_new.tolist() == [842_89] * 3

    # the proposed rate card by year: the full target, indexed, before phasing
    card = REGISTRY["rate_card_by_year"].build(case).set_index("financial_year")
    assert card.weekly_rate_gbp.tolist() == [760.00, 790.40, 810.16, 826.36, 842.89]
    assert card.loc[2027, "index_pct"] == 4.0 and card.loc[2028, "index_pct"] == 2.5

    # the cost table: financial-year labels, the leap year's weeks and the by-year budget line
    cost = uplift_cost(case)
    assert cost.financial_year.unique().tolist() == ["2026/27", "2027/28", "2028/29", "2029/30", "2030/31"]
    expected = {"2026/27": 1042.86, "2027/28": 4211.09, "2028/29": 9932.17, "2029/30": 12466.31, "2030/31": 15052.08}
    assert council_change_by_year(cost) == expected
    assert round(80.54 * YEAR, 2) == 4199.59 != expected["2027/28"]    # 366/7 weeks, not 365/7
    head = uplift.headline(cost)
    assert head["council_net_change_part_year_gbp"] == 1028.57
    assert head["council_net_change_full_year_gbp"] == 1042.86
    assert head["council_net_change_by_year_gbp"] == expected
    assert head["placements_affected"] == 1 and head["placements_protected"] == 2   # the first year

    # the reconciliation table's council_net_change line, year by year: the same figures
    rec = REGISTRY["reconciliation"].build(case)
    line = rec[rec.step == "council_net_change"].set_index(["financial_year", "period"]).amount_gbp
    assert line["2026/27", "part_year"] == 1028.57
    for year, value in expected.items():
        assert line[year, "full_year"] == value
    # nothing else moves: gross change = council change (no top-ups, contributions fixed, no FNC)
    gross = rec[rec.step == "gross_change"].set_index(["financial_year", "period"]).amount_gbp
    assert gross.equals(line)
    engine_agrees(case, cost)


def test_two_year_phasing_on_a_blended_index_reaches_the_target_and_follows_it(tmp_path):
    # Scenario: current Residential £700, proposed Residential £760 (both stated); target_rates,
    # phasing_years 2; indexation staff_share_pct 50 with staff_growth_pct and cpi_pct stated:
    #   2027: 0.5 x 5.0 + 0.5 x 3.0 = 4.0%;  2028: 0.5 x 3.0 + 0.5 x 1.0 = 2.0%;
    #   2029 and 2030: 0.5 x 2.0 + 0.5 x 2.0 = 2.0%.
    # Band rate (share min(1, (k + 1) / 2) of the way from £700 to £760 x the cumulative factor):
    #   2026/27: 700 + 60 / 2 = £730.00
    #   2027/28 (year 2, the last of the phasing): 760 x 1.04 = £790.40, the whole way
    #   2028/29: 760 x 1.04 x 1.02 = 806.208 -> £806.21 (a share of 3/2 would give 700 + 106.208 x 1.5 = £859.31)
    # One placement paid £700. Weekly change: +30.00, +90.40, +106.21.
    #   2026/27 full year 30 x 365/7 = 1,564.286 -> £1,564.29; part year 30 x 360/7 = 1,542.857 -> £1,542.86
    #   2027/28 90.40 x 366/7 = 33,086.40 / 7 = 4,726.629 -> £4,726.63
    #   2028/29 106.21 x 365/7 = 38,766.65 / 7 = 5,538.093 -> £5,538.09
    ix = dict(staff_share_pct=50, staff_index="nlw", future_nlw=NLW,
              staff_growth_pct={2027: 5.0, 2028: 3.0, 2029: 2.0, 2030: 2.0},
              cpi_pct={2026: 3.0, 2027: 3.0, 2028: 1.0, 2029: 2.0, 2030: 2.0})
    path = tiny_scenario(tmp_path, [dict(weekly_fee=700, provider_price=700)],
                         dict(method="target_rates", phasing_years=2),
                         band_structures={"now": [res("Residential", 700.0)], "new": [res("Residential", 760.0)]},
                         current_structure="now", proposed_structure="new", band_mapping={"Residential": "Residential"},
                         indexation=ix)
    case = load_case(path)
    f = [float(x) for x in case.index.cumulative_factor]
    assert f[:3] == pytest.approx([1.0, 1.04, 1.0608], abs=1e-12)
    assert [uplift.year_fees(case, k, f[k]).fee_new[0] for k in range(3)] == [730_00, 790_40, 806_21]
    head = uplift.headline(uplift_cost(case))
    assert head["council_net_change_part_year_gbp"] == 1542.86
    by_year = head["council_net_change_by_year_gbp"]
    assert (by_year["2026/27"], by_year["2027/28"], by_year["2028/29"]) == (1564.29, 4726.63, 5538.09)


# ---------------------------------------------------------------- the per_band method

def test_per_band_percentages_on_a_small_book(tmp_path):
    # Scenario: the example's current (legacy) structure: Residential £760, Residential dementia £835,
    # Nursing £850 (excluding FNC); uplift.method per_band, per_band_pct {Residential: 4.0,
    # Nursing: 2.5}; Residential dementia is not listed, so its % is 0. Reach every_fee (the default
    # for a %): every fee x (1 + its band's %), rounded to the penny, half up.
    #   T1 Residential 700.00 x 1.04 = 728.00 (+28.00)
    #   T2 Residential 725.50 x 1.04 = 754.52 (+29.02)
    #   T3 Residential 712.38 x 1.04 = 740.8752 -> 740.88 (+28.50)
    #   T4 Nursing 850.00 x 1.025 = 871.25 (+21.25), FNC (£267.68, national) unchanged
    #   T5 Nursing 901.30 x 1.025 = 923.8325 -> 923.83 (+22.53)
    #   T6 Residential dementia 835.00 x 1.00 = 835.00 (no change)
    # Weekly: Residential 28.00 + 29.02 + 28.50 = 85.52; Nursing 21.25 + 22.53 = 43.78; total 129.30.
    # Full year 2026/27 (365/7 weeks): Residential 85.52 x 365/7 = 31,214.80 / 7 = 4,459.257 -> £4,459.26;
    # Nursing 43.78 x 365/7 = 15,979.70 / 7 = 2,282.814 -> £2,282.81; total 129.30 x 365/7
    # = 47,194.50 / 7 = 6,742.071 -> £6,742.07. Part year (360/7): 129.30 x 360/7 = 46,548 / 7
    # = 6,649.714 -> £6,649.71. Five placements' fees change; none is protected.
    # Band rates: Residential 760 x 1.04 = £790.40; Nursing 850 x 1.025 = £871.25; dementia £835.00.
    fnc = 267.68
    book = [dict(weekly_fee=700.00), dict(weekly_fee=725.50), dict(weekly_fee=712.38),
            dict(weekly_fee=850.00, band="Nursing", setting="nursing", home_id="H2", fnc_eligible=True),
            dict(weekly_fee=901.30, band="Nursing", setting="nursing", home_id="H2", fnc_eligible=True),
            dict(weekly_fee=835.00, band="Residential dementia")]
    for p in book:
        p["provider_price"] = p["weekly_fee"] + (fnc if p.get("fnc_eligible") else 0)
    case = load_case(tiny_scenario(tmp_path, book, dict(method="per_band", per_band_pct={"Residential": 4.0, "Nursing": 2.5})))
    assert case.scenario.current_structure == "legacy"
    yf = uplift.first_year(case)
    assert yf.fee_new.tolist() == [728_00, 754_52, 740_88, 871_25, 923_83, 835_00]
    assert not yf.protected.any()
    assert yf.new["nhs_fnc"].tolist() == yf.base["nhs_fnc"].tolist() == [0, 0, 0, 267_68, 267_68, 0]
    costed = uplift.band_rates_costed(case)
    assert (costed["Residential"], costed["Nursing"], costed["Residential dementia"]) == (790_40, 871_25, 835_00)

    cost = uplift_cost(case)
    first = cost[cost.financial_year == "2026/27"]
    full = first[first.period == "full_year"].groupby("band").council_net_change_gbp.sum()
    assert full["Residential"] == 4459.26 and full["Nursing"] == 2282.81 and full["Residential dementia"] == 0
    head = uplift.headline(cost)
    assert head["council_net_change_full_year_gbp"] == 6742.07
    assert head["council_net_change_part_year_gbp"] == 6649.71
    assert head["placements_affected"] == 5 and head["placements_protected"] == 0
    assert first.fnc_change_gbp.abs().sum() == 0 and first.resident_contribution_change_gbp.abs().sum() == 0
    engine_agrees(case, cost)


# ---------------------------------------------------------------- protection at and just above the new rate

def test_protection_by_pct_at_and_just_above_the_new_rate(tmp_path):
    # Scenario: current Residential £700, proposed Residential £750 (stated); target_rates, one year,
    # reach protect_above_new_rate (the default), protection pct with protection_pct 2.
    # Rule (uplift.target_fees): a placement paid ABOVE the new rate is protected and gets its own
    # fee x 1.02 (to the penny, half up); one at or below it moves to the new rate.
    #   T1 700.00: below -> 750.00 (+50.00), not protected
    #   T2 750.00: equals the new rate, not above -> 750.00 (no change), not protected
    #   T3 750.01: just above -> 750.01 x 1.02 = 765.0102 -> 765.01 (+15.00), protected
    #   T4 750.25: above -> 750.25 x 1.02 = 765.255 -> 765.26 (half a penny rounds up) (+15.01), protected
    # Weekly +50.00 + 0 + 15.00 + 15.01 = +80.01.
    # Full year 80.01 x 365/7 = 29,203.65 / 7 = 4,171.950 -> £4,171.95;
    # part year 80.01 x 360/7 = 28,803.60 / 7 = 4,114.800 -> £4,114.80.
    # Three placements' fees change (T1, T3, T4); two are protected (T3, T4).
    fees = [700.00, 750.00, 750.01, 750.25]
    path = tiny_scenario(tmp_path, [dict(weekly_fee=f, provider_price=f) for f in fees],
                         dict(method="target_rates", protection="pct", protection_pct=2),
                         band_structures={"now": [res("Residential", 700.0)], "new": [res("Residential", 750.0)]},
                         current_structure="now", proposed_structure="new", band_mapping={"Residential": "Residential"})
    case = load_case(path)
    yf = uplift.first_year(case)
    assert yf.fee_new.tolist() == [750_00, 750_00, 765_01, 765_26]
    assert yf.protected.tolist() == [False, False, True, True]
    cost = uplift_cost(case)
    head = uplift.headline(cost)
    assert head["council_net_change_full_year_gbp"] == 4171.95
    assert head["council_net_change_part_year_gbp"] == 4114.80
    assert head["placements_affected"] == 3 and head["placements_protected"] == 2
    engine_agrees(case, cost)


def test_uniform_pct_at_or_below_rate_at_and_just_above_the_current_rate(tmp_path):
    # Scenario: current Residential £700 (stated); uplift.method uniform, uniform_pct 5, reach
    # at_or_below_rate: the 5% goes on the band rate, 700 x 1.05 = £735.00; a placement paid at or
    # below the current rate (£700) moves to £735.00, one paid above it keeps its fee (protected).
    #   T1 700.00: equals the current rate -> 735.00 (+35.00), not protected
    #   T2 700.01: just above -> keeps 700.01 (no change), protected
    #   T3 735.00: equals the new rate but is above the current one -> keeps 735.00, protected
    #   T4 690.00: below -> 735.00 (+45.00)
    # Weekly +80.00: full year 80 x 365/7 = 4,171.429 -> £4,171.43; part year 80 x 360/7 = 4,114.286 -> £4,114.29.
    # Under every_fee instead each fee x 1.05: 735.00, 735.0105 -> 735.01, 771.75, 724.50;
    # weekly +35.00 +35.00 +36.75 +34.50 = +141.25; full year 141.25 x 365/7 = 51,556.25 / 7 = 7,365.179 -> £7,365.18.
    fees = [700.00, 700.01, 735.00, 690.00]
    top = dict(band_structures={"now": [res("Residential", 700.0)], "new": [res("Residential", 700.0)]},
               current_structure="now", proposed_structure="new", band_mapping={"Residential": "Residential"})
    book = [dict(weekly_fee=f, provider_price=f) for f in fees]
    case = load_case(tiny_scenario(tmp_path / "a", book, dict(method="uniform", uniform_pct=5, reach="at_or_below_rate"), **top))
    assert uplift.band_rates_costed(case) == {"Residential": 735_00}
    yf = uplift.first_year(case)
    assert yf.fee_new.tolist() == [735_00, 700_01, 735_00, 735_00]
    assert yf.protected.tolist() == [False, True, True, False]
    cost = uplift_cost(case)
    head = uplift.headline(cost)
    assert head["council_net_change_full_year_gbp"] == 4171.43
    assert head["council_net_change_part_year_gbp"] == 4114.29
    assert head["placements_affected"] == 2 and head["placements_protected"] == 2
    engine_agrees(case, cost)

    case = load_case(tiny_scenario(tmp_path / "b", book, dict(method="uniform", uniform_pct=5), **top))
    assert uplift.first_year(case).fee_new.tolist() == [735_00, 735_01, 771_75, 724_50]
    head = uplift.headline(uplift_cost(case))
    assert head["council_net_change_full_year_gbp"] == 7365.18
    assert head["placements_protected"] == 0

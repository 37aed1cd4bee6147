"""The label registry: the words and unit of every published column and code, and every unit's format.

HTML tables, the PDF, the Excel workbook and the explorer all read this one registry; nothing guesses a
format from a column name's suffix. The rules:

* A column's label is looked up by (table, column) in :data:`TABLE_COLUMNS` first (a column that means
  something else in one table), then by column in :data:`COLUMNS`. An unknown column is a ``KeyError``
  naming the table and the column, never a guess: add the column here when a table gains one.
* A heading is the label's words followed by its unit's words in brackets: "Weekly rate (£ a week)";
  plain counts and text have no unit words and so no brackets.
* :data:`CODES` turns a code seen in a table cell (``council``, ``part_year``, ``C(age_band)[T.65-74]``)
  into words. Band names, home ids and other names a scenario defines are not codes and are shown as
  they are (the example's four cost-of-care category keys are listed for convenience).
* Values are shown by their unit's kind (:func:`fmt`): money as '£1,234.56' / '-£1,234.56' (2 decimals
  for weekly amounts, whole pounds for £ a year), percentages as '5.5%' (the value 5.5 means 5.5%),
  counts as whole numbers '1,234' (a count of things that is not whole is an error naming the table and
  column; a projection's expected count, unit ``expected_count``, is rounded to whole), years as '2026'
  with no separator, dates as '6 April 2026'. A national parameter's value is shown in the unit its row
  names (:func:`fmt_parameter`); a sensitivity's low and high in the assumption's unit
  (:func:`change_text`). Rounding is half up (away from zero) on the decimal value, as in
  :mod:`feemodel.money`. A blank, NaN or None shows as ''; a string that is not a number in a numeric
  column (e.g. '<5' from small-number suppression, or '2026/27' in a year column) is shown as it is.

Pure Python, standard library only (pandas is not imported here).
"""

import datetime as dt
import math
import numbers
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

__all__ = ["Unit", "Label", "UNITS", "KINDS", "COLUMNS", "TABLE_COLUMNS", "CODES", "COLUMN_CODES",
           "label", "unit", "heading", "words", "fmt", "missing_labels",
           "PARAMETER_UNITS", "ROW_UNIT_COLUMNS", "SENSITIVITY_CHANGES", "fmt_parameter", "change_text"]

KINDS = ("money", "percent", "count", "number", "text", "year", "date", "flag")


@dataclass(frozen=True)
class Unit:
    """How values in one unit are described and shown.

    ``key``: the name labels refer to, e.g. ``"gbp_pw"``.
    ``words``: shown in a heading after the label, e.g. ``"£ a week"``; ``""`` for plain counts and text.
    ``kind``: one of :data:`KINDS`; decides how :func:`fmt` shows a value.
    ``decimals``: decimals shown (money 2 for weekly amounts, 0 for £ a year totals; percent 1; count 0).
    ``excel_format``: the openpyxl ``number_format`` for the unit's cells, e.g. ``'"£"#,##0.00'``;
    percentages are stored as 5.0 meaning 5%, so their format adds a literal '%' (``'0.0"%"'``).
    """

    key: str
    words: str
    kind: str
    decimals: int
    excel_format: str


@dataclass(frozen=True)
class Label:
    """A column's words (``heading``, no unit) and its unit (``unit``, a key into :data:`UNITS`)."""

    heading: str
    unit: str


def _units(*units: Unit) -> dict[str, Unit]:
    return {u.key: u for u in units}


UNITS: dict[str, Unit] = _units(
    # money (£)
    Unit("gbp_pw", "£ a week", "money", 2, '"£"#,##0.00'),
    Unit("gbp_prpw", "£ per resident per week", "money", 2, '"£"#,##0.00'),
    Unit("gbp_pobw", "£ per occupied bed-week", "money", 2, '"£"#,##0.00'),
    Unit("gbp_pa", "£ a year", "money", 0, '"£"#,##0'),
    Unit("gbp", "£", "money", 2, '"£"#,##0.00'),
    Unit("gbp_ph", "£ an hour", "money", 2, '"£"#,##0.00'),
    # percentages: the value 5.0 means 5%
    Unit("pct", "%", "percent", 1, '0.0"%"'),
    Unit("pct_pa", "% a year", "percent", 2, '0.00"%"'),
    Unit("pct_points", "percentage points", "number", 1, "#,##0.0"),
    # counts and plain numbers
    Unit("count", "", "count", 0, "#,##0"),  # things counted: must be whole (fmt refuses 2933.3)
    Unit("expected_count", "", "count", 0, "#,##0"),  # a projection's expected count: rounded to whole
    Unit("number", "", "number", 2, "#,##0.00"),
    Unit("factor", "", "number", 4, "0.0000"),
    Unit("coefficient", "log scale", "number", 4, "0.0000"),
    Unit("ratio", "", "number", 4, "#,##0.0000"),
    Unit("p_value", "", "number", 4, "0.0000"),
    Unit("hours_prpw", "hours per resident per week", "number", 1, "#,##0.0"),
    Unit("weeks_pa", "weeks a year", "number", 1, "#,##0.0"),
    # time
    Unit("year", "", "year", 0, "0"),
    Unit("financial_year", "", "year", 0, "@"),  # '2026/27' as text, or 2026 (the year it starts in April)
    Unit("date", "", "date", 0, "d mmmm yyyy"),
    # words
    Unit("text", "", "text", 0, "@"),
    Unit("flag", "", "flag", 0, "General"),
)


def _money(heading: str, unit: str = "gbp_pw") -> Label:
    return Label(heading, unit)


# ---------------------------------------------------------------------------------------------------
# Columns. Grouped by the table a column first appears in; a column used by several tables with the
# same meaning is listed once. Where a column means something else in one table it is in TABLE_COLUMNS.
# ---------------------------------------------------------------------------------------------------
COLUMNS: dict[str, Label] = {
    # -- shared by several tables: who and where
    "band": Label("Band", "text"),
    "setting": Label("Setting", "text"),
    "client_group": Label("Client group", "text"),
    "area": Label("Area", "text"),
    "funding": Label("Funded by", "text"),
    "home_id": Label("Home", "text"),
    "home_name": Label("Home name", "text"),
    "placements": Label("Placements", "count"),
    "homes": Label("Homes", "count"),
    "beds": Label("Beds", "count"),
    "financial_year": Label("Financial year", "financial_year"),
    "occupancy_pct": Label("Occupancy", "pct"),
    "weekly_rate_gbp": Label("Weekly rate", "gbp_pw"),  # '_gbp' but a weekly amount (rate_card, current_rates)
    "fnc": Label("NHS-funded nursing care (FNC)", "text"),
    # -- rate_card (proposed bands); current_rates uses band, setting, client_group, fnc, weekly_rate_gbp
    "basis": Label("How the rate is set", "text"),
    "care_staff_gbp_pw": _money("Care staff"),
    "nursing_staff_gbp_pw": _money("Nursing staff"),
    "other_staff_gbp_pw": _money("Other staff"),
    "premises_gbp_pw": _money("Premises"),
    "supplies_services_gbp_pw": _money("Supplies and services"),
    "head_office_gbp_pw": _money("Head office"),
    "return_on_operations_gbp_pw": _money("Return on operations"),
    "return_on_capital_gbp_pw": _money("Return on capital"),
    "cost_of_care_total_gbp_pw": _money("Cost of care, total"),
    "quality_premium_gbp_pw": _money("Quality premium"),
    "supplementary_needs_gbp_pw": _money("Supplementary needs"),
    "uplift_gbp_pw": _money("Uplift on the current rate"),
    "fnc_rate_gbp_pw": _money("NHS-funded nursing care (FNC) rate"),
    "survey_statistic": Label("Provider survey total used", "text"),
    "survey_lower_quartile_gbp_pw": _money("Provider survey total, lower quartile"),
    "survey_median_gbp_pw": _money("Provider survey total, median"),
    "survey_upper_quartile_gbp_pw": _money("Provider survey total, upper quartile"),
    # -- band_mapping
    "current_band": Label("Current band", "text"),
    "proposed_band": Label("Proposed band", "text"),
    "current_rate_gbp_pw": _money("Current weekly rate"),
    "proposed_rate_gbp_pw": _money("Proposed weekly rate"),
    "first_year_rate_gbp_pw": _money("Rate costed in the first year"),
    "change_gbp_pw": _money("Change in weekly rate"),
    "change_pct": Label("Change in weekly rate", "pct"),
    # -- survey_summary (its quartile columns are in TABLE_COLUMNS)
    "category": Label("Cost of care category", "text"),
    "cost_line": Label("Cost line", "text"),
    "convention": Label("What the figures are", "text"),
    # -- survey_outliers
    "amount_prpw": _money("Amount reported", "gbp_prpw"),
    "fence_low": _money("Outlier limit, low", "gbp_prpw"),
    "fence_high": _money("Outlier limit, high", "gbp_prpw"),
    # -- survey_exclusions
    "rows_removed": Label("Survey rows removed", "count"),
    # -- cost_drivers (its term, coefficient interval and homes are in TABLE_COLUMNS)
    "quantile": Label("Quantile of cost modelled (0.50 = median)", "number"),
    "coefficient_gbp_prpw": _money("Effect on cost", "gbp_prpw"),
    "p_value": Label("p-value", "p_value"),
    "converged": Label("Model converged", "flag"),
    # -- uplift_index
    "staff_growth_pct": Label("Staff pay growth", "pct_pa"),
    "cpi_pct": Label("Consumer price inflation (CPI)", "pct_pa"),
    "step_change_pct": Label("Step change", "pct_pa"),
    "index_pct": Label("Uplift index", "pct_pa"),
    "cumulative_factor": Label("Cumulative uplift factor since the first year", "factor"),
    # -- funding (working file, one row per placement) and funding_summary (totals by group)
    "placement_id": Label("Placement", "text"),
    "gross_gbp_pw": _money("Gross fee, all payers"),
    "council_gbp_pw": _money("Council pays"),
    "resident_gbp_pw": _money("Resident pays"),
    "third_party_gbp_pw": _money("Third-party top-up"),
    "nhs_fnc_gbp_pw": _money("NHS pays for nursing care (FNC)"),
    "nhs_chc_gbp_pw": _money("NHS pays for continuing healthcare (CHC)"),
    "council_pays_provider_gbp_pw": _money("Council pays the home"),
    "balances": Label("Shares add up to the gross fee", "flag"),
    "grouping": Label("Grouped by", "text"),
    "gross_gbp_pa": _money("Gross fees, all payers", "gbp_pa"),
    "council_gbp_pa": _money("Council pays", "gbp_pa"),
    "resident_gbp_pa": _money("Residents pay", "gbp_pa"),
    "third_party_gbp_pa": _money("Third-party top-ups", "gbp_pa"),
    "nhs_fnc_gbp_pa": _money("NHS pays for nursing care (FNC)", "gbp_pa"),
    "nhs_chc_gbp_pa": _money("NHS pays for continuing healthcare (CHC)", "gbp_pa"),
    # -- uplift_cost (changes against today's fees held flat, £ a year)
    "period": Label("Period", "text"),
    "placements_affected": Label("Placements whose fee or top-up changes", "count"),
    "protected": Label("Placements kept at their own fee or protected (paid above the rate the rule compares with)", "count"),
    "rounding_gbp_pw": _money("Rounding to the whole pound"),
    "rate_change_pct": Label("Change in the weekly rate from the year before", "pct"),
    "gross_change_gbp": _money("Change in gross fees, all payers", "gbp_pa"),
    "council_net_change_gbp": _money("Cost to the council", "gbp_pa"),
    "resident_contribution_change_gbp": _money("Change in residents' contributions", "gbp_pa"),
    "topup_change_gbp": _money("Change in third-party top-ups", "gbp_pa"),
    "fnc_change_gbp": _money("Change in NHS-funded nursing care (FNC)", "gbp_pa"),
    # -- topups (placements with a third-party top-up, first year)
    "outcome": Label("What happens to the top-up", "text"),
    "average_topup_before_gbp_pw": _money("Average top-up before"),
    "average_topup_after_gbp_pw": _money("Average top-up after"),
    "average_change_gbp_pw": _money("Average change in top-up"),
    # -- provider_income (its group column is in TABLE_COLUMNS) and provider_income_by_home (working file)
    "total_change_gbp_pw": _money("Change in weekly income, group total or per home"),
    "weekly_income_before_gbp": _money("Weekly income before the change"),  # '_gbp' but £ a week
    # -- market
    "occupied_beds": Label("Occupied beds", "count"),
    "council_share_of_occupied_pct": Label("Council-funded share of occupied beds", "pct"),
    "self_share_of_occupied_pct": Label("Self-funder share of occupied beds", "pct"),
    "chc_share_of_occupied_pct": Label("NHS continuing healthcare (CHC) share of occupied beds", "pct"),
    # -- beds_over_time
    "year": Label("Year", "year"),
    "beds_opened": Label("Beds opened", "count"),
    "beds_closed": Label("Beds closed", "count"),
    # -- sustainability (homes whose income is below their cost of care)
    "below_cost_now": Label("Homes below cost now", "count"),
    "below_cost_proposed": Label("Homes below cost, proposed", "count"),
    "median_margin_now_pct": Label("Median margin now", "pct"),
    "median_margin_proposed_pct": Label("Median margin, proposed", "pct"),
    "p10_margin_proposed_pct": Label("Margin, proposed: 10th percentile of homes", "pct"),
    "p90_margin_proposed_pct": Label("Margin, proposed: 90th percentile of homes", "pct"),
    # -- sustainability_by_home (working file)
    "income_now_gbp_pobw": _money("Income now", "gbp_pobw"),
    "income_new_gbp_pobw": _money("Income, proposed", "gbp_pobw"),
    "cost_gbp_pobw": _money("Cost of care at the home's occupancy", "gbp_pobw"),
    "margin_now_pct": Label("Margin now", "pct"),
    "margin_new_pct": Label("Margin, proposed", "pct"),
    # -- self_funder_premium
    "case": Label("Fees", "text"),
    "self_funders": Label("Self-funders", "count"),
    "average_premium_gbp_pw": _money("Average premium over the council's fee"),
    "average_premium_pct": Label("Average premium over the council's fee", "pct"),
    "total_premium_gbp_pa": _money("Total premium paid by self-funders", "gbp_pa"),
    # -- demand (projections are expected values, shown as whole numbers)
    "admissions": Label("Projected admissions", "expected_count"),
    "admissions_pi90_low": Label("Projected admissions, 90% interval, low", "expected_count"),
    "admissions_pi90_high": Label("Projected admissions, 90% interval, high", "expected_count"),
    "placements_pi90_low": Label("Projected council placements, 90% interval, low", "expected_count"),
    "placements_pi90_high": Label("Projected council placements, 90% interval, high", "expected_count"),
    # -- demand exit rates (model.demand.exit_rates): one row per client group
    "exit_rate_pct": Label("Share of council placements ending each year", "pct"),
    "source": Label("Where the figure comes from", "text"),
    "placements_used": Label("Placements whose start dates were used", "count"),
    "mean_years_in_placement": Label("Average years in placement so far", "number"),
    # -- demand_model (its coefficient and interval are in TABLE_COLUMNS)
    "rate_ratio": Label("Rate ratio (how many times the admission rate)", "ratio"),
    # -- budget (£ a year)
    "average_council_cost_gbp_pw": _money("Average cost to the council per placement"),
    "council_cost_gbp": _money("Total cost to the council", "gbp_pa"),
    "council_cost_low_gbp": _money("Total cost to the council, 90% interval, low", "gbp_pa"),
    "council_cost_high_gbp": _money("Total cost to the council, 90% interval, high", "gbp_pa"),
    "growth_from_demand_gbp": _money("Growth from demand (more or fewer placements)", "gbp_pa"),
    "growth_from_fees_gbp": _money("Growth from the fee change (the cost table's figure for the year)", "gbp_pa"),
    "baseline_cost_gbp": _money("Today's cost (placements now at today's fees, with the year's national figures, full year)", "gbp_pa"),
    "growth_from_demand_low_gbp": _money("Growth from demand, 90% interval, low", "gbp_pa"),
    "growth_from_demand_high_gbp": _money("Growth from demand, 90% interval, high", "gbp_pa"),
    # -- residents' own (first-party) top-ups
    "first_party_topup_change_gbp": _money("Change in residents' own top-ups (first party)", "gbp_pa"),
    "first_party_gbp_pw": _money("Residents' own top-ups (first party)"),
    "first_party_gbp_pa": _money("Residents' own top-ups (first party)", "gbp_pa"),
    # -- checks
    "check": Label("Check", "text"),
    "status": Label("Result", "text"),
    "key": Label("Scenario key", "text"),
    "detail": Label("What was found", "text"),
    # -- national_parameters (value is in the unit on its row)
    "parameter": Label("Parameter (file)", "text"),
    "in_force_on": Label("In force on", "date"),
    # -- reconciliation (£ a year)
    "step": Label("Step", "text"),
    "amount_gbp": _money("Amount", "gbp_pa"),
    "change_from_today_gbp": _money("Change from today's cost", "gbp_pa"),
    # -- sensitivity (first-year cost to the council, £ a year; its label, low and high are in TABLE_COLUMNS)
    "assumption": Label("Assumption", "text"),
    "base_cost_gbp": _money("Cost to the council, first year, central assumptions", "gbp_pa"),
    "cost_at_low_gbp": _money("Cost to the council, first year, at the low change", "gbp_pa"),
    "cost_at_high_gbp": _money("Cost to the council, first year, at the high change", "gbp_pa"),
    "swing_gbp": _money("Difference between the low and high costs", "gbp_pa"),
    # -- montecarlo (rows: as stated, P10, P50, P90, mean)
    "statistic": Label("Statistic", "text"),
    # -- explorer: who pays, now and proposed (all placements)
    "payer": Label("Payer", "text"),
    "now_gbp_pw": _money("Now"),
    "proposed_gbp_pw": _money("Proposed"),
}

# (table, column) -> label, for a column that means something else in that table.
TABLE_COLUMNS: dict[tuple[str, str], Label] = {
    # -- rate_card
    ("rate_card", "occupancy_pct"): Label("Occupancy assumed in the cost of care", "pct"),
    # -- band_mapping
    ("band_mapping", "placements"): Label("Council placements moving", "count"),
    # -- survey_summary: provider cost survey statistics, £ per resident per week
    ("survey_summary", "homes"): Label("Homes in the survey", "count"),
    ("survey_summary", "lower_quartile"): _money("Lower quartile", "gbp_prpw"),
    ("survey_summary", "median"): _money("Median", "gbp_prpw"),
    ("survey_summary", "upper_quartile"): _money("Upper quartile", "gbp_prpw"),
    ("survey_summary", "median_ci_low"): _money("Median, 95% confidence interval, low", "gbp_prpw"),
    ("survey_summary", "median_ci_high"): _money("Median, 95% confidence interval, high", "gbp_prpw"),
    ("survey_summary", "reliability"): Label("How far to rely on the figures", "text"),
    ("rate_card", "price_base_factor"): Label("Uprating from the price base", "factor"),
    ("rate_card", "note"): Label("The council's reason for the rate", "text"),
    ("rate_card_by_year", "financial_year"): Label("Financial year starting April", "financial_year"),
    ("rate_card_by_year", "index_pct"): Label("Index applied in the year", "pct_pa"),
    ("band_mapping", "share_pct"): Label("Share of the band's placements moving to the proposed band", "pct"),
    ("sustainability", "cost_category"): Label("Cost of care from", "text"),
    ("sustainability_by_home", "cost_category"): Label("Cost of care from", "text"),
    # -- price_base: uprating from an earlier year's prices
    ("price_base", "applies_to"): Label("Figures uprated", "text"),
    ("price_base", "price_base_year"): Label("Stated at the prices of", "text"),
    ("price_base", "financial_year"): Label("Financial year starting April", "financial_year"),
    ("price_base", "index_pct"): Label("Uprating in the year", "pct_pa"),
    ("price_base", "source"): Label("Where the % comes from", "text"),
    ("price_base", "cumulative_factor"): Label("Cumulative uprating factor", "factor"),
    # -- cost_drivers: quantile regression of a home's total cost, £ per resident per week
    ("cost_drivers", "term"): Label("Cost driver", "text"),
    ("cost_drivers", "ci_low"): _money("Effect on cost, 95% confidence interval, low", "gbp_prpw"),
    ("cost_drivers", "ci_high"): _money("Effect on cost, 95% confidence interval, high", "gbp_prpw"),
    ("cost_drivers", "homes"): Label("Homes in the model", "count"),
    # -- uplift_index: financial_year is the year it starts in (2026 for 2026/27)
    ("uplift_index", "financial_year"): Label("Financial year starting April", "financial_year"),
    # -- funding_summary
    ("funding_summary", "group"): Label("Group", "text"),
    # -- uplift_cost
    ("uplift_cost", "placements"): Label("Council placements", "count"),
    # -- topups
    ("topups", "placements"): Label("Placements with a top-up", "count"),
    # -- provider_income (rows: groups of homes by change, then percentiles of the change per home)
    ("provider_income", "group"): Label("Change in a home's weekly income", "text"),
    # -- provider_income_by_home (working file)
    ("provider_income_by_home", "change_gbp_pw"): _money("Change in weekly income"),
    ("provider_income_by_home", "change_pct"): Label("Change in weekly income", "pct"),
    # -- market
    ("market", "homes"): Label("Open in-county homes", "count"),
    # -- beds_over_time
    ("beds_over_time", "year"): Label("Calendar year", "year"),
    # -- sustainability
    ("sustainability", "homes"): Label("Open in-county homes", "count"),
    # -- demand: financial_year is the year it starts in (2026 for 2026/27)
    ("demand", "financial_year"): Label("Financial year starting April", "financial_year"),
    ("demand", "placements"): Label("Projected council placements", "expected_count"),
    # -- demand_model: Poisson GLM coefficients (log scale)
    ("demand_model", "term"): Label("Model term", "text"),
    ("demand_model", "coefficient"): Label("Coefficient", "coefficient"),
    ("demand_model", "ci_low"): Label("Coefficient, 95% confidence interval, low", "coefficient"),
    ("demand_model", "ci_high"): Label("Coefficient, 95% confidence interval, high", "coefficient"),
    # -- budget
    ("budget", "placements"): Label("Projected council placements", "expected_count"),
    # -- sensitivity: low and high are changes in each assumption's own unit, named in the description
    ("sensitivity", "label"): Label("What changes (and its unit)", "text"),
    ("sensitivity", "low"): Label("Low change tested", "number"),
    ("sensitivity", "high"): Label("High change tested", "number"),
    # -- montecarlo: every row is £ a year
    ("montecarlo", "council_cost_gbp"): _money("Cost to the council, first year", "gbp_pa"),
    # -- national_parameters: the appendix's parameters in force (value in the unit on its row)
    ("national_parameters", "label"): Label("Parameter", "text"),
    ("national_parameters", "value"): Label("Value", "text"),
    ("national_parameters", "unit"): Label("Unit", "text"),
    ("national_parameters", "effective_from"): Label("In force from", "date"),
    ("national_parameters", "status"): Label("Status", "text"),
    ("national_parameters", "reference"): Label("Source", "text"),
    ("national_parameters", "link"): Label("Link", "text"),
    # -- notes sheet of the Excel workbook
    ("notes", "sheet"): Label("Sheet", "text"),
    ("notes", "note"): Label("What the sheet shows", "text"),
    # -- rate_inputs: every input of each built rate (value in the unit on its row)
    ("rate_inputs", "cost_line"): Label("Cost line", "text"),
    ("rate_inputs", "input"): Label("Input", "text"),
    ("rate_inputs", "value"): Label("Value", "number"),
    ("rate_inputs", "unit"): Label("Unit", "text"),
    ("rate_inputs", "source"): Label("Source", "text"),
    ("rate_inputs", "note"): Label("The council's note", "text"),
    ("rate_inputs", "scenario_key"): Label("Where the figure is in the scenario file", "text"),
    # -- who_gains: the first year's effect on each group
    ("who_gains", "who"): Label("Who", "text"),
    ("who_gains", "what"): Label("What changes", "text"),
    ("who_gains", "count"): Label("How many", "count"),
    ("who_gains", "counted"): Label("Counted as", "text"),
    ("who_gains", "average_change_gbp_pw"): _money("Average change"),
    ("who_gains", "change_first_year_gbp"): _money("Change in the first year (part year)", "gbp_pa"),
    ("who_gains", "change_full_year_gbp"): _money("Change in a full year", "gbp_pa"),
}

# A code seen in a table cell -> words. Names a scenario defines (bands, homes) are not codes.
CODES: dict[str, str] = {
    # -- who pays (funding, funding_summary groups)
    "council": "Council-funded",
    "self": "Self-funder",
    "chc": "NHS continuing healthcare (CHC)",
    "(not council-funded)": "Not council-funded (no band)",
    # -- client groups
    "older": "Older people (65+)",
    "working_age": "Working-age adults (18-64)",
    # -- area
    "in": "In county",
    "out": "Out of county",
    # -- setting (and totals over settings)
    "residential": "Residential",
    "nursing": "Nursing",
    "all": "All",
    # -- NHS-funded nursing care in a band's rate
    "included": "Included in the rate",
    "excluded": "Paid by the NHS on top of the rate",
    "n/a": "Not applicable",
    # -- funding_summary groupings
    "band": "Band",
    "client_group": "Client group",
    "area": "Area",
    "funding": "Funded by",
    # -- uplift_cost periods
    "part_year": "Part year (from the effective date)",
    "full_year": "Full year",
    # -- topups outcomes
    "falls": "Top-up falls",
    "rises": "Top-up rises",
    "vanishes": "Top-up ends",
    "unchanged": "Top-up unchanged",
    # -- top-up collection (headline)
    "council_gross": "The council pays the gross fee and collects top-ups",
    "direct": "The third party pays the home directly",
    # -- cost lines (survey_summary, survey_outliers)
    "care_staff": "Care staff",
    "nursing_staff": "Nursing staff",
    "other_staff": "Other staff",
    "premises": "Premises",
    "supplies_services": "Supplies and services",
    "head_office": "Head office",
    "return_on_operations": "Return on operations",
    "return_on_capital": "Return on capital",
    "total": "Total",
    # -- units of the rate_inputs table
    "hours_prpw": "hours a week",
    "gbp_per_hour": "£ an hour",
    "gbp_prpw": "£ a week",
    "gbp_per_bed_pw": "£ per bed a week",
    "gbp_per_bed": "£ per bed",
    "weeks": "weeks a year",
    "factor": "factor",
    "pct": "%",
    # -- return conventions of the cost of care (cost_of_care.return_convention)
    "fair_cost_of_care": "2022 fair cost of care (a return on operations and a return on capital)",
    "single_return_on_capital": "2008 fair-price toolkit (one return on the capital value per bed)",
    # -- survey conventions (and rate_card survey_statistic)
    "per_line": "Each cost line",
    "sum_of_line_medians": "Total, adding up the cost lines' figures",
    "median_of_totals": "Total, from each home's total cost",
    "published_total": "Total, as published",
    # -- the example scenario's cost of care categories
    "standard_residential": "Standard residential",
    "residential_enhanced": "Residential enhanced needs",
    "standard_nursing": "Standard nursing",
    "nursing_enhanced": "Nursing enhanced needs",
    # -- rate_card basis
    "stated rate": "Stated rate",
    "built from standard_residential": "Built up from the cost of care: standard residential",
    "built from residential_enhanced": "Built up from the cost of care: residential enhanced needs",
    "built from standard_nursing": "Built up from the cost of care: standard nursing",
    "built from nursing_enhanced": "Built up from the cost of care: nursing enhanced needs",
    # -- sensitivity assumptions
    "nlw_premium": "Care pay premium over the National Living Wage",
    "occupancy_pct": "Occupancy",
    "care_hours_pct": "Care hours per resident",
    "return_on_operations_pct": "Return on operations",
    "capital_yield_pct": "Capital yield",
    "provider_pass_through_pct": "Share of a council rate rise homes add to top-ups",
    "demand_growth_pct": "Growth in placements",
    # -- sensitivity descriptions (the label column) that use abbreviations or terse units
    "Care pay premium over NLW (£/hour change)": "Care pay premium over the National Living Wage (change in £ an hour)",
    "Occupancy (points change)": "Occupancy (change in percentage points)",
    "Return on operations (points change)": "Return on operations (change in percentage points)",
    "Capital yield (points change)": "Capital yield (change in percentage points)",
    "Provider pass-through to top-ups (%)": "Share of a council rate rise homes add to top-ups (%)",
    # -- cost_drivers terms (quantile regression; the category against which others are measured is
    #    the first in alphabetical order, nursing_enhanced in the example)
    "Intercept": "Intercept (starting point of the model)",
    "beds_per_10": "Beds (per 10 more beds)",
    "occupancy_per_10pts": "Occupancy (per 10 percentage points more)",
    "C(category)[T.residential_enhanced]": "Residential enhanced needs (against nursing enhanced needs)",
    "C(category)[T.standard_nursing]": "Standard nursing (against nursing enhanced needs)",
    "C(category)[T.standard_residential]": "Standard residential (against nursing enhanced needs)",
    "C(category)[T.nursing_enhanced]": "Nursing enhanced needs (against the first category)",
    # -- demand_model terms (Poisson GLM of admissions; age bands against 18-64)
    "C(age_band)[T.65-74]": "Age band 65-74 (against 18-64)",
    "C(age_band)[T.75-84]": "Age band 75-84 (against 18-64)",
    "C(age_band)[T.85+]": "Age band 85+ (against 18-64)",
    "t": "Yearly trend",
    # -- self_funder_premium cases
    "now": "Now",
    "proposed": "Proposed",
    # -- montecarlo statistics
    "P10": "10th percentile (P10)",
    "P50": "Median (P50)",
    "P90": "90th percentile (P90)",
    "mean": "Mean",
    "as stated": "The scenario as stated (the headline figure)",
    # -- checks
    "pay_below_nlw": "Hourly pay at least the National Living Wage (NLW)",
    "supplementary_rate_below_nlw_cost": "Supplementary hourly rate covers the NLW with statutory on-costs",
    "occupancy_assumption": "Assumed occupancy close to the homes' actual occupancy",
    "pass_through_gap": "Pass-through to top-ups and to self-funders alike",
    "one_sided_exclusions": "Survey exclusions on both sides of the median",
    "survey_small_category": "Enough homes in each survey category (5 or more)",
    "survey_missing_lines": "Every home gave every cost line",
    "ok": "OK",
    "warning": "Warning",
    "explained": "Explained in the scenario",
    "projection": "Projection (stated in the scenario)",
    "scenario change": "Changed by the scenario",
    "provisional": "Provisional",
    # -- reconciliation steps
    "gross_change": "Change in gross fees paid to homes for council-arranged placements (all payers; self-funders apart)",
    "less_topup_change": "plus: the change in families' top-ups, sign reversed (a fall adds to the council's cost)",
    "less_first_party_topup_change": "plus: the change in residents' own top-ups (first party), sign reversed",
    "less_resident_change": "plus: the change in residents' contributions, sign reversed (a rise lowers the council's cost)",
    "less_fnc_change": "plus: the change in NHS-funded nursing care (FNC), sign reversed",
    "council_net_change": "equals: the change in the council's net cost (the sum of the lines above)",
    # -- provider_income groups
    "lose": "Lose income",
    "no change": "No change",
    "gain up to £500 a week": "Gain up to £500 a week",
    "gain £500 to £2,000 a week": "Gain £500 to £2,000 a week",
    "gain over £2,000 a week": "Gain over £2,000 a week",
    "P10 change per home (£/week)": "Change per home, 10th percentile",
    "P25 change per home (£/week)": "Change per home, lower quartile",
    "P50 change per home (£/week)": "Change per home, median",
    "P75 change per home (£/week)": "Change per home, upper quartile",
    "P90 change per home (£/week)": "Change per home, 90th percentile",
}

# A national parameter's unit (the appendix table's ``unit`` column, as the parameter files spell it:
# feemodel.inputs.params.ALLOWED_UNITS) -> the UNITS key its value is shown in. '/1' is a fraction
# (0.03 means 3%) and is shown as a percentage (:func:`fmt_parameter`).
PARAMETER_UNITS: dict[str, str] = {
    "GBP": "gbp",
    "GBP per week": "gbp_pw",
    "GBP per hour": "gbp_ph",
    "GBP per year": "gbp_pa",
    "weeks per year": "weeks_pa",
    "/1": "pct",
}

# (table, column) whose unit is named on each row by another column: {(table, column): unit column}.
ROW_UNIT_COLUMNS: dict[tuple[str, str], str] = {
    ("national_parameters", "value"): "unit",
}

# How a sensitivity assumption's low and high are written (:func:`change_text`): (form, unit) where
# form is "change" (a change from the scenario's own value, always signed: '+3 points') or "value"
# (the value itself: '60%'), and unit is "points" (percentage points) or a UNITS key. The units are
# those of feemodel.inputs.scenario.Sensitivity.
SENSITIVITY_CHANGES: dict[str, tuple[str, str]] = {
    "nlw_premium": ("change", "gbp_ph"),
    "occupancy_pct": ("change", "points"),
    "care_hours_pct": ("change", "pct"),
    "return_on_operations_pct": ("change", "points"),
    "capital_yield_pct": ("change", "points"),
    "provider_pass_through_pct": ("value", "pct"),
    "demand_growth_pct": ("change", "pct_pa"),
}

# Codes whose words depend on the column they are in: {column: {code: words}}, read before CODES.
COLUMN_CODES: dict[str, dict[str, str]] = {
    # a national parameter's unit (the appendix table), as the parameter files spell it
    "unit": {
        "GBP": "£",
        "GBP per week": "£ a week",
        "GBP per hour": "£ an hour",
        "GBP per year": "£ a year",
        "weeks per year": "weeks a year",
        "/1": "%",
    },
    # where a demand exit rate comes from (model.demand.exit_rates)
    "source": {
        "stated": "Stated in the scenario",
        "start_dates": "Estimated from the start dates of current council placements",
        "turnover": "The scenario's turnover assumption (too few placements to estimate)",
        # where a price base's yearly % comes from (model.price_base)
        "indexation.cpi_pct": "CPI, as the scenario states it",
        "survey_price_base.index_pct": "The % the scenario states for the survey",
        "cost_of_care.price_base.index_pct": "The % the scenario states for the build-up",
        "uplift index": "The scenario's uplift index",
    },
    # who pays a share of the weekly fee (the explorer's payer table; funding.py's PARTS)
    "payer": {
        "gross": "All payers (gross fee)",
        "council": "The council",
        "resident": "Residents' contributions",
        "self_funder": "Self-funders",
        "third_party": "Families' top-ups (third party)",
        "first_party": "Residents' own top-ups (first party)",
        "nhs_fnc": "NHS-funded nursing care (FNC)",
        "nhs_chc": "NHS continuing healthcare (CHC)",
    },
}


# -- equality (model.equality): the change by age band, sex and primary support reason. One block: its
#    columns, its codes (primary support reasons: NHS England SALT/ASCOF categories) and the words of
#    its characteristic column.
TABLE_COLUMNS.update({
    ("equality", "characteristic"): Label("Characteristic", "text"),
    ("equality", "group"): Label("Group", "text"),
    ("equality", "who"): Label("Residents or families", "text"),
    ("equality", "placements"): Label("Placements", "count"),
    ("equality", "average_now_gbp_pw"): _money("Average weekly fee or top-up now"),
    ("equality", "average_proposed_gbp_pw"): _money("Average weekly fee or top-up proposed"),
    ("equality", "average_weekly_change_gbp_pw"): _money("Average change"),
    ("equality", "change_gbp_pa"): _money("Change in what residents or families pay", "gbp_pa"),
    ("equality", "topups_fall"): Label("Top-ups that fall", "count"),
    ("equality", "topups_rise"): Label("Top-ups that rise", "count"),
    ("equality", "topups_vanish"): Label("Top-ups that end", "count"),
    ("equality", "topups_unchanged"): Label("Top-ups unchanged", "count"),
})
CODES.update({
    "female": "Female",
    "male": "Male",
    "not recorded": "Not recorded",
    "physical_support": "Physical support",
    "sensory_support": "Sensory support",
    "memory_cognition": "Memory and cognition (including dementia)",
    "learning_disability": "Learning disability support",
    "mental_health": "Mental health support",
    "social_support": "Social support",
})
COLUMN_CODES["characteristic"] = {
    "age_band": "Age band",
    "sex": "Sex",
    "primary_support_reason": "Primary support reason",
}
COLUMN_CODES["who"] = {
    "council": "Council-funded residents (fee)",
    "self": "Self-funders (fee)",
    "topup": "Families paying top-ups (top-up)",
}



# -- the providers' challenge (model.cost_gap, model.cost_pressure, model.survey_quality): one block of
#    columns and codes for the cost gap, cost pressure, past uplifts and survey quality tables.
TABLE_COLUMNS.update({
    ("cost_gap", "placements"): Label("Council placements", "count"),
    ("cost_gap", "average_fee_now_gbp_pw"): _money("Average weekly fee paid now"),
    ("cost_gap", "survey_category"): Label("Survey category compared", "text"),
    ("cost_gap", "survey_median_gbp_pw"): _money("Provider survey median cost of care, fee year's prices"),
    ("cost_gap", "built_rate_gbp_pw"): _money("Cost of care built by the council"),
    ("cost_gap", "proposed_rate_gbp_pw"): _money("Proposed weekly rate"),
    ("cost_gap", "benchmark"): Label("Cost of care measured by", "text"),
    ("cost_gap", "category_named"): Label("Category named by the council", "flag"),
    ("cost_gap", "cost_of_care_gbp_pw"): _money("Cost of care"),
    ("cost_gap", "gap_now_gbp_pw"): _money("Gap between the cost of care and the fee now"),
    ("cost_gap", "gap_now_pct"): Label("Gap between the cost of care and the fee now, share of the cost of care", "pct"),
    ("cost_gap", "gap_proposed_gbp_pw"): _money("Gap between the cost of care and the proposed rate"),
    ("cost_gap", "gap_proposed_pct"): Label("Gap between the cost of care and the proposed rate, share of the cost of care", "pct"),
    ("cost_gap", "close_at_once_gbp_pa"): _money("Cost of closing the gap at once", "gbp_pa"),
    ("cost_gap", "close_phased_first_year_gbp_pa"): _money("Cost of closing the gap in the first year, phased", "gbp_pa"),
    ("cost_line_gap", "category"): Label("Cost category", "text"),
    ("cost_line_gap", "cost_line"): Label("Cost line", "text"),
    ("cost_line_gap", "council_gbp_pw"): _money("The council's build-up", "gbp_prpw"),
    ("cost_line_gap", "homes"): Label("Homes in the survey", "count"),
    ("cost_line_gap", "survey_lower_quartile_gbp_pw"): _money("Survey lower quartile", "gbp_prpw"),
    ("cost_line_gap", "survey_median_gbp_pw"): _money("Survey median", "gbp_prpw"),
    ("cost_line_gap", "survey_upper_quartile_gbp_pw"): _money("Survey upper quartile", "gbp_prpw"),
    ("cost_line_gap", "council_less_median_gbp_pw"): _money("The council's build-up less the survey median", "gbp_prpw"),
    ("cost_pressure", "component"): Label("Cost", "text"),
    ("cost_pressure", "weight_pct"): Label("Weight (share of the cost)", "pct"),
    ("cost_pressure", "index_pct"): Label("Change in the year", "pct_pa"),
    ("cost_pressure", "contribution_pct"): Label("Contribution to the cost pressure", "pct_pa"),
    ("cost_pressure", "weights_from"): Label("Weights from", "text"),
    ("cost_pressure", "source"): Label("Source of the change", "text"),
    ("cost_pressure_offer", "placements"): Label("Council placements", "count"),
    ("cost_pressure_offer", "offer_pct"): Label("Uplift offered in the first year", "pct_pa"),
    ("cost_pressure_offer", "pressure_pct"): Label("Cost pressure", "pct_pa"),
    ("cost_pressure_offer", "gap_pct"): Label("Uplift less cost pressure", "pct_points"),
    ("cost_pressure_offer", "gap_gbp_pa"): _money("Uplift less cost pressure, on today's fees", "gbp_pa"),
    ("uplift_history", "financial_year"): Label("Financial year starting April", "financial_year"),
    ("uplift_history", "uplift_pct"): Label("Uplift", "pct_pa"),
    ("uplift_history", "cost_pressure_pct"): Label("Cost pressure", "pct_pa"),
    ("uplift_history", "gap_pct"): Label("Uplift less cost pressure", "pct_points"),
    ("uplift_history", "cumulative_uplift_factor"): Label("Cumulative uplift since the first year listed", "factor"),
    ("uplift_history", "cumulative_cost_factor"): Label("Cumulative cost pressure since the first year listed", "factor"),
    ("uplift_history", "cumulative_gap_pct"): Label("Fees against costs since the first year listed", "pct"),
    ("survey_response", "invited"): Label("Homes invited", "count"),
    ("survey_response", "returned"): Label("Returns received", "count"),
    ("survey_response", "validated"): Label("Returns validated", "count"),
    ("survey_response", "response_rate_pct"): Label("Response rate (returned / invited)", "pct"),
    ("survey_response", "validated_rate_pct"): Label("Validated rate (validated / invited)", "pct"),
    ("survey_response", "homes_in_survey_file"): Label("Homes in the survey file after exclusions", "count"),
    ("survey_counts", "homes_returned"): Label("Homes that returned the line", "count"),
    ("survey_counts", "homes_excluded"): Label("Homes excluded", "count"),
    ("survey_counts", "homes_used"): Label("Homes used", "count"),
    ("survey_counts", "warning"): Label("Warning", "text"),
    ("survey_exclusion_reasons", "reason"): Label("Reason recorded", "text"),
    ("survey_enhanced_check", "standard_category"): Label("Standard category", "text"),
    ("survey_enhanced_check", "enhanced_category"): Label("Enhanced category", "text"),
    ("survey_enhanced_check", "standard_median_gbp_pw"): _money("Standard category's survey median"),
    ("survey_enhanced_check", "enhanced_median_gbp_pw"): _money("Enhanced category's survey median"),
    ("survey_enhanced_check", "difference_gbp_pw"): _money("Enhanced less standard"),
    ("survey_representativeness", "group"): Label("Homes", "text"),
    ("survey_representativeness", "homes"): Label("How many homes", "count"),
    ("survey_representativeness", "share_of_homes_pct"): Label("Share of all open in-county homes", "pct"),
    ("survey_representativeness", "median_beds"): Label("Median beds a home", "number"),
    ("survey_representativeness", "median_occupancy_pct"): Label("Median occupancy of a home", "pct"),
    ("survey_representativeness", "median_council_share_pct"): Label("Median council-funded share of a home's occupied beds", "pct"),
    ("assumptions_vs_actual", "occupancy_assumed_pct"): Label("Occupancy assumed in the cost of care", "pct"),
    ("assumptions_vs_actual", "occupancy_actual_pct"): Label("Occupancy of open in-county homes of the setting", "pct"),
    ("assumptions_vs_actual", "occupancy_surveyed_pct"): Label("Median occupancy of the surveyed homes", "pct"),
    ("assumptions_vs_actual", "care_hours_assumed"): Label("Care hours assumed", "hours_prpw"),
    ("assumptions_vs_actual", "care_hours_surveyed"): Label("Care hours surveyed (median)", "hours_prpw"),
})
TABLE_COLUMNS.update({
    ("returns", "convention"): Label("Return convention", "text"),
    ("returns", "return_on_operations_pct"): Label("Return on operations", "pct"),
    ("returns", "freehold_value_per_bed"): _money("Freehold value per bed", "gbp"),
    ("returns", "capital_yield_pct"): Label("Yield on capital", "pct"),
    ("returns", "land_value_per_bed"): _money("Land value per bed", "gbp"),
    ("returns", "building_value_per_bed"): _money("Building value per bed", "gbp"),
    ("returns", "target_yield_pct"): Label("Target yield", "pct"),
    ("returns", "evidence"): Label("Evidence the council records", "text"),
    ("returns", "value_per_bed_change"): _money("Change in value per bed from last year", "gbp"),
    ("returns", "yield_change_points"): Label("Change in yield from last year", "pct_points"),
    ("rate_sensitivity", "label"): Label("What changes (and its unit)", "text"),
    ("rate_sensitivity", "low"): Label("Low change tested", "number"),
    ("rate_sensitivity", "high"): Label("High change tested", "number"),
    ("rate_sensitivity", "rate_at_low_gbp_pw"): _money("Weekly rate at the low change"),
    ("rate_sensitivity", "weekly_rate_gbp"): _money("Weekly rate as proposed"),
    ("rate_sensitivity", "rate_at_high_gbp_pw"): _money("Weekly rate at the high change"),
    ("rate_sensitivity", "swing_gbp_pw"): _money("Difference between the low and high rates"),
})
TABLE_COLUMNS.update({
    ("uplift_groups", "uplift_group"): Label("What the first year gives", "text"),
    ("uplift_groups", "placements"): Label("Council placements", "count"),
    ("uplift_groups", "homes"): Label("Homes with such placements", "count"),
    ("uplift_groups", "average_fee_now_gbp_pw"): _money("Average weekly fee now"),
    ("uplift_groups", "average_fee_new_gbp_pw"): _money("Average weekly fee in the first year"),
    ("uplift_groups", "change_pct"): Label("Change in fees", "pct"),
    ("uplift_groups", "pressure_pct"): Label("Cost pressure", "pct"),
    ("uplift_groups", "real_terms_change_pct"): Label("Change in real terms (against the cost pressure)", "pct"),
    ("market_access", "homes"): Label("Open in-county homes", "count"),
    ("market_access", "vacant_beds"): Label("Beds vacant", "count"),
    ("market_access", "vacancy_pct"): Label("Share of beds vacant", "pct"),
    ("market_access", "council_placements"): Label("Council placements in these homes", "count"),
    ("market_access", "at_rate_without_topup"): Label("Placements at or below the council's rate, no top-up", "count"),
    ("market_access", "at_rate_without_topup_pct"): Label("Share at or below the council's rate, no top-up", "pct"),
    ("homes_over_time", "year"): Label("Calendar year", "year"),
    ("homes_over_time", "homes_opened"): Label("Homes opened", "count"),
    ("homes_over_time", "homes_closed"): Label("Homes closed", "count"),
})
COLUMN_CODES["uplift_group"] = {
    "full": "The whole change",
    "capped": "Part of the change (phased)",
    "protected": "Protected (paid above the rate compared with)",
    "none": "No change",
    "falls": "A fall",
}
TABLE_COLUMNS.update({
    ("options", "option"): Label("Option", "text"),
    ("options", "scenario_file"): Label("Scenario file", "text"),
    ("options", "title"): Label("What it does", "text"),
    ("options", "method"): Label("How fees change", "text"),
    ("options", "placements"): Label("Council placements", "count"),
    ("options", "placements_affected"): Label("Placements whose fee or top-up changes", "count"),
    ("options", "placements_protected"): Label("Placements protected", "count"),
    ("options", "average_change_pct"): Label("Average change in council fees, first year", "pct"),
    ("options", "council_cost_part_year_gbp"): _money("Cost to the council, first year (part year)", "gbp_pa"),
    ("options", "council_cost_full_year_gbp"): _money("Cost to the council, full year", "gbp_pa"),
    ("options", "reason"): Label("Reason recorded", "text"),
    ("comparators", "council"): Label("Council", "text"),
    ("comparators", "financial_year"): Label("Financial year starting April", "financial_year"),
    ("comparators", "weekly_rate_gbp_pw"): _money("Weekly rate"),
    ("comparators", "uplift_pct"): Label("Uplift", "pct"),
    ("comparators", "source"): Label("Source", "text"),
    ("response_log", "theme"): Label("You said (theme)", "text"),
    ("response_log", "responses"): Label("Responses raising it", "count"),
    ("response_log", "council_answer"): Label("We did (the council's answer)", "text"),
})
COLUMN_CODES["method"] = {
    "uniform": "One % on every fee",
    "per_band": "A % per band",
    "index": "The uplift index",
    "target_rates": "A move to the proposed rates (in steps where phased)",
}
COLUMN_CODES["component"] = {
    "pay": "Staff pay (National Living Wage)",
    "employer_ni": "Employer National Insurance (a change on staff pay: the staff weight again, not an extra share)",
    "pension": "Employer pension contributions (a change on staff pay: the staff weight again, not an extra share)",
    "energy": "Energy",
    "other_costs": "Other costs (CPI)",
    "total": "Cost pressure (total)",
}
COLUMN_CODES["benchmark"] = {
    "survey median": "The provider survey's median",
    "built rate": "The council's cost build-up",
}
CODES.update({
    "surveyed homes": "Homes in the survey",
    "all homes": "All open in-county homes",
})

def _check_registry() -> None:
    """Every label names a known unit and every unit a known kind (checked once, on import)."""
    for u in UNITS.values():
        if u.kind not in KINDS:
            raise ValueError(f"unit {u.key!r}: kind {u.kind!r} is not one of {', '.join(KINDS)}")
    for where, lab in [*COLUMNS.items(), *TABLE_COLUMNS.items()]:
        if lab.unit not in UNITS:
            raise ValueError(f"label for {where!r}: unit {lab.unit!r} is not in UNITS")


_check_registry()


def label(column: str, table: str | None = None) -> Label:
    """The label of ``column`` in ``table``: :data:`TABLE_COLUMNS` first, then :data:`COLUMNS`.

    Raises ``KeyError`` naming the table and the column when neither has it (never a guess).
    """
    if table is not None and (table, column) in TABLE_COLUMNS:
        return TABLE_COLUMNS[(table, column)]
    if column in COLUMNS:
        return COLUMNS[column]
    only = sorted(t for t, c in TABLE_COLUMNS if c == column)
    hint = f" (it is labelled only for table {', '.join(only)})" if only else ""
    raise KeyError(f"no label for column {column!r} in table {table!r}{hint}; "
                   "add it to COLUMNS or TABLE_COLUMNS in feemodel/publish/labels.py")


def unit(column: str, table: str | None = None) -> Unit:
    """The :class:`Unit` of ``column`` in ``table``."""
    return UNITS[label(column, table).unit]


def heading(column: str, table: str | None = None) -> str:
    """The column heading: words then the unit in brackets, 'Weekly rate (£ a week)'; no brackets
    when the unit has no words ('Placements')."""
    lab = label(column, table)
    w = UNITS[lab.unit].words
    return f"{lab.heading} ({w})" if w else lab.heading


def words(value, column: str | None = None) -> str:
    """Words for a code seen in a cell (``'council'`` -> ``'Council-funded'``; in the ``payer``
    column, ``'The council'``); a string that is not a code is returned as it is; a non-string as
    ``str(value)``."""
    if isinstance(value, str):
        by_column = COLUMN_CODES.get(column or "", {})
        return by_column.get(value, CODES.get(value, value))
    return str(value)


# --- formatting --------------------------------------------------------------------------------------

_CONTEXT = Context(prec=60)  # enough digits to quantize any amount without an InvalidOperation
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}
_BLANK_TEXT = {"", "nan", "nat", "<na>"}


def _is_blank(value) -> bool:
    """None, '' (or spaces), NaN, pandas' NA or NaT (also as the text 'nan', 'NaT' or '<NA>')."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().lower() in _BLANK_TEXT
    if isinstance(value, Decimal):
        return value.is_nan()
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return math.isnan(float(value))
    return type(value).__name__ in ("NAType", "NaTType")


def _decimal(value) -> Decimal | None:
    """The value as a Decimal (from its shortest decimal text, so 1.005 stays 1.005), or None when it
    is not a finite number (e.g. '<5', '2026/27')."""
    if isinstance(value, bool):
        d = Decimal(int(value))
    elif isinstance(value, Decimal):
        d = value
    elif isinstance(value, numbers.Integral):
        d = Decimal(int(value))
    elif isinstance(value, numbers.Real):
        d = Decimal(repr(float(value)))
    elif isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return d if d.is_finite() else None


def _round(d: Decimal, decimals: int) -> Decimal:
    """Round half up (away from zero) to ``decimals``; never '-0'."""
    q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_CONTEXT)
    return q.copy_abs() if q.is_zero() else q


def _flag(value) -> str:
    if isinstance(value, str):
        s = value.strip().lower()
        return "yes" if s in _TRUE else "no" if s in _FALSE else value
    try:
        return "yes" if bool(value) else "no"
    except (TypeError, ValueError):
        return str(value)


def _date(value) -> str:
    """'6 April 2026' from a date, a datetime or ISO text ('2026-04-06'); other text as it is."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            return value
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def fmt(value, column: str, table: str | None = None) -> str:
    """Display text for one cell of ``column`` in ``table``, by its unit's kind.

    * money: '£1,234.56' / '-£1,234.56' with the unit's decimals (weekly 2, £ a year 0), half up;
    * percent: '5.5%' (the value 5.5 means 5.5%) with the unit's decimals;
    * count: '1,234'. A count of things (unit ``count``) that is not a whole number is a bug in the
      table that made it: ``ValueError`` naming the table, column and value. A projection's expected
      count (unit ``expected_count``, e.g. 2933.3 projected placements) is rounded half up: '2,933';
    * number (factor, coefficient, p-value, ...): the unit's decimals with thousands separators;
    * year: '2026' (no separator); text such as '2026/27' is passed through;
    * date: '6 April 2026' (also from ISO text '2026-04-06'); text: :func:`words`; flag: 'yes' / 'no';
    * a blank, NaN or None: ''; a string that is not a number in a numeric column ('<5'): as it is.
    """
    u = unit(column, table)
    if _is_blank(value):
        return ""
    kind = u.kind
    if kind == "text":
        return words(value, column)
    if kind == "flag":
        return _flag(value)
    if kind == "date":
        return _date(value)
    d = _decimal(value)
    if d is None:
        return value if isinstance(value, str) else str(value)
    if kind == "year":
        return str(_round(d, 0)) if d == d.to_integral_value() else str(d)
    q = _round(d, u.decimals)
    if kind == "money":
        return f"{'-' if q < 0 else ''}£{abs(q):,.{u.decimals}f}"
    if kind == "percent":
        return f"{q:,.{u.decimals}f}%"
    if kind == "count":
        if u.key == "count" and d != d.to_integral_value():
            raise ValueError(f"table {table!r}, column {column!r}: {value!r} is a count of things but not a whole "
                             "number; fix the table that computes it (a projection's expected count takes the unit "
                             "'expected_count' in feemodel/publish/labels.py)")
        return f"{_round(d, 0):,.0f}"
    return f"{q:,.{u.decimals}f}"  # number


def missing_labels(columns_by_table: dict[str, list[str]]) -> list[str]:
    """'table.column' for every column that has no label, in the order given (empty when all are labelled)."""
    out = []
    for table, columns in columns_by_table.items():
        for column in columns:
            try:
                label(column, table)
            except KeyError:
                out.append(f"{table}.{column}")
    return out


def _plain(d: Decimal, decimals: int) -> str:
    """``d`` rounded half up to at most ``decimals``, trailing zeros dropped: 5 -> '5', 0.50 -> '0.5'."""
    text = f"{_round(d, decimals):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_parameter(value, unit_text: str) -> str:
    """A national parameter's value shown in the unit its row names (``unit_text`` as the parameter
    files spell it, :data:`PARAMETER_UNITS`): 14250.0 'GBP' -> '£14,250.00'; 31.8 'GBP per week' ->
    '£31.80'; 6240 'GBP per year' -> '£6,240'; 0.03 '/1' -> '3%' (a fraction, shown as a percentage
    to at most 2 decimals); 5.6 'weeks per year' -> '5.6'. An unknown unit is a ``KeyError``."""
    if unit_text not in PARAMETER_UNITS:
        raise KeyError(f"national parameter unit {unit_text!r} has no format; allowed: {', '.join(sorted(PARAMETER_UNITS))} "
                       "(PARAMETER_UNITS in feemodel/publish/labels.py)")
    if _is_blank(value):
        return ""
    d = _decimal(value)
    if d is None:
        return str(value)
    if unit_text == "/1":
        return _plain(d * 100, 2) + "%"
    u = UNITS[PARAMETER_UNITS[unit_text]]
    q = _round(d, u.decimals)
    if u.kind == "money":
        return f"{'-' if q < 0 else ''}£{abs(q):,.{u.decimals}f}"
    return f"{q:,.{u.decimals}f}"


def change_text(assumption: str, value) -> str:
    """A sensitivity assumption's low or high in words with its unit (:data:`SENSITIVITY_CHANGES`):
    a change is signed ('-5 points', '+5%', '+£0.50 an hour', '-2% a year'); a value is not ('60%').
    Figures show at most 2 decimals, trailing zeros dropped (money keeps its pence). An unknown
    assumption is a ``KeyError`` naming it."""
    if assumption not in SENSITIVITY_CHANGES:
        raise KeyError(f"sensitivity assumption {assumption!r} has no unit; add it to SENSITIVITY_CHANGES in "
                       "feemodel/publish/labels.py")
    form, unit_key = SENSITIVITY_CHANGES[assumption]
    d = _decimal(value)
    if d is None:
        raise ValueError(f"sensitivity assumption {assumption!r}: {value!r} is not a number")
    sign = ("-" if d < 0 else "+" if d > 0 else "") if form == "change" else ("-" if d < 0 else "")
    mag = d.copy_abs()
    if unit_key == "points":
        n = _plain(mag, 2)
        return f"{sign}{n} point{'' if n == '1' else 's'}"
    u = UNITS[unit_key]
    if u.kind == "money":
        return f"{sign}£{_round(mag, 2):,.2f}" + (f" {u.words.removeprefix('£ ')}" if u.words != "£" else "")
    if u.kind == "percent":
        return f"{sign}{_plain(mag, 2)}%" + u.words.removeprefix("%")
    return f"{sign}{_plain(mag, 2)}"

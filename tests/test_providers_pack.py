"""The providers' challenge in the example pack (issue 16): each new section, with each of its tables,
is in pack.html, in tables.xlsx (a sheet named after the table) and among the CSV tables."""

import html

from openpyxl import load_workbook

SECTIONS = {
    "How far the providers' cost survey can be relied on": {
        "survey_response": "Survey response: homes invited, returns received and validated",
        "survey_representativeness": "Surveyed homes against all open in-county homes",
        "survey_counts": "Homes behind each category and cost line",
        "survey_exclusion_reasons": "Survey returns excluded, and why",
        "survey_enhanced_check": "Enhanced categories against standard ones",
        "assumptions_vs_actual": "Occupancy and care hours the build-up assumes, against actual occupancy and the survey's hours",
        "cost_line_gap": "The council's build-up against the provider survey, line by line",   # in the rates section
    },
    "Returns, stated and tested": {
        "returns": "Returns in each built rate, with their evidence",
        "rate_sensitivity": "The weekly rate at the low and the high value of each assumption",
    },
    "Who gets what uplift, and the market": {
        "uplift_groups": "Council placements by the uplift the first year gives them, in real terms",
        "market_access": "Vacant beds and council placements at the council's rate without a top-up",
        "homes_over_time": "Homes opened and closed by year",
    },
    "Comparators, options and the consultation": {
        "comparators": "Other councils' published rates and uplifts beside this proposal",
        "options": "The options considered, costed the same way",
    },
    "Does the rate cover the cost?": {
        "cost_gap": "The cost gap per band: fees now and proposed against the cost of care",
        "cost_pressure_offer": "The uplift offered in the first year against the cost pressure",
        "cost_pressure": "The cost pressure for the fee year, cost by cost",
        "uplift_history": "Past uplifts against the cost pressure of each year, with the cumulative gap",
    },
}


def test_each_new_section_and_table_is_in_the_html_the_workbook_and_the_csvs(example_pack):
    page = html.unescape((example_pack / "pack.html").read_text(encoding="utf-8"))
    sheets = set(load_workbook(example_pack / "tables.xlsx", read_only=True).sheetnames)
    csvs = {p.stem for p in (example_pack / "tables").glob("*.csv")}
    for heading, tables in SECTIONS.items():
        assert heading in page, heading
        for name, caption in tables.items():
            assert f"<caption>{caption}</caption>" in page, caption
            assert name in sheets, name
            assert name in csvs, name
    # the summary states the gap in one sentence, and the past uplifts are drawn with their words
    assert "Does the rate cover the cost?</strong> On average the fees paid now are" in page
    assert "Line chart of the council's cumulative uplifts and the cumulative cost pressure" in page
    # the example is a consultation draft: the response log is not shown, and the pack says why
    assert ("You said, we did: the consultation's responses and the council's answers:</strong> not shown, because the "
            "pack is a consultation draft") in page
    assert "response_log" not in csvs and "response_log" not in sheets

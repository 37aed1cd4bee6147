# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
scenario = ""    # scenario YAML file; empty: the example council (params/scenarios/exampleshire/two_band_2026.yaml)
tables_dir = ""  # set by `feemodel pack`; empty: compute the scenario's tables here (cached)

# %%
from IPython.display import HTML, Markdown, display

from feemodel.publish import brief, report

R = report.load(tables_dir, scenario=scenario)
H, M = R.headline, R.meta

# %% [markdown]
# # Impact on residents, families paying top-ups and self-funders
#
# A fee rise does not change a resident's means-tested contribution (the council pays the rise),
# except where the contribution was capped at a fee lower than it. Where a family pays a top-up and
# the council's rate rises while the home's price does not, the top-up falls; the council stays
# liable for the full fee if top-up payments stop.

# %%
if not H:
    display(HTML(report.table_html(R.table("funding_summary"), "Who pays now")))
else:
    fs = R.table("funding_summary")
    annual = ["group", "placements"] + [c for c in fs.columns if c.endswith("_gbp_pa")]
    display(HTML(report.table_html(fs[fs.grouping == "funding"], "Who pays now, by funding type (£ a year)", annual)))
    display(HTML(report.table_html(fs[fs.grouping == "band"], "Who pays now, by band (£ a year)", annual)))
    exp = H["topup_exposure"]
    display(Markdown(f"Top-ups now: **{brief.count_words(exp['placements_with_topups'], M['suppress_below'])}** placements, {report.money_m(exp['topups_gbp_pw'] * 365 / 7)} a year. "
                     f"If every top-up stopped the council would owe **{report.money_m(exp['council_exposure_gbp_pa'])}** a year "
                     f"({'collected by the council, which pays homes the gross fee' if exp['collected_by_council'] else 'paid to homes directly'})."
                     + (f" Residents paying their own top-up (allowed only in the 12-week property disregard or under a deferred payment "
                        f"agreement): **{brief.count_words(exp['placements_with_first_party_topups'], M['suppress_below'])}** placements, "
                        f"{report.money_m(exp['first_party_exposure_gbp_pa'])} a year, shown apart from families' top-ups."
                        if exp.get("placements_with_first_party_topups") else "")))
    display(Markdown(f"Families paying top-ups: {report.money_m(H['topup_change_part_year_gbp'])} in {brief.first_year_words(M)}, "
                     f"as in the summary's table of who gains and who loses ({brief.link('who', 'see the summary')})."))
    display(HTML(report.table_html(R.table("topups"), "Top-ups in the first year: how many fall, rise, end or stay (counts under 5 not shown)")))
    sf = H["self_funders"]
    display(Markdown(f"Self-funders: {brief.count_words(sf['self_funders'], M['suppress_below'])}. If homes pass on {sf['pass_through_pct']:g}% "
                     f"of the council's average rise, their fees rise by {report.money_m(sf['total_change_part_year_gbp'])} in "
                     f"{brief.first_year_words(M)} (average £{sf['average_change_gbp_pw']:,.2f} a week; {brief.link('who', 'see the summary')})."))
    display(HTML(report.table_html(R.table("self_funder_premium"), "Premium self-funders pay over the council's fee in the same home")))

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
# # Impact on providers and the market
#
# Homes are not named in this pack. Income per occupied bed-week comes from each home's mix of
# council, self-funded and NHS placements; cost is the cost of care at the home's own occupancy.

# %%
if R.has("who_gains"):
    display(Markdown("Homes' income and the homes below their cost of care in the first year are in the summary's table of who "
                     f"gains and who loses ({brief.link('who')}); the tables below give the detail."))
display(HTML(report.table_html(R.table("market"), "Beds, occupancy and who occupies them (open in-county homes)")))
display(HTML(report.table_html(R.table("beds_over_time"), "Beds opened and closed by year")))
sus = R.table("sustainability")
display(HTML(report.margin_chart(sus)))
display(HTML(report.table_html(sus, "Homes below cost and margins, now and proposed")))
display(HTML(report.table_html(R.table("provider_income"), "Change in homes' weekly income (£/week)")))

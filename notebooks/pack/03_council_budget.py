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
# # Impact on the council's budget
#
# Costs are changes against today's fees held flat, in £ a year. The first year is shown from the
# effective date (part year) and for the whole year (full year); later years are full years. Leavers
# are replaced by admissions at the band rate. The same costing gives every year's figure wherever it
# appears (the summary, the budget and the sensitivity's central case). The table below runs from the
# change in gross fees paid to homes to the change in the council's net cost.

# %%
cost = R.table("uplift_cost")
if H:
    display(Markdown(report.markdown_text(brief.cost_sentence(H, M)) + f" ({brief.link('cost')})"))
display(HTML(report.table_html(R.table("reconciliation"), "From the change in gross fees to the council's net cost, by year (£ a year)")))
if R.has("uplift_cost"):
    first = cost[(cost.financial_year == H["financial_year"]) & (cost.period == "part_year")]
    for col, title in [("band", "band"), ("client_group", "client group"), ("area", "area (in or out of county)")]:
        t = first.groupby(col, sort=True)[["council_net_change_gbp", "gross_change_gbp", "topup_change_gbp"]].sum().round(2).reset_index()
        display(HTML(report.table_html(t, f"First-year (part year) cost by {title}")))
else:
    display(HTML(report.table_html(cost, "Cost of the change")))

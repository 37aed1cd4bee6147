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
# # Demand and the multi-year budget
#
# Council-supported permanent admissions are modelled by age band with a Poisson regression on
# population and a time trend, then projected with 90% intervals. Placements follow from admissions
# and the rate at which placements end, by client group; an admission during the year may also end
# before the year is out. Every interval, including the total's, comes from one joint simulation.

# %%
if R.has("budget"):
    display(Markdown(f"The council's cost by year, from the fee change and from demand, is the series on the summary page "
                     f"({brief.link('years')}); the tables below show how demand is projected."))
display(HTML(report.table_html(R.table("demand_exit_rates"), "Rates at which council placements end, by client group")))
display(HTML(report.table_html(R.table("demand"), "Projected admissions and council placements (90% intervals)")))
display(HTML(report.table_html(R.table("demand_model"), "Admissions model coefficients (log scale; rate ratio = exp)")))
b = R.table("budget")
display(HTML(report.budget_chart(b)))
display(HTML(report.table_html(b, "Council cost by year: today's cost, growth from the fee change (the cost table's figure) and from demand",
                               ["financial_year", "period", "placements", "baseline_cost_gbp", "growth_from_fees_gbp",
                                "growth_from_demand_gbp", "change_from_today_gbp", "council_cost_gbp"])))
display(HTML(report.table_html(b, "Growth from demand with the projection's 90% interval",
                               ["financial_year", "placements", "average_council_cost_gbp_pw", "growth_from_demand_low_gbp",
                                "growth_from_demand_gbp", "growth_from_demand_high_gbp"])))

# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
scenario = ""
tables_dir = ""

# %%
from IPython.display import HTML, Markdown, display

from feemodel.publish import report

R = report.load(tables_dir)
H, M = R.headline, R.meta

# %% [markdown]
# # Demand and the multi-year budget
#
# Council-supported permanent admissions are modelled by age band with a Poisson regression on
# population and a time trend, then projected with 90% intervals. Placements follow from admissions
# and the rate at which placements end.

# %%
display(HTML(report.table_html(R.table("demand"), "Projected admissions and council placements (90% intervals)")))
display(HTML(report.table_html(R.table("demand_model"), "Admissions model coefficients (log scale; rate ratio = exp)")))
b = R.table("budget")
display(HTML(report.budget_chart(b)))
display(HTML(report.table_html(b, "Council cost by year: growth from demand and from fees")))

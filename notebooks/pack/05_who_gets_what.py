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
# # Who gets what uplift, and the market
#
# Council placements by what the first year gives them, and what that is worth once the rise in
# homes' costs is allowed for; how many beds stand empty; how many council placements a home takes
# at the council's rate with no top-up; and homes opened and closed each year.

# %%
display(HTML(report.table_html(R.table("uplift_groups"), "Council placements by the uplift the first year gives them, in real terms")))
display(HTML(report.table_html(R.table("market_access"), "Vacant beds and council placements at the council's rate without a top-up")))
display(HTML(report.table_html(R.table("homes_over_time"), "Homes opened and closed by year")))

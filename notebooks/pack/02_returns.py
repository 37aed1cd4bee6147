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
# # Returns, stated and tested
#
# The return on operations and the return on capital in each built rate: the method, the value
# per bed and the yield, the evidence the council records, and the change from last year. Then how
# far each weekly rate moves when one assumption of its build-up moves (the sensitivity section
# shows the same ranges' effect on the council's cost).

# %%
display(HTML(report.table_html(report.without_blank(R.table("returns"), "return_on_operations_pct", "freehold_value_per_bed",
                                                     "capital_yield_pct", "land_value_per_bed", "building_value_per_bed",
                                                     "target_yield_pct", "value_per_bed_change", "yield_change_points"),
                               "Returns in each built rate, with their evidence")))
display(HTML(report.table_html(R.table("rate_sensitivity"), "The weekly rate at the low and the high value of each assumption")))

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
# # Does the rate cover the cost?
#
# The fees paid now and the proposed rates against the cost of care, band by band; the cost
# pressure of the fee year against the uplift offered; and the council's past uplifts against the
# cost pressure of each year. The cost of care is the providers' survey median where the survey
# has the band's category (at the fee year's prices), else the council's own build-up.

# %%
display(HTML(brief.cost_gap_html(R.table("cost_gap"), anchor=False)))
gap = R.table("cost_gap")
display(HTML(report.table_html(gap, "The cost gap per band: fees now and proposed against the cost of care",
                               ["band", "placements", "average_fee_now_gbp_pw", "survey_category", "survey_median_gbp_pw",
                                "built_rate_gbp_pw", "proposed_rate_gbp_pw", "benchmark"] if R.has("cost_gap") else None)))
if R.has("cost_gap"):
    display(HTML(report.table_html(gap, "The gap between the cost of care and the fees, and the cost of closing it",
                                   ["band", "cost_of_care_gbp_pw", "gap_now_gbp_pw", "gap_now_pct", "gap_proposed_gbp_pw",
                                    "gap_proposed_pct", "close_at_once_gbp_pa", "close_phased_first_year_gbp_pa"])))

# %% [markdown]
# ## Cost pressure against the offer
#
# Each band's costs weighed by where they go (staff, energy, everything else), each moved by its
# own index from the year before: the National Living Wage, employer National Insurance with its
# threshold, employer pension contributions, energy where the scenario gives it, and CPI. A
# negative gap is a shortfall: the uplift offered is below the rise in costs.

# %%
display(HTML(report.table_html(R.table("cost_pressure_offer"), "The uplift offered in the first year against the cost pressure")))
pressure = R.table("cost_pressure")
display(HTML(report.table_html(pressure, "The cost pressure for the fee year, cost by cost",
                               brief.PRESSURE_SHOWN if R.has("cost_pressure") else None)))
if R.has("cost_pressure"):
    display(HTML(report.table_html(brief.pressure_sources(pressure), "Where each change in the year comes from")))

# %% [markdown]
# ## Past uplifts against cost pressure

# %%
history = R.table("uplift_history")
display(HTML(brief.uplift_history_chart(history, R.table("cost_pressure_offer"))))
display(HTML(report.table_html(history, "Past uplifts against the cost pressure of each year, with the cumulative gap")))

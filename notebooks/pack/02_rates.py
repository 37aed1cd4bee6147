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
scenario = ""
tables_dir = ""

# %%
from IPython.display import HTML, Markdown, display

from feemodel.publish import report

R = report.load(tables_dir)
H, M = R.headline, R.meta

# %% [markdown]
# # How the rates were built
#
# Each proposed rate is built up from the cost of care per resident per week: care and nursing
# staff (hours x pay x on-costs), other staff, premises (spread over occupied beds), supplies and
# services, head office, and the returns. Each component is rounded to the penny and the rate is
# their sum. Rates for nursing are shown excluding NHS-funded nursing care (FNC) unless marked.

# %%
display(Markdown(f"Return convention: **{M['return_convention'].replace('_', ' ')}**. Survey comparison: "
                 f"**{M['survey_statistic'].replace('_', ' ')}** (both conventions are in the survey table)."))
card = R.table("rate_card")
display(HTML(report.rates_chart(card)))
display(HTML(report.rate_card_html(card)))

# %%
s = R.table("survey_summary")
totals = report.without_blank(s[s.cost_line == "total"], "reliability") if R.has("survey_summary") else s
display(HTML(report.table_html(totals, report.survey_totals_caption(totals))))
excl = R.table("survey_exclusions")
if R.has("survey_exclusions"):
    display(Markdown("Survey exclusions: " + (", ".join(excl.exclusion) if len(excl) else "none") + ". Outliers are lines beyond 3 x IQR outside the quartiles."))
display(HTML(report.table_html(R.table("survey_outliers"), "Survey lines flagged as outliers")))
display(HTML(report.table_html(R.table("cost_drivers"), "What drives cost: quantile regression on home size, occupancy and category")))
display(HTML(report.table_html(R.table("price_base"), "Uprating from an earlier year's prices to the scenario's year")))
display(HTML(report.table_html(R.table("uplift_index"), "Uplift index for later years")))

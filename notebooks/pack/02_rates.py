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

from feemodel.publish import brief, evidence, labels, report

R = report.load(tables_dir, scenario=scenario)
H, M = R.headline, R.meta

# %% [markdown]
# # How the rates were built
#
# Each proposed rate is built up from the cost of care per resident per week: care and nursing
# staff (hours x pay x on-costs), other staff, premises (spread over occupied beds), supplies and
# services, head office, and the returns. Each component is rounded to the penny and the rate is
# their sum. Rates for nursing are shown excluding NHS-funded nursing care (FNC) unless marked.
# The rates, and how they compare with the providers' cost survey, are on the summary page
# ([see the summary](#summary-rates)).

# %%
display(Markdown(f"Returns follow the convention of the **{labels.words(M['return_convention'])}**. The survey is compared by its "
                 f"**{labels.words(M['survey_statistic']).lower()}** (both ways of totalling are in the survey table). "
                 + evidence.survey_basis_text(M)))
card = R.table("rate_card")
display(HTML(report.rates_chart(card)))
display(HTML(report.rate_card_html(card)))
if R.has("rate_card"):
    for sentence in brief.below_median_sentences(card) + brief.below_quartile_sentences(card):
        display(Markdown(report.markdown_text(sentence)))

# %%
display(HTML(evidence.rate_inputs_html(R.table("rate_inputs"), report.table_html)))
display(HTML(report.table_html(R.table("assumptions_vs_actual"),
                              "Occupancy and care hours the build-up assumes, against actual occupancy and the survey's hours")))
display(HTML(report.table_html(R.table("cost_line_gap"), "The council's build-up against the provider survey, line by line")))

# %%
s = R.table("survey_summary")
totals = report.without_blank(s[s.cost_line == "total"], "reliability") if R.has("survey_summary") else s
display(HTML(report.table_html(totals, report.survey_totals_caption(totals))))
display(HTML(report.table_html(R.table("survey_exclusions"), "Survey returns excluded by the scenario")))
display(Markdown("Outliers are cost lines beyond 3 x the interquartile range outside the quartiles of their category and line. "
                 "Homes are shown by letter unless the council chose to name them, the same letter in both tables."))
display(HTML(report.table_html(R.table("survey_outliers"), "Survey lines flagged as outliers")))
display(HTML(report.table_html(R.table("cost_drivers"), "What drives cost: quantile regression on home size, occupancy and category")))
display(HTML(report.table_html(R.table("price_base"), "Uprating from an earlier year's prices to the scenario's year")))
display(HTML(report.table_html(R.table("uplift_index"), "Uplift index for later years")))

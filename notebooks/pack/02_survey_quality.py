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
# # How far the providers' cost survey can be relied on
#
# Who was asked and who answered, whether the homes that answered are like the homes that did not,
# how many homes stand behind each figure, why any return was left out, and whether the
# assumptions of the rates match what homes report.

# %%
display(HTML(report.table_html(R.table("survey_response"), "Survey response: homes invited, returns received and validated")))
display(HTML(report.table_html(R.table("survey_representativeness"), "Surveyed homes against all open in-county homes")))
display(HTML(report.table_html(R.table("survey_counts"), "Homes behind each category and cost line")))
display(HTML(report.table_html(R.table("survey_exclusion_reasons"), "Survey returns excluded, and why")))
display(HTML(report.table_html(R.table("survey_enhanced_check"), "Enhanced categories against standard ones")))

# %% [markdown]
# The occupancy and care hours the build-up assumes are set against the homes' actual occupancy and
# the survey's hours beside the rate build-up, in the rates section.

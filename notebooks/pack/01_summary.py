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
from IPython.display import HTML, display

from feemodel.publish import brief, report

R = report.load(tables_dir, scenario=scenario)
H, M = R.headline, R.meta

# %% [markdown]
# # Summary of the proposal

# %%
display(HTML(brief.decision_html(M)))
display(HTML(brief.cost_html(H, M)))
if H:
    R.record("summary", {"council_net_change_part_year_gbp": H["council_net_change_part_year_gbp"],
                         "council_net_change_full_year_gbp": H["council_net_change_full_year_gbp"]})

# %%
display(HTML(brief.years_html(R.table("budget"), R.table("reconciliation"))))
display(HTML(brief.rates_html(R.table("band_mapping"), R.table("rate_card"), report.table_html)))
display(HTML(brief.cost_gap_html(R.table("cost_gap"))))

# %%
display(HTML(brief.who_gains_html(R.table("who_gains"), report.table_html, M["suppress_below"])))

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
# # Comparators, options and the consultation
#
# Other councils' published rates and uplifts beside this proposal; the options the council
# considered, each costed by the same engine, with the reason recorded for each; and, in the final
# pack, what the consultation said and what the council did about it.

# %%
display(HTML(report.table_html(R.table("comparators"), "Other councils' published rates and uplifts beside this proposal")))
opts = R.table("options")
display(HTML(report.table_html(opts, "The options considered, costed the same way",
                               ["option", "method", "placements", "placements_affected", "placements_protected", "average_change_pct",
                                "council_cost_part_year_gbp", "council_cost_full_year_gbp"] if R.has("options") else None)))
if R.has("options"):
    display(HTML(report.table_html(opts, "What each option is, and the reason recorded for it",
                                   ["option", "scenario_file", "title", "reason"])))
display(HTML(report.table_html(R.table("response_log"), "You said, we did: the consultation's responses and the council's answers")))

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
# # Sensitivity
#
# How the first-year council cost moves when each assumption moves over a stated range (one at a
# time), and the range over many joint draws of the uncertain assumptions (Monte Carlo, seeded so
# the figures reproduce).

# %%
if H:
    display(Markdown(report.markdown_text(brief.cost_sentence(H, M)) + f" ({brief.link('cost')})"))
t = R.table("sensitivity")
display(HTML(report.tornado_chart(t)))
display(HTML(report.table_html(t, "One-way sensitivity of the first-year council cost", [c for c in t.columns if c != "assumption"])))
mc = R.table("montecarlo")
display(HTML(report.table_html(mc, "Monte Carlo range of the first-year council cost")))
if brief.central_sentence(mc):
    display(Markdown(report.markdown_text(brief.central_sentence(mc))))

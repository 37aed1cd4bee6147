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
# # Summary of the proposal

# %%
display(Markdown(report.summary_text(R)))
if H:
    R.record("summary", {"council_net_change_part_year_gbp": H["council_net_change_part_year_gbp"],
                         "council_net_change_full_year_gbp": H["council_net_change_full_year_gbp"]})

# %%
display(HTML(report.table_html(R.table("band_mapping"), "Current bands, proposed bands and the change in weekly rate")))

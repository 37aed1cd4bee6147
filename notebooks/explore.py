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

# %% [markdown]
# # Fee scenario explorer
#
# Choose an approach (uplift the current bands by a percentage, or move to the proposed rates),
# move a lever, and see what the decision costs the council in the first year and over five
# years, its likely range, who pays, what happens to families' top-ups and self-funders, the
# change in homes' income and how many homes are below their cost of care. Every lever states
# its allowed range; a value outside it is refused with a message and the figures stay. Pin up
# to four settings to compare them side by side (and download the comparison as CSV). Save the
# settings as a scenario file (in `scenarios/` in the current folder unless
# `FEEMODEL_SAVE_DIR` says otherwise) and build its consultation pack with `feemodel pack`.
# Open in JupyterLab, or serve with `feemodel explore`.

# %%
from feemodel.apps.explore import app

app()

# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Fee scenario explorer
#
# Move a lever to see what a fee decision costs the council, who pays, what happens to top-ups
# and how many homes are below their cost of care. Save the settings as a scenario file and
# build its consultation pack with `feemodel pack`. Open in JupyterLab, or serve with
# `feemodel explore`.

# %%
from feemodel.apps.explore import app

app()

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

from feemodel.publish import brief, report

R = report.load(tables_dir)
H, M = R.headline, R.meta

# %% [markdown]
# # Comparators, options and the consultation
#
# Other councils' published rates and uplifts beside this proposal; the options the council
# considered, each costed by the same engine, with the reason recorded for each; and, in the final
# pack, what the consultation said and what the council did about it.

# %%
display(HTML(report.table_html(R.table("comparators"), "Other councils' published rates and uplifts beside this proposal")))
display(HTML(report.table_html(R.table("options"), "The options considered, costed the same way")))
display(HTML(report.table_html(R.table("response_log"), "You said, we did: the consultation's responses and the council's answers")))

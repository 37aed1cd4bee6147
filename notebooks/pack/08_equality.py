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

from feemodel.model import equality
from feemodel.publish import labels, report

R = report.load(tables_dir, scenario=scenario)
H, M = R.headline, R.meta

# %% [markdown]
# # Equality analysis
#
# The public sector equality duty (Equality Act 2010, section 149) requires the council, in deciding
# its fees, to have due regard to the need to eliminate discrimination, to advance equality of
# opportunity and to foster good relations between people who share a protected characteristic and
# people who do not. Age, sex and disability are protected characteristics; a resident's primary
# support reason (physical, sensory, memory and cognition including dementia, learning disability,
# mental health or social support) stands here for disability. The tables show, for each age band,
# sex and primary support reason, how the first year of the proposal changes the weekly fee for
# council-funded residents and for self-funders, and the top-ups families pay: the average now and
# proposed, the change in what residents or families pay in a year, and how many top-ups fall, rise,
# end or stay the same. A council-funded resident's assessed contribution does not change with the fee
# (the council pays the rise) unless it was capped at the old fee. These figures are evidence for the
# council's equality impact assessment, not the assessment itself.

# %%
eq = R.table("equality")
if not R.has("equality"):
    display(HTML(report.table_html(eq, "Equality analysis")))
else:
    money = ["characteristic", "group", "placements", "average_now_gbp_pw", "average_proposed_gbp_pw",
             "average_weekly_change_gbp_pw", "change_gbp_pa"]
    captions = {
        "council": "Council-funded residents: the weekly fee (excluding NHS-funded nursing care and top-ups), and the change "
                   "in their assessed contributions and own top-ups in a year",
        "self": "Self-funders: the fee they pay (the home's price less NHS-funded nursing care), and its change in a year",
        "topup": "Families paying a top-up for a council-funded resident: the weekly top-up, and its change in a year",
    }
    for who, caption in captions.items():
        display(HTML(report.table_html(eq[eq.who == who], caption, money, table="equality")))
    display(HTML(report.table_html(eq[eq.who == "topup"], "Families' top-ups: how many fall, rise, end or stay the same",
                                   ["characteristic", "group", "placements", *equality.OUTCOMES], table="equality")))
    display(Markdown("\n\n".join(equality.comparisons(eq, labels.words))))

# %%
display(Markdown(f"""Counts under {M['suppress_below']} are shown as "<{M['suppress_below']}" and the figures on their rows
are withheld; so that no withheld figure can be worked out from the totals or the other groups, further rows are
withheld with them (shown blank). A group with no placements shows 0 and no averages. The comparisons above use only
the figures shown."""))

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
rng = H["council_cost_range_gbp"]
display(Markdown(f"""
**{M['council']}: {M['title']}** ({M['financial_year']}, from {M['effective_date']}).

The proposal would cost the council **{report.money_m(H['council_net_change_part_year_gbp'])}** in
{H['financial_year']} (part year from the effective date) and **{report.money_m(H['council_net_change_full_year_gbp'])}**
in a full year. Allowing for uncertainty in the main assumptions, the first-year cost is likely to be
**between {report.money_m(rng['P10'])} and {report.money_m(rng['P90'])}** (10th to 90th percentile of
{rng['draws']:,} simulations).

- Council-arranged placements affected: {report.count_text(H['placements_affected'], M['suppress_below'])}; placements protected at their current fee: {report.count_text(H['placements_protected'], M['suppress_below'])}.
- Third-party top-ups paid by families: {report.change_text(H['topup_change_part_year_gbp'])} in the first year.
- Care homes whose income is below their cost of care: {report.count_text(H['homes_below_cost']['now'], M['suppress_below'])} now, {report.count_text(H['homes_below_cost']['proposed'], M['suppress_below'])} under the proposal.
"""))
R.record("summary", {"council_net_change_part_year_gbp": H["council_net_change_part_year_gbp"],
                     "council_net_change_full_year_gbp": H["council_net_change_full_year_gbp"]})

# %%
display(HTML(report.table_html(R.table("band_mapping"), "Current bands, proposed bands and the change in weekly rate")))

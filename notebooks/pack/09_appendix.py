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
# # Appendix: assumptions, sources and reproducibility

# %%
params_used = R.table("national_parameters")
display(HTML(report.table_html(params_used, "National figures in force on the rates date (the later of the effective date and "
                               "6 April), then every figure the scenario states for later years (projections)",
                               ["label", "value", "unit", "effective_from", "in_force_on", "status", "reference", "link"])))
display(Markdown("## Checks\nWarnings a commissioner would want flagged. A warning does not stop the pack; "
                 "where the scenario records a reason, the check shows it."))
display(HTML(report.table_html(R.table("checks"), "Checks on the assumptions", ["check", "status", "detail"])))
display(HTML(report.table_html(R.table("current_rates"), "Current band rates (£/week, excluding FNC)")))
display(Markdown("## Glossary"))
display(HTML(brief.glossary_html()))
display(Markdown("## Scenario file\nThe complete scenario, as read (homes the council does not name are shown by the "
                 "letter the survey tables use):"))
display(HTML(brief.scenario_html(R.dir)))
display(Markdown(f"""## Reproducibility
This pack records in `manifest.json` the hashes of the scenario and every data and parameter file,
the versions of feemodel and its dependencies, the git commit, the run times and every headline
figure. `feemodel verify <pack folder>` reruns it and compares every table. Counts under
{M['suppress_below']} are shown as "<{M['suppress_below']}" and the figures on their rows are withheld."""))

"""A survey a provider will accept: response, representativeness, counts, exclusions and checks.

* :func:`response`: per cost category, the homes invited, the returns received and the returns
  validated (the scenario's ``survey_response``), with the response rate (returned / invited x 100)
  and the validated rate (validated / invited x 100), and the homes whose returns the survey file
  holds for the category after the scenario's exclusions.
* :func:`counts`: per category and cost line, the homes that returned the line, the homes excluded
  (``survey_exclusions``) and the homes used, with a warning where fewer than 5 homes are used.
* :func:`exclusion_reasons`: each exclusion with the reason the scenario records
  (``survey_exclusion_reasons``; "no reason recorded" otherwise).
* :func:`enhanced_check`: in each setting, each category whose key contains ``enhanced`` against
  each category of the same setting without it: the enhanced category's survey median total (the
  scenario's ``survey_statistic``) must be above the standard one's ("ok"), else "warning".
* :func:`representativeness`: the surveyed homes against all open in-county homes of the homes
  file, by setting: homes, median beds, median occupancy (occupied / beds x 100) and median council
  share (council-funded placements / occupied beds x 100), each home counted once.
* :func:`assumptions`: per category, the occupancy the build-up assumes beside the actual
  occupancy of open in-county homes of its setting (all occupied beds / all beds x 100) and the
  surveyed homes' median occupancy, and the care hours assumed beside the surveyed hours
  (``survey_response.<category>.care_hours_prpw``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import NotComputed
from ..money import round_half_up
from .case import Case
from .market import open_in_area
from .rates import COST_LINES
from .survey import SMALL_SAMPLE_HOMES, case_kept, case_rows

FEW_HOMES_WORDS = "fewer than 5 homes: for information only"


def _pct(a: float, b: float) -> float:
    return round_half_up(a / b * 100, 1) if b else np.nan


def response(case: Case) -> pd.DataFrame:
    s = case.scenario
    if not s.survey_response:
        raise NotComputed("the scenario gives no survey_response (homes invited, returned and validated per category)")
    unknown = [c for c in s.survey_response if c not in s.cost_of_care.categories]
    if unknown:
        raise NotComputed(f"survey_response.{unknown[0]} is not a cost_of_care category (known: "
                          f"{', '.join(sorted(s.cost_of_care.categories)) or 'none'})")
    kept = case_kept(case)[0] if case.has("cost_survey") else None
    rows = []
    for cat, r in s.survey_response.items():
        row = {"category": cat, "invited": r.invited, "returned": r.returned, "validated": r.validated,
               "response_rate_pct": _pct(r.returned, r.invited), "validated_rate_pct": _pct(r.validated, r.invited)}
        row["homes_in_survey_file"] = int(kept[kept.category == cat].home_id.nunique()) if kept is not None else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def counts(case: Case) -> pd.DataFrame:
    rows_all = case_rows(case)
    kept = case_kept(case)[0]
    rows = []
    for cat in sorted(rows_all.category.unique()):
        for line in COST_LINES:
            given = set(rows_all[(rows_all.category == cat) & (rows_all.cost_line == line)].home_id)
            used = set(kept[(kept.category == cat) & (kept.cost_line == line)].home_id)
            if not given:
                continue
            rows.append({"category": cat, "cost_line": line, "homes_returned": len(given), "homes_excluded": len(given - used),
                         "homes_used": len(used), "warning": FEW_HOMES_WORDS if len(used) < SMALL_SAMPLE_HOMES else ""})
    return pd.DataFrame(rows, columns=["category", "cost_line", "homes_returned", "homes_excluded", "homes_used", "warning"])


def exclusion_reasons(case: Case) -> pd.DataFrame:
    s = case.scenario
    if not s.survey_exclusions:
        raise NotComputed("the scenario excludes no survey returns")
    stale = [k for k in s.survey_exclusion_reasons if k not in s.survey_exclusions]
    if stale:
        raise NotComputed(f"survey_exclusion_reasons names {stale[0]!r}, which is not one of survey_exclusions "
                          f"({', '.join(s.survey_exclusions)})")
    table = case_kept(case)[1]
    reasons = [s.survey_exclusion_reasons.get(item, "no reason recorded") for item in s.survey_exclusions]
    return table.assign(reason=reasons)


def enhanced_check(case: Case, summary: pd.DataFrame) -> pd.DataFrame:
    s = case.scenario
    tot = summary[(summary.cost_line == "total") & (summary.convention == s.survey_statistic)].set_index("category")["median"]
    cats = s.cost_of_care.categories
    rows = []
    for enh, c in cats.items():
        if "enhanced" not in enh:
            continue
        for std, d in cats.items():
            if "enhanced" in std or d.setting != c.setting:
                continue
            a, b = tot.get(std, np.nan), tot.get(enh, np.nan)
            if pd.isna(a) or pd.isna(b):
                continue
            rows.append({"setting": c.setting, "standard_category": std, "enhanced_category": enh,
                         "standard_median_gbp_pw": float(a), "enhanced_median_gbp_pw": float(b),
                         "difference_gbp_pw": round_half_up(b - a, 2), "status": "ok" if b > a else "warning"})
    if not rows:
        raise NotComputed("the survey has no pair of a standard and an enhanced category in the same setting")
    return pd.DataFrame(rows)


def _council_share(case: Case, homes: pd.DataFrame) -> pd.Series:
    p = case.book.placements
    council = p[p.funding == "council"].groupby("home_id").size()
    occ = homes.set_index("home_id").occupied_beds
    return (council.reindex(occ.index).fillna(0) / occ.replace(0, np.nan) * 100)


def representativeness(case: Case) -> pd.DataFrame:
    h = open_in_area(case.book.homes).copy()
    h["occupancy"] = h.occupied_beds / h.beds * 100
    h["council_share"] = _council_share(case, h).to_numpy()
    surveyed = set(case_rows(case).home_id)
    rows = []
    for setting in ("residential", "nursing", "all"):
        hs = h if setting == "all" else h[h.setting == setting]
        for group, g in (("surveyed homes", hs[hs.home_id.isin(surveyed)]), ("all homes", hs)):
            rows.append({"setting": setting, "group": group, "homes": len(g),
                         "share_of_homes_pct": _pct(len(g), len(hs)),
                         "median_beds": float(g.beds.median()) if len(g) else np.nan,
                         "median_occupancy_pct": round_half_up(float(g.occupancy.median()), 1) if len(g) else np.nan,
                         "median_council_share_pct": round_half_up(float(g.council_share.median()), 1)
                         if len(g) and g.council_share.notna().any() else np.nan})
    return pd.DataFrame(rows)


def assumptions(case: Case) -> pd.DataFrame:
    s = case.scenario
    homes = open_in_area(case.book.homes) if case.has("homes") else None
    rows_s = case_kept(case)[0] if case.has("cost_survey") else None
    rows = []
    for name, cat in s.cost_of_care.categories.items():
        actual = np.nan
        if homes is not None:
            hs = homes[homes.setting == cat.setting]
            actual = _pct(float(hs.occupied_beds.sum()), float(hs.beds.sum()))
        surveyed_occ = np.nan
        if rows_s is not None:
            occ = rows_s[rows_s.category == name].drop_duplicates("home_id").occupancy_pct
            surveyed_occ = round_half_up(float(occ.median()), 1) if len(occ) else np.nan
        r = s.survey_response.get(name)
        rows.append({"category": name, "occupancy_assumed_pct": cat.occupancy_pct if cat.occupancy_pct is not None else np.nan,
                     "occupancy_actual_pct": actual, "occupancy_surveyed_pct": surveyed_occ,
                     "care_hours_assumed": cat.care_hours_prpw,
                     "care_hours_surveyed": r.care_hours_prpw if r is not None and r.care_hours_prpw is not None else np.nan})
    if homes is None and rows_s is None and not s.survey_response:
        raise NotComputed("no care homes file, no provider cost survey and no survey_response to compare the assumptions with")
    return pd.DataFrame(rows)

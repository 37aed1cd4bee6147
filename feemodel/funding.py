"""Who pays each placement's weekly fee: council, resident, third party (top-up), NHS FNC, NHS CHC.

Rules (£/week, held in whole pence so every split balances exactly):

* council-funded: the council's fee for the placement (excluding FNC) is split between the resident's
  assessed contribution (the data's ``assessed_contribution`` where given, else the Care Act means
  test for the date, capped at the fee) and the council (the rest). A third-party top-up is on top,
  and FNC is on top for an eligible nursing placement. gross = fee + top-up + FNC.
* self-funded: the resident pays the provider's price, less FNC where eligible (the NHS pays FNC
  for self-funders too).
* NHS continuing healthcare (CHC): the NHS pays the whole fee.

Identity, for every placement: gross = council + resident + third_party + nhs_fnc + nhs_chc.

Top-up collection (scenario ``uplift.topup_collection``): with ``council_gross`` the council pays
the gross fee (less FNC) to the provider and collects the resident's and the third party's shares,
so it carries the risk of unpaid top-ups (statutory guidance Annex A: the council stays liable for
the full fee if top-up payments stop); with ``direct`` the third party pays the provider.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .charging import ChargingRules, assess_pence
from .money import to_pence, to_pounds
from .params import NationalParameters

PARTS = ["council", "resident", "third_party", "nhs_fnc", "nhs_chc"]
WEEKS_PER_YEAR = 365 / 7


def split_pence(placements: pd.DataFrame, rules: ChargingRules, fnc_p: int,
                fee_p: np.ndarray | None = None, topup_p: np.ndarray | None = None,
                price_p: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Vectorised funding split in pence.

    ``fee_p`` (council fee excluding FNC), ``topup_p`` and ``price_p`` (self-funder price incl. FNC)
    override the book's own columns, which is how fee scenarios are costed.
    """
    n = len(placements)
    funding = placements["funding"].to_numpy()
    council_f = funding == "council"
    self_f = funding == "self"
    chc_f = funding == "chc"
    if fee_p is None:
        fee_p = to_pence(placements["weekly_fee"].fillna(0).to_numpy())
    if topup_p is None:
        topup_p = to_pence(placements["third_party_topup"].fillna(0).to_numpy())
    if price_p is None:
        price_p = to_pence(placements["provider_price"].to_numpy())
    fnc = np.where(placements["fnc_eligible"].to_numpy() & ~chc_f, fnc_p, 0).astype(np.int64)
    income_p = to_pence(placements["weekly_income"].to_numpy())
    capital_p = to_pence(placements["capital"].to_numpy())
    assessed = assess_pence(income_p, capital_p, rules, fee_p)["contribution"]
    given = placements["assessed_contribution"].to_numpy(dtype=float)
    has_given = ~np.isnan(given)
    if has_given.any():
        assessed = np.where(has_given, np.minimum(to_pence(np.nan_to_num(given)), fee_p), assessed)

    zero = np.zeros(n, dtype=np.int64)
    resident = np.where(council_f, assessed, np.where(self_f, np.maximum(price_p - fnc, 0), 0))
    council = np.where(council_f, fee_p - resident, 0)
    third = np.where(council_f, topup_p, 0)
    chc = np.where(chc_f, fee_p, 0)
    gross = np.where(council_f, fee_p + topup_p + fnc, np.where(self_f, np.maximum(price_p, fnc), chc))
    return {"gross": gross.astype(np.int64), "council": council.astype(np.int64), "resident": resident.astype(np.int64),
            "third_party": third.astype(np.int64), "nhs_fnc": fnc, "nhs_chc": chc.astype(np.int64), "zero": zero}


def funding_split(placements: pd.DataFrame, params: NationalParameters, when: dt.date,
                  topup_collection: str = "council_gross") -> pd.DataFrame:
    """One row per placement: gross weekly fee and each payer's share (£/week, 2 dp).

    Carries only ids and category columns, never names or free text.
    """
    rules = ChargingRules.on(when, params)
    fnc_p = to_pence(params.get("nhs.fnc_standard_rate", when))
    s = split_pence(placements, rules, fnc_p)
    out = placements[["placement_id", "home_id", "setting", "client_group", "area", "funding", "band"]].copy()
    out["gross_gbp_pw"] = to_pounds(s["gross"])
    for part in PARTS:
        out[f"{part}_gbp_pw"] = to_pounds(s[part])
    if topup_collection == "council_gross":
        paid = np.where(placements.funding.eq("council"), s["gross"] - s["nhs_fnc"], 0)
    else:
        paid = np.where(placements.funding.eq("council"), s["council"] + s["resident"], 0)
    out["council_pays_provider_gbp_pw"] = to_pounds(paid)
    out["balances"] = s["gross"] == s["council"] + s["resident"] + s["third_party"] + s["nhs_fnc"] + s["nhs_chc"]
    return out


def summarise_split(split: pd.DataFrame, by: str) -> pd.DataFrame:
    """Totals of each payer's share by one grouping column (£/week and £/year)."""
    cols = ["gross_gbp_pw"] + [f"{p}_gbp_pw" for p in PARTS]
    g = split.groupby(by, sort=True)
    out = g[cols].sum()
    out.insert(0, "placements", g.size())
    for c in cols:
        out[c] = out[c].round(2)
        out[c.replace("_gbp_pw", "_gbp_pa")] = to_pounds(to_pence(out[c] * WEEKS_PER_YEAR))
    out = out.reset_index().rename(columns={by: "group"})
    out.insert(0, "grouping", by)
    return out


def summary_tables(split: pd.DataFrame) -> pd.DataFrame:
    """The split summarised by band, client group, area and funding type, stacked in one table."""
    frames = [summarise_split(split.assign(band=split.band.replace("", "(not council-funded)")), "band")]
    frames += [summarise_split(split, by) for by in ("client_group", "area", "funding")]
    return pd.concat(frames, ignore_index=True)


def topup_exposure(split: pd.DataFrame, topup_collection: str) -> dict:
    """What the council would owe a year if every top-up payment stopped (it stays liable)."""
    weekly = float(split.third_party_gbp_pw.sum())
    return {
        "topup_collection": topup_collection,
        "placements_with_topups": int((split.third_party_gbp_pw > 0).sum()),
        "topups_gbp_pw": round(weekly, 2),
        "council_exposure_gbp_pa": to_pounds(to_pence(weekly * WEEKS_PER_YEAR)),
        "collected_by_council": topup_collection == "council_gross",
    }

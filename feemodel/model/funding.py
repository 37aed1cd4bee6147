"""Who pays each placement's weekly fee: council, resident, third party (top-up), NHS FNC, NHS CHC.

Rules (£/week, held in whole pence so every split balances exactly):

* council-funded: the council's fee for the placement (excluding FNC) is split between the resident's
  assessed contribution (the data's ``assessed_contribution`` where given, else the Care Act means
  test for the date, capped at the fee) and the council (the rest). A top-up is on top, and FNC is
  on top for an eligible nursing placement. gross = fee + top-up + FNC. The top-up is normally paid
  by a third party (a family: ``third_party_topup``); a resident may pay their own top-up
  (``first_party_topup``) only during the 12-week property disregard or under a deferred payment
  agreement (Care and Support and After-care (Choice of Accommodation) Regulations 2014, reg 5), so
  it is its own payer, ``first_party``, shown apart from families' top-ups.
* self-funded: the resident pays the provider's price, less FNC where eligible (the NHS pays FNC
  for self-funders too).
* NHS continuing healthcare (CHC): the NHS pays the whole fee.

Identity, for every placement: gross = council + resident + third_party + first_party + nhs_fnc + nhs_chc.

Top-up collection (scenario ``uplift.topup_collection``): with ``council_gross`` the council pays
the gross fee (less FNC) to the provider and collects the resident's and the third party's shares,
so it carries the risk of unpaid top-ups (statutory guidance Annex A: the council stays liable for
the full fee if top-up payments stop); with ``direct`` the third party pays the provider.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from .charging import ChargingRules, assess_pence
from ..money import pounds, to_pence, to_pounds
from ..inputs.params import NationalParameters

PARTS = ["council", "resident", "third_party", "first_party", "nhs_fnc", "nhs_chc"]
WEEKS_PER_YEAR = 365 / 7


@dataclass(frozen=True)
class BookArrays:
    """A placement book encoded once as numpy arrays (whole pence, category codes), for fast costing."""

    n: int
    council: np.ndarray
    self_funded: np.ndarray
    chc: np.ndarray
    nursing: np.ndarray
    in_area: np.ndarray
    fnc_eligible: np.ndarray
    fee: np.ndarray            # pence; 0 where blank
    topup: np.ndarray          # the placement's top-up (pence), whoever pays it
    first_party: np.ndarray    # the resident pays the top-up (first party), not a family
    price: np.ndarray
    income: np.ndarray
    capital: np.ndarray
    given: np.ndarray          # assessed contribution in pence, -1 where not given
    band_code: np.ndarray      # index into band_names, -1 where no band
    band_names: tuple
    # from a reassessment (optional book columns): the proposed band a placement moves to (index into
    # proposed_band_names, -1 where blank) and its own supplementary hours a week (NaN where blank)
    proposed_band_code: np.ndarray
    supplementary_hours: np.ndarray
    proposed_band_names: tuple

    @classmethod
    def from_frame(cls, p: pd.DataFrame) -> "BookArrays":
        funding = p["funding"].to_numpy(dtype=object)
        band = p["band"] if "band" in p else pd.Series("", index=p.index)
        area = p["area"] if "area" in p else pd.Series("in", index=p.index)
        codes, names = _codes(band)
        given = p["assessed_contribution"].to_numpy(dtype=float)
        prop_codes, prop_names = _codes(p["proposed_band"] if "proposed_band" in p else pd.Series("", index=p.index))
        hours = (pd.to_numeric(p["supplementary_hours"], errors="coerce").to_numpy(dtype=float)
                 if "supplementary_hours" in p else np.full(len(p), np.nan))
        first = p["first_party_topup"].fillna(0).to_numpy(dtype=float) if "first_party_topup" in p else np.zeros(len(p))
        return cls(
            n=len(p), council=funding == "council", self_funded=funding == "self", chc=funding == "chc",
            nursing=p["setting"].to_numpy(dtype=object) == "nursing", in_area=area.to_numpy(dtype=object) == "in",
            fnc_eligible=p["fnc_eligible"].to_numpy(dtype=bool),
            fee=to_pence(p["weekly_fee"].fillna(0).to_numpy()), topup=to_pence(p["third_party_topup"].fillna(0).to_numpy() + first),
            first_party=first > 0,
            price=to_pence(p["provider_price"].to_numpy()), income=to_pence(p["weekly_income"].to_numpy()),
            capital=to_pence(p["capital"].to_numpy()),
            given=np.where(np.isnan(given), -1, to_pence(np.nan_to_num(given))), band_code=codes, band_names=names,
            proposed_band_code=prop_codes, supplementary_hours=hours, proposed_band_names=prop_names,
        )

    def take(self, rows: np.ndarray) -> "BookArrays":
        """The placements where the boolean mask ``rows`` is true (in book order), or at the
        integer positions ``rows`` (in that order)."""
        rows = np.asarray(rows)
        arrays = {f.name: getattr(self, f.name)[rows] for f in fields(self) if isinstance(getattr(self, f.name), np.ndarray)}
        n = int(np.count_nonzero(rows)) if rows.dtype == bool else len(rows)
        return replace(self, n=n, **arrays)

    def band_values(self, mapping: dict, default=0, dtype=np.int64) -> np.ndarray:
        """Per-placement value of a {band name: value} mapping (``default`` where no band or unlisted)."""
        table = np.array([mapping.get(b, default) for b in self.band_names] + [default], dtype=dtype)
        return table[self.band_code]  # code -1 picks the trailing default

    @property
    def has_reassessment(self) -> bool:
        """Whether any placement carries its own proposed band or supplementary hours."""
        return bool((self.proposed_band_code >= 0).any() or np.isfinite(self.supplementary_hours).any())


def _codes(names: pd.Series) -> tuple[np.ndarray, tuple]:
    """(code per row, the names coded): a band name column as integer codes, -1 where blank."""
    cat = pd.Categorical(names.fillna("").astype(str).str.strip())
    known = tuple(cat.categories)
    codes = cat.codes.astype(np.int32)
    if "" in known:
        codes = np.where(codes == known.index(""), -1, codes)
    return codes, known


def as_arrays(placements) -> BookArrays:
    return placements if isinstance(placements, BookArrays) else BookArrays.from_frame(placements)


def split_pence(placements, rules: ChargingRules, fnc_p: int,
                fee_p: np.ndarray | None = None, topup_p: np.ndarray | None = None,
                price_p: np.ndarray | None = None, uncapped: dict | None = None) -> dict[str, np.ndarray]:
    """Vectorised funding split in pence, for a DataFrame book or its :class:`BookArrays`.

    ``fee_p`` (council or CHC fee excluding FNC), ``topup_p`` and ``price_p`` (self-funder price
    incl. FNC) override the book's own columns, which is how fee scenarios are costed. ``uncapped``
    is the means test without a fee (``assess_pence`` with no fee), to reuse across fee variants.
    """
    a = as_arrays(placements)
    fee_p = a.fee if fee_p is None else fee_p
    topup_p = a.topup if topup_p is None else topup_p
    price_p = a.price if price_p is None else price_p
    fnc = np.where(a.fnc_eligible & ~a.chc, np.int64(fnc_p), np.int64(0))
    u = uncapped if uncapped is not None else assess_pence(a.income, a.capital, rules)
    assessed = np.where(u["self_funder"], fee_p, np.minimum(u["contribution"], fee_p))
    assessed = np.where(a.given >= 0, np.minimum(a.given, fee_p), assessed)
    zero = np.zeros(a.n, dtype=np.int64)
    self_pays = np.maximum(price_p - fnc, 0)
    resident = np.where(a.council, assessed, np.where(a.self_funded, self_pays, zero))
    council = np.where(a.council, fee_p - resident, zero)
    third = np.where(a.council & ~a.first_party, topup_p, zero)
    first = np.where(a.council & a.first_party, topup_p, zero)
    chc = np.where(a.chc, fee_p, zero)
    gross = np.where(a.council, fee_p + topup_p + fnc, np.where(a.self_funded, self_pays + fnc, chc))
    return {"gross": gross, "council": council, "resident": resident, "third_party": third, "first_party": first,
            "nhs_fnc": fnc, "nhs_chc": chc}


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
    out["balances"] = s["gross"] == sum(s[part] for part in PARTS)
    return out


def summarise_split(split: pd.DataFrame, by: str) -> pd.DataFrame:
    """Totals of each payer's share by one grouping column (£/week and £/year)."""
    cols = ["gross_gbp_pw"] + [f"{p}_gbp_pw" for p in PARTS]
    g = split.groupby(by, sort=True)
    out = g[cols].sum()
    out.insert(0, "placements", g.size())
    for c in cols:
        out[c] = pounds(out[c])
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
    own = float(split.first_party_gbp_pw.sum()) if "first_party_gbp_pw" in split else 0.0
    return {
        "topup_collection": topup_collection,
        "placements_with_topups": int((split.third_party_gbp_pw > 0).sum()),
        "topups_gbp_pw": pounds(weekly),
        "council_exposure_gbp_pa": to_pounds(to_pence(weekly * WEEKS_PER_YEAR)),
        "placements_with_first_party_topups": int((split.first_party_gbp_pw > 0).sum()) if own else 0,
        "first_party_topups_gbp_pw": pounds(own),
        "first_party_exposure_gbp_pa": to_pounds(to_pence(own * WEEKS_PER_YEAR)),
        "collected_by_council": topup_collection == "council_gross",
    }

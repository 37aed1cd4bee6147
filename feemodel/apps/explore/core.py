"""The explorer's logic, with no widgets: levers and their ranges from the scenario schema, the
results on screen, the figures computed once a lever stops, options side by side, saving.
See :mod:`feemodel.apps.explore`."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import re
import time
import typing
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from ...errors import InputError, NotComputed
from ...inputs.scenario import Band, CarePay, Category, Returns, Scenario, Uplift, _pydantic_error
from ...model import budget, impact, market, sensitivity, uplift
from ...model.case import BOOK_DERIVED, Case
from ...model.engine import CostEngine
from ...model.funding import PARTS
from ...model.rates import rate_card
from ...money import fmt_gbp, fmt_gbp_m, pounds, to_pounds
from ...publish import labels
from ...publish.suppression import suppress_tables
from ...publish.tables import PUBLISHED_COUNTS, load_case
from ...publish.tables import montecarlo as pack_montecarlo

NAME_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,60}\Z")
QUICK_DRAWS = 1_000      # draws of the quick range beside the live headline (the pack's seed)
MAX_OPTIONS = 4          # settings kept side by side
APPROACHES = {"legacy": "Uplift current bands", "proposed": "Move to proposed rates"}
# the settings a built rate depends on (the effective date sets the national figures in force)
COST_SETTINGS = ("pay_premium_change", "occupancy_pct", "return_on_operations_pct", "capital_yield_pct", "effective_date")


class ExplorerError(Exception):
    """A setting that cannot be applied, explained for a commissioner."""


# ---- bounds from the scenario schema

def _bounds_in(metadata) -> tuple[float | None, float | None]:
    lo = hi = None
    for m in metadata:
        if isinstance(m, FieldInfo):
            lo2, hi2 = _bounds_in(m.metadata)
            lo, hi = lo2 if lo2 is not None else lo, hi2 if hi2 is not None else hi
        if getattr(m, "ge", None) is not None:
            lo = m.ge
        if getattr(m, "le", None) is not None:
            hi = m.le
    return lo, hi


def _bounds_in_type(tp) -> tuple[float | None, float | None]:
    if typing.get_origin(tp) is typing.Annotated:
        return _bounds_in(typing.get_args(tp)[1:])
    for arg in typing.get_args(tp):
        found = _bounds_in_type(arg)
        if found != (None, None):
            return found
    return None, None


def field_bounds(model: type[BaseModel], name: str) -> tuple[float | None, float | None]:
    """(ge, le) of a scenario schema field, read from its pydantic metadata (also inside
    ``X | None`` and the values of ``dict[str, X]``): the explorer's ranges are the schema's."""
    info = model.model_fields[name]
    found = _bounds_in(info.metadata)
    return found if found != (None, None) else _bounds_in_type(info.annotation)


@dataclass(frozen=True)
class Lever:
    """One control: its words, unit (``pct``, ``gbp_pw``, ``gbp_ph``, ``date``), allowed range and
    the approaches it applies under."""

    name: str
    label: str
    unit: str
    help: str
    lo: float | dt.date | None = None
    hi: float | dt.date | None = None
    modes: tuple[str, ...] = ("legacy", "proposed")


def fmt_value(value, unit: str) -> str:
    """A lever's value in words with its unit: '6%', '£760.00 a week', '−£1.00 an hour', '6 April 2026'."""
    if unit == "date":
        d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        return f"{d.day} {d:%B %Y}"
    v = float(value)
    sign = "\u2212" if v < 0 else ""
    if unit == "pct":
        return f"{sign}{abs(v):g}%"
    per = {"gbp_pw": " a week", "gbp_ph": " an hour"}[unit]
    return f"{sign}\u00a3{abs(v):,.2f}{per}"


# ---- results

@dataclass
class Results:
    """What the screen shows for one set of settings (money in £)."""

    headline: dict
    rates: pd.DataFrame            # band, now_gbp_pw (blank for a new band), costed_gbp_pw: the rates costed
    rate_card: pd.DataFrame        # the rate card of the rates costed (as the pack's rate_card table)
    built_rates: dict              # proposed band -> £ a week built from the cost of care (or stated), without overrides
    current_rates: dict            # current band -> £ a week now
    costed_by_current: dict        # current band -> £ a week it is costed at (the chart)
    funding: pd.DataFrame          # payer, now, proposed, change (£ a week, all placements)
    topups: dict
    seconds: float = 0.0


@dataclass
class Extras:
    """The figures computed once a lever stops moving (£)."""

    range: dict                    # P10, P50, P90, draws, seed
    five_year: pd.DataFrame        # financial_year, period, gross_change_gbp, council_net_change_gbp
    who: pd.DataFrame              # impact.who_gains as the pack publishes it (counts under the threshold withheld)
    homes_below_cost: dict         # now / proposed, as the pack publishes them ('<5', or '' where withheld; '' without a homes file)
    seconds: float = 0.0


@dataclass
class Option:
    """A pinned setting: its label, settings, results and the range the pack would publish."""

    label: str
    settings: dict
    results: Results
    range: dict
    extras: Extras


def _who_first_year(who: pd.DataFrame, who_: str, what: str | None = None):
    rows = who[(who.who == who_) & ((who.what == what) if what else True)]
    return rows.change_first_year_gbp.iloc[0] if len(rows) else float("nan")


@dataclass
class Explorer:
    case: Case                      # the base scenario's loaded case; settings make variants of it
    settings: dict = field(default_factory=dict)
    results: Results | None = None
    message: str = ""
    options: list[Option] = field(default_factory=list)
    _extras: dict = field(default_factory=dict, repr=False)
    _built: dict = field(default_factory=dict, repr=False)

    @property
    def base(self) -> Scenario:
        return self.case.scenario

    @property
    def params(self):
        return self.case.params

    @classmethod
    def from_scenario(cls, path: str | Path) -> Explorer:
        ex = cls(load_case(path))
        for name in BOOK_DERIVED:  # the book's arrays, made once and shared by every variant
            getattr(ex.case, name)
        ex.settings = ex.defaults()
        ex.results = ex.compute(ex.scenario())
        return ex

    # ---- settings
    @cached_property
    def _start(self) -> dict:
        return self.defaults()

    def defaults(self) -> dict:
        s = self.base
        cats = list(s.cost_of_care.categories.values())
        return {
            "structure": "proposed" if s.uplift.method == "target_rates" else "legacy",
            "uniform_pct": s.uplift.uniform_pct,
            "per_band_pct": dict(s.uplift.per_band_pct),  # only bands the user set differently from the uniform %
            "target_rates": {},                       # proposed band -> the rate card's £/week (empty: built from cost)
            "pay_premium_change": 0.0,                # £/hour on every category's care pay
            # a category with no assumed occupancy keeps none (its lines are all per resident)
            "occupancy_pct": round(sum(occ) / len(occ), 1) if (occ := [c.occupancy_pct for c in cats if c.occupancy_pct]) else 90.0,
            "return_on_operations_pct": cats[0].returns.return_on_operations_pct if cats else 0.0,
            "capital_yield_pct": cats[0].returns.capital_yield_pct if cats else 0.0,
            "provider_pass_through_pct": s.uplift.provider_pass_through_pct,
            "effective_date": s.uplift.effective_date.isoformat(),
        }

    @cached_property
    def levers(self) -> dict[str, Lever]:
        """Every lever with its allowed range, read from the scenario schema (see :func:`field_bounds`)."""
        s = self.base
        pct_lo, pct_hi = field_bounds(Uplift, "uniform_pct")
        band_lo, band_hi = field_bounds(Uplift, "per_band_pct")
        occ_lo, occ_hi = field_bounds(Category, "occupancy_pct")
        roo_lo, roo_hi = field_bounds(Returns, "return_on_operations_pct")
        yld_lo, yld_hi = field_bounds(Returns, "capital_yield_pct")
        pt_lo, pt_hi = field_bounds(Uplift, "provider_pass_through_pct")
        pay = [c.care_pay.nlw_premium if c.care_pay.nlw_premium is not None else c.care_pay.hourly_rate
               for c in s.cost_of_care.categories.values() if c.care_pay is not None]
        pay_lo, pay_hi = field_bounds(CarePay, "nlw_premium")
        end = dt.date(s.financial_year + 1, 3, 31)
        return {
            "uniform_pct": Lever("uniform_pct", "Uplift for every band", "pct",
                                 "The percentage added to every current band's weekly fee (a negative figure is a cut).",
                                 pct_lo, pct_hi, ("legacy",)),
            "per_band_pct": Lever("per_band_pct", "Uplift for this band", "pct",
                                  "This band's own percentage, in place of the uplift for every band.", band_lo, band_hi, ("legacy",)),
            "target_rates": Lever("target_rates", "Your rate for this band", "gbp_pw",
                                  "The weekly rate you want to pay, as it appears on the rate card (including any quality "
                                  "premium or supplementary hours). Leave empty to use the rate built from the cost of care.",
                                  None, None, ("proposed",)),
            "pay_premium_change": Lever("pay_premium_change", "Change in care workers' hourly pay", "gbp_ph",
                                        "Added to the hourly pay of care workers in every cost category (the premium over "
                                        "the National Living Wage, or the stated hourly rate). Moves the built rates and "
                                        "the homes' cost of care.",
                                        round(pay_lo - min(pay), 2) if pay else 0.0, round(pay_hi - max(pay), 2) if pay else 0.0),
            "occupancy_pct": Lever("occupancy_pct", "Occupancy assumed in the cost of care", "pct",
                                   "The share of beds filled that the cost per resident is built on: a fuller home spreads its "
                                   "fixed costs over more residents, so the built rates fall. Starts at the categories' average; "
                                   "once changed, every category takes this figure.", occ_lo, occ_hi),
            "return_on_operations_pct": Lever("return_on_operations_pct", "Return on operations", "pct",
                                              "The operating profit allowed, as a percentage of the home's costs (once changed, "
                                              "for every cost category).", roo_lo, roo_hi),
            "capital_yield_pct": Lever("capital_yield_pct", "Return on capital (yield)", "pct",
                                       "The yearly return allowed on the value of the home's land and buildings, per bed (once "
                                       "changed, for every cost category).",
                                       yld_lo, yld_hi),
            "provider_pass_through_pct": Lever("provider_pass_through_pct", "Share of the rise homes take from top-ups", "pct",
                                               "How much of the council's fee rise homes are assumed to take off families' "
                                               "top-ups (0% = top-ups unchanged).", pt_lo, pt_hi),
            "effective_date": Lever("effective_date", "Date the new fees start", "date",
                                    "The first day the new fees are paid; the first year's cost runs from this date to 31 March.",
                                    s.year_start, end),
        }

    def range_text(self, name: str, band: str | None = None) -> str:
        """'from −100% to 100%' for a lever (a target rate: for its band)."""
        lo, hi, unit = *self.bounds(name, band), self.levers[name].unit
        return f"from {fmt_value(lo, unit)} to {fmt_value(hi, unit)}"

    def bounds(self, name: str, band: str | None = None):
        """(lowest, highest) a lever may take. A target rate is the card's rate, so it runs from the
        band's add-ons (quality premium, supplementary hours) over the schema's range of a stated rate."""
        lever = self.levers[name]
        if name != "target_rates":
            return lever.lo, lever.hi
        lo, hi = field_bounds(Band, "weekly_rate")
        extra = self._addons(band)
        return pounds(lo + extra), pounds(hi + extra)

    def _addons(self, band: str | None) -> float:
        b = next((b for b in self.base.bands("proposed") if b.name == band), None)
        if b is None:
            raise ExplorerError(f"There is no proposed band called {band!r}.")
        return pounds(b.quality_premium + b.supplementary_hours * b.supplementary_hourly_rate)

    def applies(self, name: str, structure: str | None = None) -> tuple[bool, str]:
        """Whether a lever is used under the approach (default: the current one), and if not, why."""
        structure = structure or self.settings["structure"]
        lever = self.levers.get(name)
        if lever is None or structure in lever.modes:
            return True, ""
        if structure == "proposed":
            return False, (f"Not used under \u201c{APPROACHES['proposed']}\u201d: fees move to the proposed rate card, so a "
                           f"percentage uplift does not apply. Choose \u201c{APPROACHES['legacy']}\u201d to use it.")
        return False, (f"Not used under \u201c{APPROACHES['legacy']}\u201d: fees rise by the percentages, so target rates do "
                       f"not apply. Choose \u201c{APPROACHES['proposed']}\u201d to use them.")

    def check(self, name: str, value, band: str | None = None) -> str:
        """'' if the value may be used, else the plain-English reason it is refused."""
        lever = self.levers[name]
        label = f"{lever.label} ({band})" if band else lever.label
        if lever.unit == "date":
            try:
                d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
            except ValueError:
                return f"{label}: give a date between {fmt_value(lever.lo, 'date')} and {fmt_value(lever.hi, 'date')}."
            if not lever.lo <= d <= lever.hi:
                return (f"{label}: {fmt_value(d, 'date')} is outside the scenario's financial year; the date must be "
                        f"{self.range_text(name)}. It was not used; the figures shown are still for "
                        f"{fmt_value(self.settings[name], 'date')}.")
            return ""
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return f"{label}: give a number {self.range_text(name, band)}."
        lo, hi = self.bounds(name, band)
        if not lo <= value <= hi:
            current = self.settings[name]
            if isinstance(current, dict):
                current = current.get(band)
                if current is None and name == "target_rates":
                    shown = "the built rate"
                elif current is None:
                    shown = fmt_value(self.settings["uniform_pct"], lever.unit)
                else:
                    shown = fmt_value(current, lever.unit)
            else:
                shown = fmt_value(current, lever.unit)
            return (f"{label}: {fmt_value(value, lever.unit)} is outside the allowed range, {self.range_text(name, band)}. "
                    f"It was not used; the figures shown are still for {shown}.")
        return ""

    def scenario(self, settings: dict | None = None) -> Scenario:
        """The base scenario with the settings applied, validated like a scenario file."""
        st = settings or self.settings
        data = self.base.model_dump(mode="json", exclude={"path"})
        u = data["uplift"]
        if st["structure"] == "proposed":
            u["method"] = "target_rates"
        elif self.base.uplift.method == "index" and not st.get("pct_set"):
            pass  # the scenario's own uplift index, until a percentage is typed
        else:
            overrides = st["per_band_pct"]
            u["method"] = "per_band" if overrides else "uniform"
            u["uniform_pct"] = st["uniform_pct"]
            u["per_band_pct"] = {b.name: overrides.get(b.name, st["uniform_pct"]) for b in self.base.bands("current")} if overrides else {}
        if u.get("reach") is not None and (u["method"] == "target_rates") != (self.base.uplift.method == "target_rates"):
            u["reach"] = None  # the base's reach is for its own kind of method; the other kind takes its default
        u["provider_pass_through_pct"] = st["provider_pass_through_pct"]
        u["effective_date"] = st["effective_date"]
        # occupancy and returns: each category keeps its own until the lever moves, then all take its value
        start = self._start
        for cat in data["cost_of_care"]["categories"].values():
            if cat.get("occupancy_pct") is not None and st["occupancy_pct"] != start["occupancy_pct"]:
                cat["occupancy_pct"] = st["occupancy_pct"]
            for key in ("return_on_operations_pct", "capital_yield_pct"):
                if st[key] != start[key]:
                    cat["returns"][key] = st[key]
            if st["pay_premium_change"] and cat.get("care_pay"):
                pay = cat["care_pay"]
                key = "nlw_premium" if pay.get("nlw_premium") is not None else "hourly_rate"
                pay[key] = round(pay[key] + st["pay_premium_change"], 4)
        if st["structure"] == "proposed":
            for band in data["band_structures"][data["proposed_structure"]]:
                if band["name"] in st["target_rates"]:
                    # the figure typed is the card's rate: the stated rate is it less the band's add-ons
                    stated = pounds(st["target_rates"][band["name"]] - self._addons(band["name"]))
                    band["weekly_rate"], band["category"] = stated, None
        try:
            s = Scenario.model_validate(data)
        except ValidationError as err:
            raise ExplorerError(_explain(_pydantic_error(Path("scenario"), err).message)) from None
        return s.model_copy(update={"path": self.base.path})

    def set(self, name: str, value) -> Results | None:
        """Change one setting and recompute. A value outside its range, or a lever the approach does
        not use, is refused with the reason in :attr:`message`; the last good results stay."""
        if name not in self.settings:
            raise KeyError(name)
        ok, why = self.applies(name)
        if not ok:
            self.message = why
            return None
        trial = {**self.settings}
        if name in ("uniform_pct", "per_band_pct"):
            trial["pct_set"] = True   # from now on the % typed is the uplift (an index scenario leaves its index)
        if name in ("per_band_pct", "target_rates"):
            band, amount = value
            problem = "" if amount is None else self.check(name, amount, band)
            trial[name] = {**trial[name]}
            if amount is None:
                trial[name].pop(band, None)
            else:
                trial[name][band] = float(amount)
        elif name == "structure":
            problem = "" if value in APPROACHES else f"Choose one of: {', '.join(APPROACHES.values())}."
            trial[name] = value
        else:
            problem = self.check(name, value)
            trial[name] = value.isoformat() if isinstance(value, dt.date) else value
        if problem:
            self.message = problem
            return None
        try:
            scenario = self.scenario(trial)
            results = self.compute(scenario, trial)
        except (ExplorerError, InputError, ValueError) as err:
            self.message = str(err) if isinstance(err, ExplorerError) else _explain(str(err))
            return None
        self.settings, self.results, self.message = trial, results, ""
        return results

    def reset(self) -> Results:
        """Back to the base scenario's settings (pinned options stay)."""
        self.settings = self.defaults()
        self.results, self.message = self.compute(self.scenario()), ""
        return self.results

    # ---- results
    def compute(self, s: Scenario, settings: dict | None = None) -> Results:
        """Every figure on screen for scenario ``s``, made from ``settings`` (default: the current ones)."""
        t0 = time.perf_counter()
        case = self.case.with_scenario(s)
        cost = uplift.uplift_cost(case, years=1)
        head = uplift.headline(cost)
        yf = uplift.first_year(case)
        p = case.book.placements
        self_f = p.funding.eq("self").to_numpy()
        rows = []
        for part in ["gross"] + PARTS:
            masks = [("resident", ~self_f), ("self_funder", self_f)] if part == "resident" else [(part, None)]
            for name, m in masks:
                b, a = (yf.base[part], yf.new[part]) if m is None else (yf.base[part][m], yf.new[part][m])
                before, after = int(b.sum()), int(a.sum())
                rows.append({"payer": name, "now_gbp_pw": to_pounds(before), "proposed_gbp_pw": to_pounds(after),
                             "change_gbp_pw": to_pounds(after - before)})
        has = yf.base["third_party"] > 0
        new_t, old_t = yf.new["third_party"][has], yf.base["third_party"][has]
        topups = {"with_topups": int(has.sum()), "fall": int(((new_t < old_t) & (new_t > 0)).sum()),
                  "vanish": int((new_t == 0).sum()), "rise": int((new_t > old_t).sum())}
        costed = uplift.band_rates_costed(case)
        card = rate_card(s, self.params, "proposed", costed=costed if s.uplift.pct_method else None)
        current = {k: to_pounds(v) for k, v in case.current_rates.items()}
        if s.uplift.pct_method:  # uplifting current bands: each current band at its uplifted rate
            rates = pd.DataFrame({"band": card.band, "now_gbp_pw": [current[b] for b in card.band], "costed_gbp_pw": card.weekly_rate_gbp})
        else:
            rates = pd.DataFrame({"band": card.band, "now_gbp_pw": [current.get(b, float("nan")) for b in card.band],
                                  "costed_gbp_pw": card.weekly_rate_gbp})
        return Results(
            headline=head, rates=rates, rate_card=card, built_rates=self._built_rates(s, settings or self.settings), current_rates=current,
            costed_by_current={k: to_pounds(v) for k, v in costed.items()},
            funding=pd.DataFrame(rows), topups=topups,
            seconds=time.perf_counter() - t0,
        )

    def _built_rates(self, s: Scenario, settings: dict) -> dict:
        """Each proposed band's rate on the card without any override: built from the cost of care
        at the current pay, occupancy and returns (or stated in the scenario)."""
        key = repr([settings[k] for k in COST_SETTINGS])   # nothing else moves a built rate: kept per cost settings
        if key not in self._built:
            st = {**settings, "structure": "proposed", "target_rates": {}}
            plain = self.scenario(st) if s.uplift.method != "target_rates" or settings["target_rates"] else s
            card = rate_card(plain, self.params, "proposed")
            self._built = {key: dict(zip(card.band, card.weekly_rate_gbp, strict=True))} | dict(list(self._built.items())[-7:])
        return self._built[key]

    @staticmethod
    def _published(tables: dict, threshold: int) -> dict:
        """The tables as the pack publishes them: counts under ``threshold`` withheld (see suppression.py)."""
        return suppress_tables(tables, {n: PUBLISHED_COUNTS[n] for n in tables}, threshold)

    def extras(self, settings: dict | None = None) -> Extras:
        """The range of the first-year cost (:data:`QUICK_DRAWS` draws, the scenario's seed), the
        five-year series, who gains and loses and the homes below their cost of care (counts as the
        pack publishes them: the sustainability and who-gains tables suppressed together, threshold
        ``publication.suppress_below``), for the settings (default: the current ones); kept per settings."""
        st = settings or self.settings
        key = repr(sorted(st.items()))
        if key not in self._extras:
            t0 = time.perf_counter()
            case = self.case.with_scenario(self.scenario(st))
            table = sensitivity.monte_carlo(CostEngine(case), draws=QUICK_DRAWS)[0].set_index("statistic").council_cost_gbp
            rng = {"P10": float(table["P10"]), "P50": float(table["P50"]), "P90": float(table["P90"]),
                   **sensitivity.monte_carlo_settings(case.scenario, draws=QUICK_DRAWS)}
            cost = uplift.uplift_cost(case)
            rec = budget.reconciliation(cost)
            five = rec[rec.step.isin(["gross_change", "council_net_change"])].pivot_table(
                index=["financial_year", "period"], columns="step", values="amount_gbp", sort=False).reset_index()
            five = five.rename(columns={"gross_change": "gross_change_gbp", "council_net_change": "council_net_change_gbp"})
            try:
                agg = market.sustainability(case, uplift.first_year(case))[1]
            except NotComputed:
                agg = None
            tables = {"who_gains": impact.who_gains(case, cost, agg)}
            if agg is not None:
                tables["sustainability"] = agg
            shown = self._published(tables, case.scenario.publication.suppress_below)
            below = {"now": "", "proposed": ""}
            if agg is not None:
                total = shown["sustainability"].set_index("setting").loc["all"]
                below = {"now": _count(total.below_cost_now), "proposed": _count(total.below_cost_proposed)}
            self._extras = {key: Extras(rng, five[["financial_year", "period", "gross_change_gbp", "council_net_change_gbp"]],
                                        shown["who_gains"], below, time.perf_counter() - t0)} | dict(list(self._extras.items())[-7:])
        return self._extras[key]

    # ---- options side by side
    def pin(self, label: str | None = None) -> Option:
        """Keep the current settings as an option (at most :data:`MAX_OPTIONS`), with the range the
        pack publishes for it (the scenario's draws and seed: :func:`feemodel.publish.tables.montecarlo`)."""
        if len(self.options) >= MAX_OPTIONS:
            raise ExplorerError(f"Up to {MAX_OPTIONS} options can be compared; remove one first.")
        label = (label or "").strip() or f"Option {len(self.options) + 1}"
        if any(o.label == label for o in self.options):
            raise ExplorerError(f"An option called {label!r} is already pinned; give another name.")
        case = self.case.with_scenario(self.scenario())
        mc = pack_montecarlo(case).set_index("statistic").council_cost_gbp
        rng = {"P10": float(mc["P10"]), "P90": float(mc["P90"]), **sensitivity.monte_carlo_settings(case.scenario)}
        opt = Option(label, {**self.settings, "per_band_pct": dict(self.settings["per_band_pct"]),
                             "target_rates": dict(self.settings["target_rates"])}, self.results, rng, self.extras())
        self.options.append(opt)
        return opt

    def unpin(self, label: str | None = None) -> None:
        """Remove one option (by label), or all of them."""
        self.options = [o for o in self.options if label is not None and o.label != label]

    def describe(self, settings: dict) -> str:
        """The settings in a few words, as a commissioner would say them."""
        if settings["structure"] == "legacy":
            own = "; ".join(f"{b} {v:g}%" for b, v in settings["per_band_pct"].items())
            text = f"Uplift current bands by {settings['uniform_pct']:g}%" + (f" ({own})" if own else "")
        else:
            own = "; ".join(f"{b} \u00a3{v:,.2f}" for b, v in settings["target_rates"].items())
            text = "Move to proposed rates" + (f" (your rates: {own})" if own else "")
        changed = [f"{self.levers[k].label.lower()} {fmt_value(v, self.levers[k].unit)}" for k, v in settings.items()
                   if k in self.levers and self.levers[k].modes == ("legacy", "proposed") and v != self.defaults()[k]]
        return text + ("; " + "; ".join(changed) if changed else "")

    COMPARISON_COLUMNS = {
        "option": "Option", "settings": "Settings",
        "council_cost_part_year_gbp": "Cost to the council, first year from the start date (£)",
        "council_cost_full_year_gbp": "Cost to the council, full year (£)",
        "range_p10_gbp": "Range of the first-year cost, low (P10, £)", "range_p90_gbp": "Range of the first-year cost, high (P90, £)",
        "residents_contributions_gbp": "Residents paying a contribution: change, first year (£)",
        "families_topups_gbp": "Families' top-ups: change, first year (£)",
        "self_funders_gbp": "Self-funders: change, first year (£)",
        "homes_income_gbp": "Care homes' income: change, first year (£)",
        "homes_below_cost_now": "Homes below their cost of care now",
        "homes_below_cost_proposed": "Homes below their cost of care under the option",
    }

    def comparison(self) -> pd.DataFrame:
        """One row per pinned option (columns :attr:`COMPARISON_COLUMNS`; money in £ a year)."""
        rows = []
        for o in self.options:
            r, w, hb = o.results, o.extras.who, o.extras.homes_below_cost
            rows.append({
                "option": o.label, "settings": self.describe(o.settings),
                "council_cost_part_year_gbp": r.headline["council_net_change_part_year_gbp"],
                "council_cost_full_year_gbp": r.headline["council_net_change_full_year_gbp"],
                "range_p10_gbp": o.range["P10"], "range_p90_gbp": o.range["P90"],
                "residents_contributions_gbp": _who_first_year(w, "Residents paying an assessed contribution"),
                "families_topups_gbp": _who_first_year(w, impact.FAMILIES, impact.ALL_TOPUPS),
                "self_funders_gbp": _who_first_year(w, "Self-funders"),
                "homes_income_gbp": _who_first_year(w, impact.HOMES, "Income (fees, top-ups and self-funders' prices)"),
                "homes_below_cost_now": hb["now"], "homes_below_cost_proposed": hb["proposed"],
            })
        return pd.DataFrame(rows, columns=list(self.COMPARISON_COLUMNS))

    def comparison_csv(self) -> str:
        """The comparison as CSV text with plain headings (money in £, two decimals)."""
        frame = self.comparison().rename(columns=self.COMPARISON_COLUMNS)
        buf = io.StringIO()
        frame.to_csv(buf, index=False, float_format="%.2f", lineterminator="\n")
        return buf.getvalue()

    # ---- save
    def save(self, name: str, folder: str | Path | None = None, overwrite: bool = False, settings: dict | None = None) -> Path:
        """Write the settings (default: the current ones) as ``NAME.yaml`` in ``folder`` (default
        ``scenarios/`` in the current working directory, made if needed), keeping the base file's
        comments, and copy the data files it names beside it (refused where a different file of the
        same name is there already). Never into ``params/`` or the installed package."""
        import filecmp
        import os
        import shutil
        import tempfile

        from ...paths import PACKAGE_DIR, params_dir

        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            raise ExplorerError("Give the scenario a name of letters, numbers, '-' or '_' (up to 60), e.g. uplift_6pct.")
        folder = Path(folder) if folder else Path.cwd() / "scenarios"
        where = folder.resolve()
        for banned in (params_dir().resolve(), PACKAGE_DIR.resolve()):
            if where == banned or where.is_relative_to(banned):
                raise ExplorerError(f"Save to a folder of your own (by default scenarios/ in the current folder), not into {banned}: "
                                    "that folder belongs to feemodel.")
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{name}.yaml"
        if target.exists() and not overwrite:
            raise ExplorerError(f"{target.name} already exists in {folder}; choose another name.")
        st = settings or self.settings
        s = self.scenario(st).model_copy(update={"title": f"{self.base.title} (explorer: {name})"})
        # data files beside the saved scenario, as the loader requires
        copies = []
        for key in self.base.data.given():
            spec = self.base.data.spec(key)
            for rel in [spec.path] + ([spec.line_map] if spec.line_map else []):
                src, dst = self.base.folder / rel, folder / rel
                if src.resolve() == dst.resolve():
                    continue
                if dst.exists() and not filecmp.cmp(src, dst, shallow=False):
                    raise ExplorerError(f"{dst} already holds a different file; save scenarios of this council's data to another folder.")
                copies.append((src, dst))
        text = self._round_trip(s)
        for src, dst in copies:
            if not dst.exists():
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
        # a fresh temporary file in the same folder (O_EXCL, never a planted name or symlink), then
        # an atomic rename that replaces a symlink at the target itself rather than following it
        fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".yaml.tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return target

    def _round_trip(self, s: Scenario) -> str:
        """The base file's text with only the changed values rewritten (comments, order and layout kept)."""
        from ruamel.yaml import YAML

        yaml = YAML()  # round trip
        yaml.preserve_quotes = True
        yaml.width = 4096
        yaml.indent(mapping=2, sequence=4, offset=2)
        doc = yaml.load(self.base.path.read_text(encoding="utf-8-sig"))
        old = self.base.model_dump(mode="json", exclude={"path"})
        new = s.model_dump(mode="json", exclude={"path"})
        _merge(doc, old, new)
        buf = io.StringIO()
        yaml.dump(doc, buf)
        head = f"# Saved from the feemodel explorer on {dt.date.today().isoformat()}, based on {self.base.path.name}\n"
        return head + buf.getvalue()

    # ---- presentation (plain HTML: no scripts, fast)
    def headline_html(self) -> str:
        h = self.results.headline
        return (f'<div class="feemodel-headline"><b>Cost to the council, {h["financial_year"]}:</b> '
                f'<span class="part-year">{fmt_gbp(h["council_net_change_part_year_gbp"])}</span> from the start date to 31 March '
                f'({fmt_gbp_m(h["council_net_change_part_year_gbp"])}); '
                f'<span class="full-year">{fmt_gbp(h["council_net_change_full_year_gbp"])}</span> in a full year. '
                f'Placements whose fee changes: {h["placements_affected"]:,}; kept at their current fee: {h["placements_protected"]:,}.</div>')

    def extras_html(self, extras: Extras | None) -> str:
        """The range and the five-year series ('working it out' while they are computed)."""
        if extras is None:
            return '<div class="feemodel-extras"><p><i>Working out the range and the five-year figures\u2026</i></p></div>'
        r = extras.range
        rows = "".join(f"<tr><td>{html.escape(str(y))}</td><td>{'first year from the start date' if p == 'part_year' else 'full year'}</td>"
                       f"<td>{fmt_gbp(g)}</td><td>{fmt_gbp(c)}</td></tr>"
                       for y, p, g, c in extras.five_year.itertuples(index=False))
        return (f'<div class="feemodel-extras"><p class="feemodel-range">Likely range of the first-year cost: '
                f'<span class="p10">{fmt_gbp(r["P10"])}</span> to <span class="p90">{fmt_gbp(r["P90"])}</span> '
                f'(8 in 10 of {r["draws"]:,} draws of the uncertain assumptions fall inside; the pack uses more draws).</p>'
                f'<table class="feemodel-five-year"><caption>Change in fees by year (\u00a3)</caption>'
                f'<tr><th scope="col">Year</th><th scope="col">Period</th><th scope="col">All payers</th>'
                f'<th scope="col">The council</th></tr>{rows}</table></div>')

    def rates_html(self) -> str:
        r = self.results.rates
        now_head = "Now (\u00a3 a week)"
        rows = "".join(f"<tr><td>{html.escape(b)}</td><td>{'' if pd.isna(n) else fmt_gbp(n)}</td><td>{fmt_gbp(c)}</td></tr>"
                       for b, n, c in r.itertuples(index=False))
        if self.settings["structure"] == "legacy":
            what = "Current bands with the uplift" + (" index of the scenario" if self.base.uplift.method == "index"
                                                       and not self.settings.get("pct_set") else "")
        else:
            what = "Proposed bands"
        return (f'<table class="feemodel-rates"><caption>{what}: the rates costed</caption><tr><th scope="col">{labels.heading("band")}</th>'
                f'<th scope="col">{now_head}</th><th scope="col">Costed (\u00a3 a week)</th></tr>{rows}</table>')

    def funding_html(self) -> str:
        f = self.results.funding
        rows = "".join(f"<tr><td>{html.escape(labels.words(p, 'payer'))}</td><td>{fmt_gbp(a)}</td><td>{fmt_gbp(b)}</td><td>{fmt_gbp(c)}</td></tr>"
                       for p, a, b, c in f.itertuples(index=False))
        return ('<table class="feemodel-funding"><caption>Who pays, all placements (\u00a3 a week)</caption>'
                '<tr><th scope="col">Payer</th><th scope="col">Now</th><th scope="col">Proposed</th><th scope="col">Change</th></tr>'
                f"{rows}</table>")

    def who_html(self, extras: Extras | None) -> str:
        """Who gains and loses (impact.who_gains, as the pack publishes it): residents paying a
        contribution, families' top-ups, self-funders, care homes' income."""
        if extras is None:
            return '<div class="feemodel-who-box"><p><i>Working out who gains and who loses\u2026</i></p></div>'
        w = extras.who
        keep = w[w.who.isin(["Residents paying an assessed contribution", "Self-funders", impact.HOMES, impact.FAMILIES])
                 & ~w.what.isin([words for _, words in impact.OUTCOMES])]
        keep = keep[~keep.what.str.startswith("Below their cost")]
        rows = "".join(f"<tr><td>{html.escape(str(r.who))}</td><td>{html.escape(str(r.what))}</td><td>{html.escape(_shown(r.count))}</td>"
                       f"<td>{_money(r.average_change_gbp_pw)}</td><td>{_money(r.change_first_year_gbp)}</td></tr>"
                       for r in keep.itertuples(index=False))
        return (f'<div class="feemodel-who-box"><table class="feemodel-who"><caption>Who gains and who loses</caption>'
                f'<tr><th scope="col">Who</th><th scope="col">What</th><th scope="col">How many</th>'
                f'<th scope="col">Average change (\u00a3 a week)</th><th scope="col">Change, first year from the start date (\u00a3)</th>'
                f"</tr>{rows}</table></div>")

    def impact_html(self, extras: Extras | None = None) -> str:
        """Families' top-ups (at once) and homes below their cost of care (with ``extras``; counts as
        the pack publishes them)."""
        t = self.results.topups
        out = f"<p>Families' top-ups: {t['with_topups']:,} placements; {t['fall']:,} fall, {t['vanish']:,} end, {t['rise']:,} rise.</p>"
        if extras is None:
            return out + '<p class="feemodel-below-cost"><i>Working out the homes below their cost of care\u2026</i></p>'
        hb = extras.homes_below_cost
        withheld = any(isinstance(v, str) and v for v in hb.values())
        return out + (f'<p class="feemodel-below-cost">Homes below their cost of care: {html.escape(_shown(hb["now"]))} now, '
                      f'{html.escape(_shown(hb["proposed"]))} proposed'
                      f"{' (fewer than ' + str(self.base.publication.suppress_below) + ' are not shown, as in the pack)' if withheld else ''}.</p>")

    def chart_html(self) -> str:
        """Bars of each current band's weekly rate now and as costed, as plain HTML (renders instantly, no scripts)."""
        costed = self.results.costed_by_current
        current = self.results.current_rates
        mapping = self.base.band_mapping
        legacy = self.settings["structure"] == "legacy"
        top = max(list(costed.values()) + list(current.values())) or 1
        out = []
        for old, rate_now in current.items():
            target = mapping[old] if isinstance(mapping[old], str) else max(mapping[old], key=mapping[old].get)  # a split: its largest share
            new_band = old if legacy else target
            new = costed[old]
            out.append(f'<div style="margin:2px 0"><span style="display:inline-block;width:15em">{html.escape(old)}</span>'
                       f'<span style="display:inline-block;background:#767676;height:0.8em;width:{rate_now / top * 20:.1f}em"></span> {fmt_gbp(rate_now)}<br>'
                       f'<span style="display:inline-block;width:15em">&rarr; {html.escape(new_band)}</span>'
                       f'<span style="display:inline-block;background:#2a6ebb;height:0.8em;width:{new / top * 20:.1f}em"></span> '
                       f'<span class="costed">{fmt_gbp(new)}</span></div>')
        return ('<div class="feemodel-chart" role="img" aria-label="Weekly rate now and as costed, by current band">'
                '<p>Weekly rate now (grey) and as costed (blue), by current band</p>' + "".join(out) + "</div>")

    def comparison_html(self) -> str:
        """The options side by side, a bar chart of their first-year cost with its range, and a CSV link."""
        if not self.options:
            return '<div class="feemodel-comparison"><p>Pin a setting to compare up to four options side by side.</p></div>'
        c = self.comparison()
        head = "".join(f'<th scope="col">{html.escape(t)}</th>' for t in self.COMPARISON_COLUMNS.values())
        body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>" for row in c.itertuples(index=False))
        top = max([abs(v) for v in list(c.range_p90_gbp) + list(c.council_cost_part_year_gbp) + list(c.range_p10_gbp)] + [1])
        bars = "".join(
            f'<div style="margin:2px 0"><span style="display:inline-block;width:10em">{html.escape(o)}</span>'
            f'<span style="display:inline-block;background:#2a6ebb;height:0.8em;width:{max(v, 0) / top * 20:.1f}em"></span> '
            f'{fmt_gbp_m(v)} (range {fmt_gbp_m(lo)} to {fmt_gbp_m(hi)})</div>'
            for o, v, lo, hi in zip(c.option, c.council_cost_part_year_gbp, c.range_p10_gbp, c.range_p90_gbp, strict=True))
        data = base64.b64encode(self.comparison_csv().encode()).decode()
        return (f'<div class="feemodel-comparison"><table class="feemodel-options"><caption>Options side by side</caption>'
                f"<tr>{head}</tr>{body}</table>"
                f'<div role="img" aria-label="Cost to the council in the first year, by option">{bars}</div>'
                f'<p><a download="options.csv" href="data:text/csv;base64,{data}">Download the comparison (CSV)</a></p></div>')


def _merge(doc, old, new) -> None:
    """Write into the round-trip document ``doc`` the values of ``new`` that differ from ``old``
    (both model dumps), recursing into mappings and same-length lists of mappings."""
    for k, v in new.items():
        before = old.get(k)
        if before == v:
            continue
        if isinstance(v, dict) and isinstance(before, dict) and isinstance(doc.get(k), dict):
            _merge(doc[k], before, v)
        elif (isinstance(v, list) and isinstance(before, list) and isinstance(doc.get(k), list) and len(v) == len(before) == len(doc[k])
              and all(isinstance(x, dict) for x in v + before)):
            for d, b, n in zip(doc[k], before, v, strict=True):
                _merge(d, b, n)
        elif v is None:
            doc.pop(k, None)
        elif k == "effective_date" and isinstance(v, str):
            doc[k] = dt.date.fromisoformat(v)
        else:
            doc[k] = v


def _count(v):
    return v if isinstance(v, str) else int(v)


def _shown(v) -> str:
    if isinstance(v, str):
        return v
    return "" if pd.isna(v) else f"{int(v):,}"


def _money(v) -> str:
    return "" if isinstance(v, str) or pd.isna(v) else fmt_gbp(v)


def _cell(v) -> str:
    if isinstance(v, float):
        return "" if pd.isna(v) else fmt_gbp(v)
    return str(v)


def _explain(msg: str) -> str:
    """Turn a validation message into a sentence a commissioner can act on, naming the field."""
    if "effective_date" in msg:
        return "The date the new fees start must fall in the scenario's financial year (1 April to 31 March)."
    msg = msg.removeprefix("scenario: ")
    field_ = msg.split(": ", 1)[0] if ": " in msg else ""
    detail = msg.split(": ", 1)[-1]
    if "greater than or equal to" in msg or "greater than" in msg:
        return f"That value is too low for {field_ or 'this setting'}: {detail}"
    if "less than or equal to" in msg or "less than" in msg:
        return f"That value is too high for {field_ or 'this setting'}: {detail}"
    return "That setting cannot be used: " + detail

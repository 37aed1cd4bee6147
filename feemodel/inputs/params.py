"""Dated national parameters, in the OpenFisca / PolicyEngine UK style.

One YAML file per parameter under ``params/national/<group>/<name>.yaml`` with ``label``,
``description``, ``unit``, ``reference`` (list of ``title`` and ``href``) and ``values`` keyed by
ISO effective date. A value may be a plain number or a mapping with ``value`` and its own
``reference``, ``status`` or ``note``. The parameter's name is its path with dots:
``charging.upper_capital_limit``.

A lookup returns the value in force on the date: the latest value whose effective date is on or
before it. A date before the first value is an error, never a silent default.

Each value's date is the day it takes effect in law: the NLW and FNC on 1 April, tax-year figures
(employer NI, pension qualifying earnings) on 6 April, the Personal Expenses Allowance on the day its
amending regulations commence. A parameter that is uprated each year carries ``known_until``: the last
day the shipped values are known to cover. A lookup after it is an error naming the parameter and the
date, unless the scenario states a projection for it (``projections``); a last value is never carried
forward silently. Every value, shipped or overlaid, must be a finite number within its unit's bounds
(:data:`UNIT_BOUNDS`), and the upper capital limit must stay above the lower one.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from ..paths import national_params_dir

ALLOWED_UNITS = {"GBP", "GBP per week", "GBP per hour", "GBP per year", "/1", "weeks per year"}
# (low, high) a value in each unit may take: a wider figure is a typing error, not a policy
UNIT_BOUNDS = {"GBP": (0.0, 1_000_000_000.0), "GBP per week": (0.0, 100_000.0), "GBP per hour": (0.0, 1_000.0),
               "GBP per year": (0.0, 10_000_000.0), "/1": (0.0, 1.0), "weeks per year": (0.0, 52.0)}


def check_value(value: Any, unit: str, source: str, where: str) -> float:
    """A parameter value as a float, or InputError naming ``where`` with the allowed range."""
    low, high = UNIT_BOUNDS[unit]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
        raise InputError(source, where, f"{value!r} is not a number; give a number from {low:g} to {high:,.0f} ({unit})")
    if not low <= value <= high:
        raise InputError(source, where, f"{value!r} is out of range for a value in {unit}; allowed {low:g} to {high:,.0f}")
    return float(value)


def year_after(when: dt.date) -> dt.date:
    """The last day of the year that starts on ``when`` (2027-04-01 -> 2028-03-31)."""
    try:
        nxt = when.replace(year=when.year + 1)
    except ValueError:  # 29 February
        nxt = when.replace(year=when.year + 1, day=28) + dt.timedelta(days=1)
    return nxt - dt.timedelta(days=1)


@dataclass(frozen=True)
class Parameter:
    name: str
    label: str
    description: str
    unit: str
    reference: tuple[dict, ...]
    dates: tuple[dt.date, ...]
    values: tuple[float, ...]
    value_meta: tuple[dict, ...] = field(default=())
    source: str = ""
    known_until: dt.date | None = None

    def at(self, when: dt.date) -> float:
        """Value in force on ``when``; an error before the first value or after ``known_until``."""
        when = _as_date(when, self.source, self.name)
        i = bisect.bisect_right(self.dates, when) - 1
        if i < 0:
            raise InputError(
                self.source,
                self.name,
                f"no value in force on {when.isoformat()}: the first value takes effect on "
                f"{self.dates[0].isoformat()}; a scenario may add earlier values under parameter_changes",
            )
        if self.known_until is not None and when > self.known_until:
            fy = when.year if when.month >= 4 else when.year - 1
            raise InputError(
                self.source, self.name,
                f"no value known for {fy}/{(fy + 1) % 100:02d} ({when.isoformat()}): the shipped values run to "
                f"{self.known_until.isoformat()} and the last is not carried forward; state the figure in the "
                f"scenario under projections: {{{self.name}: {{{dt.date(fy, self.dates[-1].month, self.dates[-1].day).isoformat()}: value}}}}",
            )
        return self.values[i]

    def effective_date(self, when: dt.date) -> dt.date:
        self.at(when)
        return self.dates[bisect.bisect_right(self.dates, when) - 1]

    def references_at(self, when: dt.date) -> list[dict]:
        """The references behind the value in force (the value's own, then the file's)."""
        when = _as_date(when, self.source, self.name)
        i = bisect.bisect_right(self.dates, when) - 1
        own = list(self.value_meta[i].get("reference", [])) if i >= 0 and self.value_meta else []
        return own + list(self.reference)


def _as_date(value: Any, source: str, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(source, where, f"{value!r} is not a date; use YYYY-MM-DD") from None


def _check_reference(ref: Any, source: str, where: str) -> tuple[dict, ...]:
    if not isinstance(ref, list) or not ref:
        raise InputError(source, where, "reference must be a non-empty list of {title, href}")
    for i, item in enumerate(ref):
        if not isinstance(item, dict) or not item.get("title") or not item.get("href"):
            raise InputError(source, f"{where}[{i}]", "each reference needs a title and an href")
    return tuple(ref)


def parse_parameter(name: str, raw: Any, source: str) -> Parameter:
    """Validate one parameter mapping; errors name the file and key."""
    if not isinstance(raw, dict):
        raise InputError(source, None, "a parameter file must be a mapping with label, unit, reference, values")
    allowed = {"label", "description", "unit", "period", "reference", "values", "known_until"}
    for key in raw:
        if key not in allowed:
            raise InputError(source, str(key), f"unknown key; allowed keys: {', '.join(sorted(allowed))}")
    for key in ("label", "unit", "reference", "values"):
        if key not in raw:
            raise InputError(source, key, "missing; every parameter needs label, unit, reference and values")
    if raw["unit"] not in ALLOWED_UNITS:
        raise InputError(source, "unit", f"{raw['unit']!r} is not a known unit; allowed: {', '.join(sorted(ALLOWED_UNITS))}")
    reference = _check_reference(raw["reference"], source, "reference")
    values = raw["values"]
    if not isinstance(values, dict) or not values:
        raise InputError(source, "values", "must be a mapping of effective date (YYYY-MM-DD) to value")
    rows = []
    for key, entry in values.items():
        when = _as_date(key, source, f"values.{key}")
        meta: dict = {}
        if isinstance(entry, dict):
            unknown = set(entry) - {"value", "reference", "status", "note"}
            if unknown:
                raise InputError(source, f"values.{key}", f"unknown keys {sorted(unknown)}; allowed: value, reference, status, note")
            if "value" not in entry:
                raise InputError(source, f"values.{key}", "missing 'value'")
            meta = {k: v for k, v in entry.items() if k != "value"}
            if "reference" in meta:
                meta["reference"] = list(_check_reference(meta["reference"], source, f"values.{key}.reference"))
            entry = entry["value"]
        rows.append((when, check_value(entry, raw["unit"], source, f"values.{key}"), meta))
    rows.sort(key=lambda r: r[0])
    return Parameter(
        name=name,
        label=str(raw["label"]),
        description=" ".join(str(raw.get("description", "")).split()),
        unit=raw["unit"],
        reference=reference,
        dates=tuple(r[0] for r in rows),
        values=tuple(r[1] for r in rows),
        value_meta=tuple(r[2] for r in rows),
        source=source,
        known_until=_as_date(raw["known_until"], source, "known_until") if raw.get("known_until") is not None else None,
    )


class NationalParameters:
    """The set of national parameters, with lookups by name and date."""

    def __init__(self, parameters: dict[str, Parameter]):
        self._p = dict(parameters)

    def __contains__(self, name: str) -> bool:
        return name in self._p

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self._p[name]
        except KeyError:
            raise InputError(None, name, f"no such national parameter; known: {', '.join(sorted(self._p))}") from None

    def names(self) -> list[str]:
        return sorted(self._p)

    def get(self, name: str, when: dt.date) -> float:
        return self[name].at(when)

    def with_changes(self, changes: dict[str, dict], source: str = "scenario", key: str = "parameter_changes",
                     status: str = "scenario change") -> "NationalParameters":
        """Overlay scenario values {name: {date: value}} all-or-nothing (a reform, or a projection of
        figures not yet set). Every name must exist and every value must be within its unit's bounds;
        nothing is applied unless all are. Each overlaid value is marked with ``status`` and a
        reference to the scenario; a value dated after a parameter's ``known_until`` extends it to
        the end of that value's year.
        """
        new = dict(self._p)
        for name, by_date in (changes or {}).items():
            if name not in self._p:
                raise InputError(source, f"{key}.{name}", f"no such national parameter; known: {', '.join(sorted(self._p))}")
            base = self._p[name]
            merged = {d: (v, m) for d, v, m in zip(base.dates, base.values, base.value_meta or [{}] * len(base.dates), strict=True)}
            if not isinstance(by_date, dict) or not by_date:
                raise InputError(source, f"{key}.{name}", "must map effective dates (YYYY-MM-DD) to numbers")
            known = base.known_until
            for day, value in by_date.items():
                when = _as_date(day, source, f"{key}.{name}.{day}")
                merged[when] = (check_value(value, base.unit, source, f"{key}.{name}.{when.isoformat()}"),
                                {"status": status, "reference": [{"title": f"{status.capitalize()} in the scenario ({key})",
                                                                  "href": Path(str(source)).name}]})
                if known is not None and when > known:
                    known = max(known, year_after(when))
            ordered = sorted(merged.items())
            new[name] = Parameter(
                name=name, label=base.label, description=base.description, unit=base.unit,
                reference=base.reference, dates=tuple(d for d, _ in ordered),
                values=tuple(v for _, (v, _m) in ordered), value_meta=tuple(m for _, (_v, m) in ordered),
                source=base.source, known_until=known,
            )
        out = NationalParameters(new)
        out.check_limits(source, key)
        return out

    def check_limits(self, source: str = "", key: str = "parameter_changes") -> None:
        """The upper capital limit must be above the lower one on every date either changes."""
        lo_name, hi_name = "charging.lower_capital_limit", "charging.upper_capital_limit"
        if lo_name not in self._p or hi_name not in self._p:
            return
        lo, hi = self._p[lo_name], self._p[hi_name]
        for day in sorted(set(lo.dates) | set(hi.dates)):
            if day < max(lo.dates[0], hi.dates[0]):
                continue
            a, b = lo.values[bisect.bisect_right(lo.dates, day) - 1], hi.values[bisect.bisect_right(hi.dates, day) - 1]
            if b <= a:
                raise InputError(source, key, f"on {day.isoformat()} the upper capital limit (£{b:,.2f}) is not above "
                                              f"the lower capital limit (£{a:,.2f}); the upper limit must be higher")

    def overlays(self) -> list[dict]:
        """Every value a scenario added (projections and changes), for the appendix."""
        rows = []
        for name in self.names():
            p = self._p[name]
            for d, v, m in zip(p.dates, p.values, p.value_meta or [{}] * len(p.dates), strict=True):
                if m.get("status") in ("projection", "scenario change"):
                    rows.append({"parameter": name, "label": p.label, "value": v, "unit": p.unit,
                                 "effective_from": d.isoformat(), "status": m["status"]})
        return rows

    def table(self, when: dt.date) -> list[dict]:
        """Every parameter's value in force on a date, with unit and references (for the appendix)."""
        rows = []
        for name in self.names():
            p = self._p[name]
            try:
                value = p.at(when)
                eff = p.effective_date(when).isoformat()
                i = p.dates.index(p.effective_date(when))
                status = (p.value_meta[i] if p.value_meta else {}).get("status", "")
            except InputError:
                value, eff, status = None, "", "not in force"
            refs = p.references_at(when) if eff else list(p.reference)
            rows.append({
                "parameter": name, "label": p.label, "value": value, "unit": p.unit,
                "effective_from": eff, "status": status,
                "reference": "; ".join(r["title"] for r in refs),
                "link": "; ".join(r["href"] for r in refs),
            })
        return rows


def load_parameters(folder: str | Path | None = None) -> NationalParameters:
    """Read every parameter file under ``folder`` (default: the shipped ``params/national``)."""
    folder = Path(folder) if folder else national_params_dir()
    return _load_cached(str(folder.resolve()))


@lru_cache(maxsize=8)
def _load_cached(folder: str) -> NationalParameters:
    root = Path(folder)
    if not root.is_dir():
        raise InputError(root, None, "national parameters folder not found")
    params = {}
    for path in sorted(root.rglob("*.yaml")):
        name = ".".join(path.relative_to(root).with_suffix("").parts)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise InputError(path, None, f"not valid YAML: {exc}") from None
        params[name] = parse_parameter(name, raw, str(path))
    return NationalParameters(params)

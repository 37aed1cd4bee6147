"""Dated national parameters, in the OpenFisca / PolicyEngine UK style.

One YAML file per parameter under ``params/national/<group>/<name>.yaml`` with ``label``,
``description``, ``unit``, ``reference`` (list of ``title`` and ``href``) and ``values`` keyed by
ISO effective date. A value may be a plain number or a mapping with ``value`` and its own
``reference``, ``status`` or ``note``. The parameter's name is its path with dots:
``charging.upper_capital_limit``.

A lookup returns the value in force on the date: the latest value whose effective date is on or
before it. A date before the first value is an error, never a silent default.
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

    def at(self, when: dt.date) -> float:
        """Value in force on ``when``."""
        when = _as_date(when, self.source, self.name)
        i = bisect.bisect_right(self.dates, when) - 1
        if i < 0:
            raise InputError(
                self.source,
                self.name,
                f"no value in force on {when.isoformat()}: the first value takes effect on "
                f"{self.dates[0].isoformat()}",
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
    allowed = {"label", "description", "unit", "period", "reference", "values"}
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
        if isinstance(entry, bool) or not isinstance(entry, (int, float)) or entry != entry:
            raise InputError(source, f"values.{key}", f"{entry!r} is not a number")
        rows.append((when, float(entry), meta))
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

    def with_changes(self, changes: dict[str, dict], source: str = "scenario") -> "NationalParameters":
        """Overlay scenario changes {name: {date: value}} all-or-nothing (a reform scenario).

        Every name must exist; values are checked before anything is applied.
        """
        new = dict(self._p)
        for name, by_date in (changes or {}).items():
            if name not in self._p:
                raise InputError(source, f"parameter_changes.{name}", f"no such national parameter; known: {', '.join(sorted(self._p))}")
            base = self._p[name]
            merged = {d: (v, m) for d, v, m in zip(base.dates, base.values, base.value_meta or [{}] * len(base.dates), strict=True)}
            if not isinstance(by_date, dict) or not by_date:
                raise InputError(source, f"parameter_changes.{name}", "must map effective dates (YYYY-MM-DD) to numbers")
            for key, value in by_date.items():
                when = _as_date(key, source, f"parameter_changes.{name}.{key}")
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < 0:
                    raise InputError(source, f"parameter_changes.{name}.{key}", f"{value!r} is not a non-negative number")
                merged[when] = (float(value), {"status": "scenario change", "reference": [{"title": f"Scenario overlay from {source}", "href": str(source)}]})
            ordered = sorted(merged.items())
            new[name] = Parameter(
                name=name, label=base.label, description=base.description, unit=base.unit,
                reference=base.reference, dates=tuple(d for d, _ in ordered),
                values=tuple(v for _, (v, _m) in ordered), value_meta=tuple(m for _, (_v, m) in ordered),
                source=base.source,
            )
        return NationalParameters(new)

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

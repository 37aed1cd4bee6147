"""How each rate was built, shown in full: the rates section's input table and its sentences.

:func:`rate_inputs_html` turns the ``rate_inputs`` table (one row per band and input, see
:func:`feemodel.model.build_up.rate_inputs`) into one table a provider can rebuild every built rate
from: a row per input, a column per band, each value in its unit, and the source; the notes the
council records under ``notes`` are listed beneath it. :func:`survey_basis_text` states the survey's
date and price base.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pandas as pd

from ..inputs.scenario import COST_LINES
from ..money import fmt_gbp
from . import labels

# how each unit of the rate_inputs table is shown: (prefix, decimals, suffix)
_SHOWN = {"hours_prpw": ("", 2, ""), "gbp_per_hour": ("£", 2, ""), "pct": ("", 2, "%"), "gbp_prpw": ("£", 2, ""),
          "gbp_per_bed_pw": ("£", 2, ""), "gbp_per_bed": ("£", 0, ""), "weeks": ("", 0, ""), "factor": ("", 6, "")}
_NATIONAL = re.compile(r"^(.*?), in force from (\d{4}-\d{2}-\d{2})(.*?): ")


def fmt_input(value, unit: str) -> str:
    """One input in its unit: '£13.26', '12.07%', '23.5', '£75,000' (half up; money by the money rule)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    prefix, decimals, suffix = _SHOWN[unit]
    if prefix == "£" and decimals == 2:
        return fmt_gbp(float(value))
    if unit == "pct":  # to 4 decimals, trailing zeros dropped, so that a rate rebuilds to the penny: '31.6106%', '3%'
        text = f"{round(float(value), 4):,.4f}".rstrip("0").rstrip(".")
    else:
        text = f"{float(value):g}" if unit == "hours_prpw" else f"{float(value):,.{decimals}f}"
    return f"{prefix}{text}{suffix}"


def short_source(source: str, note: str = "") -> str:
    """A source as the printed table shows it: the council's assumption (its key is in tables.xlsx,
    its note beneath the table), a national figure with the date its value took effect (its full
    reference is in the appendix's table of national figures), or how the figure is worked out."""
    if source.startswith("The council's assumption"):
        return source.replace(" (scenario file)", "") + (" (see its note)" if note else "")
    m = _NATIONAL.match(source)
    if m:
        d = dt.date.fromisoformat(m.group(2))
        return f"National figure: {m.group(1)}, from {d.day} {d:%B %Y}{m.group(3)}"
    return source


def rate_inputs_html(inputs: pd.DataFrame, table_html) -> str:
    """The inputs of every built band side by side (a row per input, a column per band), with units
    and sources, and the council's notes beneath."""
    caption = "Every input of each built rate, with its unit and source (£ per resident per week unless stated)"
    if "skipped" in inputs.attrs or inputs.empty:
        return table_html(inputs, caption) if "skipped" in inputs.attrs else ""
    bands = list(dict.fromkeys(inputs.band))
    order = {line: k for k, line in enumerate(["all", *COST_LINES, "total"])}
    keys = sorted(dict.fromkeys(zip(inputs.cost_line, inputs.input, strict=True)), key=lambda k: order.get(k[0], len(order)))
    cell = {(r.cost_line, r.input, r.band): fmt_input(r.value, r.unit) for r in inputs.itertuples()}
    unit = {(r.cost_line, r.input): r.unit for r in inputs.itertuples()}
    source = {}
    for r in inputs.itertuples():
        source.setdefault((r.cost_line, r.input), set()).add(short_source(r.source, r.note))
    head = ('<th scope="col">Cost line</th><th scope="col">Input</th><th scope="col">Unit</th>'
            + "".join(f'<th scope="col">{html.escape(b)}</th>' for b in bands) + '<th scope="col">Source</th>')
    body, last = [], None
    for line, what in keys:
        strong = what in ("Result", "Cost of care, total")
        line_words = "" if line == last else labels.words(line)
        last = line
        cells = [f'<th scope="row">{html.escape(line_words)}</th>', f"<td>{html.escape(what)}</td>",
                 f"<td>{html.escape(labels.words(unit[(line, what)]))}</td>"]
        cells += [f"<td>{html.escape(cell.get((line, what, b), ''))}</td>" for b in bands]
        cells.append(f'<td class="source">{html.escape("; ".join(sorted(source[(line, what)])))}</td>')
        cls = ' class="result"' if strong else ""
        body.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    notes = inputs[inputs.note.fillna("") != ""]
    listed = []
    for (note, what), g in notes.groupby(["note", "input"], sort=False):
        listed.append(f"<li><strong>{html.escape(what)}</strong> ({html.escape(', '.join(dict.fromkeys(g.band)))}): {html.escape(note)}</li>")
    note_html = f"<p>The council's notes on these inputs:</p><ul>{''.join(listed)}</ul>" if listed else \
        "<p>The scenario records no notes on these inputs (a council can add one for any figure under <code>notes:</code>).</p>"
    return (f'<table class="data inputs"><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>{note_html}')


def survey_basis_text(meta: dict) -> str:
    """The survey's date and price base in one sentence."""
    when = meta.get("survey_date")
    if when:
        d = dt.date.fromisoformat(when)
        when = f"{d.day} {d:%B %Y}"
    base = meta.get("survey_price_base")
    text = f"The providers' cost survey's returns were collected by {when}" if when else \
        "The scenario does not state when the providers' cost survey was collected"
    text += (f"; its figures are at {base} prices, uprated to {meta['financial_year']} prices (see the uprating table below)."
             if base else f"; its figures are taken as at {meta['financial_year']} prices (no price base is stated).")
    return text

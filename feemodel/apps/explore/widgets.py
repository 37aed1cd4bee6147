"""The ipywidgets page around :class:`~feemodel.apps.explore.core.Explorer` (JupyterLab and Voila)."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from ...money import fmt_gbp
from .core import APPROACHES, Explorer, ExplorerError


def _schedule(delay_s: float, fn):
    """Run ``fn`` after ``delay_s`` on the kernel's event loop (a newer call replaces a pending
    one); at once where no loop runs (tests) or the delay is 0. Returns a cancel handle or None."""
    import asyncio

    if delay_s <= 0:
        fn()
        return None
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = None
    if loop is None or not loop.is_running():
        fn()
        return None
    return loop.call_later(delay_s, fn)


def app(scenario: str | Path | None = None, extras_delay_s: float = 0.4, save_folder: str | Path | None = None):
    """Build the ipywidgets explorer for a scenario (default: FEEMODEL_SCENARIO, else the example).

    The range and five-year figures are worked out ``extras_delay_s`` seconds after the last change
    (0: at once). Saves go to ``save_folder`` (default: FEEMODEL_SAVE_DIR, else ``scenarios/`` in the
    current working directory)."""
    import os

    import ipywidgets as w

    from ...paths import default_scenario

    path = scenario or os.environ.get("FEEMODEL_SCENARIO") or default_scenario()
    folder = Path(save_folder or os.environ.get("FEEMODEL_SAVE_DIR") or Path.cwd() / "scenarios")
    ex = Explorer.from_scenario(path)
    levers = ex.levers
    out = {k: w.HTML() for k in ("headline", "extras", "who", "rates", "funding", "impact", "chart", "comparison")}
    msg = w.HTML()
    msg.add_class("feemodel-message")
    out["headline"].add_class("feemodel-headline-box")
    quiet = {"on": False}  # set while the app itself updates a widget, so that is not taken as a user change
    pending = {"handle": None}
    style = {"description_width": "initial"}
    layout = w.Layout(width="44em")

    def help_html(name, band=None, extra=""):
        lever = levers[name]
        return w.HTML(f'<div class="feemodel-help" style="color:#444;font-size:90%;max-width:46em;margin:0 0 0.6em 0.5em">'
                      f"{html.escape(lever.help)} Allowed: {html.escape(ex.range_text(name, band))}.{extra}</div>")

    def run_extras():
        pending["handle"] = None
        try:
            extras = ex.extras()
            out["extras"].value = ex.extras_html(extras)
            out["who"].value = ex.who_html(extras)
            out["impact"].value = ex.impact_html(extras)
        except Exception as err:  # noqa: BLE001 - shown to the user, never lost in the kernel log
            out["extras"].value = f'<p style="color:#a00">The range could not be worked out: {html.escape(str(err))}</p>'

    def refresh():
        out["headline"].value = ex.headline_html()
        out["rates"].value = ex.rates_html()
        out["funding"].value = ex.funding_html()
        out["impact"].value = ex.impact_html()
        out["chart"].value = ex.chart_html()
        out["comparison"].value = ex.comparison_html()
        msg.value = f'<p role="alert" style="color:#a00"><b>Not applied.</b> {html.escape(ex.message)}</p>' if ex.message else ""
        if pending["handle"] is not None:
            pending["handle"].cancel()
        out["extras"].value = ex.extras_html(None)
        out["who"].value = ex.who_html(None)
        pending["handle"] = _schedule(extras_delay_s, run_extras)

    numbers: dict = {}      # setting -> FloatText
    band_boxes: dict = {}   # current band -> FloatText
    targets: dict = {}      # proposed band -> (Text, built-rate HTML)
    notes: dict = {}        # "pct", "targets" -> HTML note when disabled

    def sync():
        """Every control shows the setting in force (after a refusal, a reset or the uniform % moving)."""
        quiet["on"] = True
        try:
            st = ex.settings
            structure.value = st["structure"]
            for k, box in numbers.items():
                box.value = float(st[k])
            for b, box in band_boxes.items():
                box.value = float(st["per_band_pct"].get(b, st["uniform_pct"]))
            for b, (box, built) in targets.items():
                over = st["target_rates"].get(b)
                box.value = "" if over is None else f"{over:.2f}"
                built.value = (f'<span class="feemodel-built">Built rate: {fmt_gbp(ex.results.built_rates[b])} a week</span>'
                               + (f" &middot; your rate: {fmt_gbp(over)} a week (costed)" if over is not None else " (costed)"))
            date.value = dt.date.fromisoformat(st["effective_date"])
            legacy = st["structure"] == "legacy"
            for box in [numbers["uniform_pct"], *band_boxes.values()]:
                box.disabled = not legacy
            for box, _ in targets.values():
                box.disabled = legacy
            notes["pct"].value = "" if legacy else f'<p class="feemodel-disabled-note"><i>{html.escape(ex.applies("uniform_pct")[1])}</i></p>'
            notes["targets"].value = (f'<p class="feemodel-disabled-note"><i>{html.escape(ex.applies("target_rates")[1])}</i></p>'
                                      if legacy else "")
        finally:
            quiet["on"] = False

    def bind(widget, name, convert=lambda v: v):
        def on_change(change):
            if quiet["on"]:
                return
            try:
                ex.set(name, convert(change["new"]))
            except Exception as err:  # noqa: BLE001 - shown to the user, never lost in the kernel log
                ex.message = f"Something went wrong: {err}"
            sync()
            refresh()
        widget.observe(on_change, names="value")
        return widget

    st = ex.settings
    structure = bind(w.ToggleButtons(options=[(v, k) for k, v in APPROACHES.items()], value=st["structure"], description="Approach",
                                     style={"button_width": "15em", "description_width": "initial"}), "structure")

    def number(name, cls):
        lever = levers[name]
        box = bind(w.FloatText(value=float(st[name]), description=f"{lever.label} ({_unit_words(lever.unit)})", step=0.05 if lever.unit == "gbp_ph" else 0.5,
                               continuous_update=False, style=style, layout=layout), name)
        box.add_class(cls)
        numbers[name] = box
        return [box, help_html(name)]

    pct_part = number("uniform_pct", "feemodel-uniform-pct")
    per_band = []
    for b in (band.name for band in ex.base.bands("current")):
        box = bind(w.FloatText(value=float(st["per_band_pct"].get(b, st["uniform_pct"])), description=f"{b} (%)", step=0.5,
                               continuous_update=False, style=style, layout=layout), "per_band_pct", lambda v, b=b: (b, v))
        box.add_class("feemodel-band-pct")
        band_boxes[b] = box
        per_band.append(box)
    notes["pct"] = w.HTML()
    notes["targets"] = w.HTML()
    target_rows = []
    for band in ex.base.bands("proposed"):
        b = band.name

        def convert(v, b=b):
            text = (v or "").strip().replace(",", "").lstrip("\u00a3")
            if not text:
                return (b, None)
            try:
                return (b, float(text))
            except ValueError:
                return (b, float("nan"))
        box = bind(w.Text(value="", placeholder="built rate", description=f"{b}: your rate (\u00a3 a week)", continuous_update=False,
                          style=style, layout=layout), "target_rates", convert)
        box.add_class("feemodel-target")
        built = w.HTML()
        built.add_class("feemodel-target-built")
        targets[b] = (box, built)
        target_rows += [box, built, help_html("target_rates", b)]
    cost_part = number("pay_premium_change", "feemodel-pay") + number("occupancy_pct", "feemodel-occupancy") + \
        number("return_on_operations_pct", "feemodel-roo") + number("capital_yield_pct", "feemodel-yield")
    pt_part = number("provider_pass_through_pct", "feemodel-pass-through")
    date = bind(w.DatePicker(value=dt.date.fromisoformat(st["effective_date"]), description=levers["effective_date"].label, style=style),
                "effective_date", lambda v: v if v else "")
    reset = w.Button(description="Reset to the scenario's settings", layout=w.Layout(width="22em"))

    def on_reset(_):
        ex.reset()
        sync()
        refresh()
    reset.on_click(on_reset)

    pin_name = w.Text(placeholder="e.g. 6% uplift", description="Option name", style=style, layout=w.Layout(width="24em"))
    pin_btn = w.Button(description="Pin these settings", layout=w.Layout(width="auto"))
    pin_btn.add_class("feemodel-pin")
    clear_btn = w.Button(description="Clear the options", layout=w.Layout(width="auto"))
    pin_msg = w.HTML()

    def on_pin(_):
        try:
            pin_msg.value = "<p><i>Working out the option's range\u2026</i></p>"
            opt = ex.pin(pin_name.value)
            pin_name.value = ""
            pin_msg.value = f"<p>Pinned {html.escape(opt.label)}.</p>"
        except ExplorerError as err:
            pin_msg.value = f'<p role="alert" style="color:#a00">{html.escape(str(err))}</p>'
        out["comparison"].value = ex.comparison_html()
    pin_btn.on_click(on_pin)

    def on_clear(_):
        ex.unpin()
        out["comparison"].value = ex.comparison_html()
    clear_btn.on_click(on_clear)

    name = w.Text(placeholder="e.g. uplift_6pct", description="Save as (file name)", style=style, layout=w.Layout(width="24em"))
    save_btn = w.Button(description="Save scenario", button_style="primary")
    saved = w.HTML()

    def on_save(_):
        try:
            p = ex.save(name.value.strip(), folder)
            saved.value = f"<p>Saved {html.escape(str(p))}. Build its pack with <code>feemodel pack {html.escape(str(p))}</code>.</p>"
        except ExplorerError as err:
            saved.value = f'<p role="alert" style="color:#a00">{html.escape(str(err))}</p>'
    save_btn.on_click(on_save)

    sync()
    refresh()
    approach_help = w.HTML('<div class="feemodel-approach-help" style="color:#444;font-size:90%;max-width:46em;margin:0 0 0.6em 0.5em">'
                           f"{html.escape(APPROACHES['legacy'])}: a percentage on today's weekly fees. "
                           f"{html.escape(APPROACHES['proposed'])}: fees move to the proposed rate card, built from the cost of care "
                           "or your own rate for a band.</div>")
    sections = w.Accordion(children=[w.VBox([notes["pct"], *pct_part, *per_band, help_html("per_band_pct")]), w.VBox([notes["targets"], *target_rows]),
                                     w.VBox(cost_part), w.VBox([*pt_part, date, help_html("effective_date")])])
    for i, title in enumerate(["Uplift (%)", "Target rates (\u00a3 a week)", "Cost of care", "Providers and timing"]):
        sections.set_title(i, title)
    return w.VBox([w.HTML(f"<h2>{html.escape(ex.base.council)}: fee explorer ({ex.base.year_label})</h2>"
                          "<p>Choose an approach, move a lever, and see what it costs and who it affects. A value outside "
                          "a lever's allowed range is not used: the figures stay as they were and a message says why.</p>"),
                   structure, approach_help, sections, reset, msg, out["headline"], out["extras"], out["chart"],
                   w.HBox([out["rates"], out["funding"]]), out["who"], out["impact"],
                   w.HTML("<h3>Options side by side</h3>"), w.HBox([pin_name, pin_btn, clear_btn]), pin_msg, out["comparison"],
                   w.HTML(f"<h3>Save</h3><p>Saved scenarios go to {html.escape(str(folder))} (with a copy of the data files they "
                          "use, which may hold personal data: keep that folder where those data are allowed).</p>"),
                   w.HBox([name, save_btn]), saved])


def _unit_words(unit: str) -> str:
    return {"pct": "%", "gbp_pw": "\u00a3 a week", "gbp_ph": "\u00a3 an hour", "date": "date"}[unit]

"""Interactive scenario explorer for commissioners: move a lever, see what a fee decision costs.

:class:`Explorer` holds the settings and the results, with no widgets, so its logic is tested
without a kernel. Every setting is applied to a copy of the scenario and validated by the same
schema as a scenario file; an invalid value gives a plain-English message, and the last good
results stay on screen. Figures come from the same functions the pack uses
(:func:`feemodel.model.uplift.uplift_cost` and :func:`feemodel.model.uplift.headline`, first year only), so a
saved scenario built into a pack shows the same headline. :func:`app` wraps it in ipywidgets for
JupyterLab and Voila (``feemodel explore``).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from ..errors import InputError
from ..inputs.scenario import Scenario, _pydantic_error
from ..model import market, uplift
from ..model.case import Case
from ..model.funding import PARTS
from ..model.rates import rate_card
from ..money import fmt_gbp, fmt_gbp_m, to_pounds
from ..publish import labels
from ..publish.tables import load_case

NAME_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,60}\Z")


class ExplorerError(Exception):
    """A setting that cannot be applied, explained for a commissioner."""


@dataclass
class Results:
    headline: dict
    rate_card: pd.DataFrame
    current_rates: dict
    funding: pd.DataFrame
    topups: dict
    homes_below_cost: dict
    seconds: float = 0.0


@dataclass
class Explorer:
    case: Case                      # the base scenario's loaded case; settings make variants of it
    settings: dict = field(default_factory=dict)
    results: Results | None = None
    message: str = ""

    @property
    def base(self) -> Scenario:
        return self.case.scenario

    @property
    def params(self):
        return self.case.params

    @classmethod
    def from_scenario(cls, path: str | Path) -> Explorer:
        ex = cls(load_case(path))
        ex.settings = ex.defaults()
        ex.results = ex.compute(ex.scenario())
        return ex

    # ---- settings
    def defaults(self) -> dict:
        s = self.base
        cats = list(s.cost_of_care.categories.values())
        return {
            "structure": "proposed" if s.uplift.method == "target_rates" else "legacy",
            "uniform_pct": s.uplift.uniform_pct,
            "per_band_pct": dict(s.uplift.per_band_pct),  # only bands the user set differently from the uniform %
            "target_rates": {},                       # proposed band -> stated £/week (empty: built from cost)
            "pay_premium_change": 0.0,                # £/hour on every category's care pay
            # a category with no assumed occupancy keeps none (its lines are all per resident)
            "occupancy_pct": round(sum(occ) / len(occ), 1) if (occ := [c.occupancy_pct for c in cats if c.occupancy_pct]) else 90.0,
            "return_on_operations_pct": cats[0].returns.return_on_operations_pct if cats else 0.0,
            "capital_yield_pct": cats[0].returns.capital_yield_pct if cats else 0.0,
            "provider_pass_through_pct": s.uplift.provider_pass_through_pct,
            "effective_date": s.uplift.effective_date.isoformat(),
        }

    def scenario(self, settings: dict | None = None) -> Scenario:
        """The base scenario with the settings applied, validated like a scenario file."""
        st = settings or self.settings
        data = self.base.model_dump(mode="json", exclude={"path"})
        u = data["uplift"]
        if st["structure"] == "proposed":
            u["method"] = "target_rates"
        else:
            overrides = st["per_band_pct"]
            u["method"] = "per_band" if overrides else "uniform"
            u["uniform_pct"] = st["uniform_pct"]
            u["per_band_pct"] = {b.name: overrides.get(b.name, st["uniform_pct"]) for b in self.base.bands("current")} if overrides else {}
        u["provider_pass_through_pct"] = st["provider_pass_through_pct"]
        u["effective_date"] = st["effective_date"]
        for cat in data["cost_of_care"]["categories"].values():
            if cat.get("occupancy_pct") is not None:
                cat["occupancy_pct"] = st["occupancy_pct"]
            cat["returns"]["return_on_operations_pct"] = st["return_on_operations_pct"]
            cat["returns"]["capital_yield_pct"] = st["capital_yield_pct"]
            if st["pay_premium_change"] and cat.get("care_pay"):
                pay = cat["care_pay"]
                key = "nlw_premium" if pay.get("nlw_premium") is not None else "hourly_rate"
                pay[key] = round(pay[key] + st["pay_premium_change"], 4)
        for band in data["band_structures"][data["proposed_structure"]]:
            if band["name"] in st["target_rates"]:
                band["weekly_rate"], band["category"] = st["target_rates"][band["name"]], None
        try:
            s = Scenario.model_validate(data)
        except ValidationError as err:
            raise ExplorerError(_explain(_pydantic_error(Path("scenario"), err).message)) from None
        return s.model_copy(update={"path": self.base.path})

    def set(self, name: str, value) -> Results | None:
        """Change one setting and recompute. Invalid values are explained; the last good results stay."""
        if name not in self.settings:
            raise KeyError(name)
        trial = {**self.settings}
        if name in ("per_band_pct", "target_rates"):
            band, amount = value
            trial[name] = {**trial[name]}
            if amount is None:
                trial[name].pop(band, None)
            else:
                trial[name][band] = amount
        else:
            trial[name] = value
        try:
            scenario = self.scenario(trial)
            results = self.compute(scenario)
        except (ExplorerError, InputError, ValueError) as err:
            self.message = str(err) if isinstance(err, ExplorerError) else _explain(str(err))
            return None
        self.settings, self.results, self.message = trial, results, ""
        return results

    # ---- results
    def compute(self, s: Scenario) -> Results:
        t0 = dt.datetime.now()
        case = self.case.with_scenario(s)
        cost = uplift.uplift_cost(case, years=1)
        head = uplift.headline(cost)
        yf = uplift.first_year(case)
        ws, wr = uplift.exposure_weeks(s, 0, s.uplift.effective_date)
        rows = []
        for part in ["gross"] + PARTS:
            before, after = int(yf.base[part].sum()), int(yf.new[part].sum())
            rows.append({"payer": part, "now_gbp_pw": to_pounds(before), "proposed_gbp_pw": to_pounds(after),
                         "change_gbp_pw": to_pounds(after - before)})
        has = yf.base["third_party"] > 0
        new_t, old_t = yf.new["third_party"][has], yf.base["third_party"][has]
        topups = {"with_topups": int(has.sum()), "fall": int(((new_t < old_t) & (new_t > 0)).sum()),
                  "vanish": int((new_t == 0).sum()), "rise": int((new_t > old_t).sum())}
        _, agg = market.sustainability(case, yf)
        total = agg.set_index("setting").loc["all"]
        return Results(
            headline=head,
            rate_card=rate_card(s, self.params, "proposed", costed=uplift.band_rates_costed(case)),  # the rates costed
            current_rates={k: to_pounds(v) for k, v in case.current_rates.items()},
            funding=pd.DataFrame(rows), topups=topups,
            homes_below_cost={"now": int(total.below_cost_now), "proposed": int(total.below_cost_proposed)},
            seconds=(dt.datetime.now() - t0).total_seconds(),
        )

    # ---- save
    def save(self, name: str, folder: str | Path | None = None, overwrite: bool = False) -> Path:
        """Write the current settings as a scenario YAML beside the base scenario (so its data paths hold)."""
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            raise ExplorerError("Give the scenario a name of letters, numbers, '-' or '_' (up to 60), e.g. uplift_6pct.")
        folder = Path(folder) if folder else self.base.folder
        if folder.resolve() != self.base.folder.resolve():
            raise ExplorerError(f"Save beside the base scenario ({self.base.folder}) so its data files are found.")
        target = folder / f"{name}.yaml"
        if target.exists() and not overwrite:
            raise ExplorerError(f"{target.name} already exists; choose another name.")
        s = self.scenario()
        s = s.model_copy(update={"title": f"{self.base.title} (explorer: {name})"})
        text = f"# Saved from the feemodel explorer on {dt.date.today().isoformat()}, based on {self.base.path.name}\n" + s.to_yaml()
        # a fresh temporary file in the same folder (O_EXCL, never a planted name or symlink), then
        # an atomic rename that replaces a symlink at the target itself rather than following it
        import os
        import tempfile

        fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".yaml.tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return target

    # ---- presentation (plain HTML: no scripts, fast)
    def headline_html(self) -> str:
        h = self.results.headline
        return (f'<div class="feemodel-headline"><b>Cost to the council, {h["financial_year"]}:</b> '
                f'<span class="part-year">{fmt_gbp(h["council_net_change_part_year_gbp"])}</span> part year '
                f'({fmt_gbp_m(h["council_net_change_part_year_gbp"])}); '
                f'<span class="full-year">{fmt_gbp(h["council_net_change_full_year_gbp"])}</span> full year. '
                f'Placements affected: {h["placements_affected"]:,}; protected: {h["placements_protected"]:,}.</div>')

    def rates_html(self) -> str:
        r = self.results
        card = r.rate_card
        rows = "".join(f"<tr><td>{html.escape(b)}</td><td>{labels.fmt(w, 'weekly_rate_gbp', 'rate_card')}</td></tr>"
                       for b, w in zip(card.band, card.weekly_rate_gbp, strict=True))
        return (f'<table class="feemodel-rates"><tr><th scope="col">{labels.heading("band")}</th>'
                f'<th scope="col">{html.escape(labels.heading("weekly_rate_gbp", "rate_card"))}</th></tr>{rows}</table>')

    def funding_html(self) -> str:
        f = self.results.funding
        head = "".join(f'<th scope="col">{html.escape(labels.heading(c))}</th>' for c in f.columns)
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(labels.fmt(v, c))}</td>" for c, v in row.items()) + "</tr>"
                       for _, row in f.iterrows())
        return f'<table class="feemodel-funding"><caption>Who pays, all placements</caption><tr>{head}</tr>{rows}</table>'

    def impact_html(self) -> str:
        t, hb = self.results.topups, self.results.homes_below_cost
        return (f"<p>Top-ups: {t['with_topups']:,} placements; {t['fall']:,} fall, {t['vanish']:,} vanish, {t['rise']:,} rise.</p>"
                f"<p>Homes below their cost of care: {hb['now']:,} now, {hb['proposed']:,} proposed.</p>")

    def chart_html(self) -> str:
        """Bars of each band's weekly rate now and proposed, as plain HTML (renders instantly, no scripts)."""
        rates = dict(zip(self.results.rate_card.band, self.results.rate_card.weekly_rate_gbp, strict=True))
        current = self.results.current_rates
        mapping = self.base.band_mapping
        top = max(list(rates.values()) + list(current.values())) or 1
        out = []
        for old, rate_now in current.items():
            target = mapping[old] if isinstance(mapping[old], str) else max(mapping[old], key=mapping[old].get)  # a split: its largest share
            new_band = target if target in rates else old   # uplifting current bands: same band
            new = float(rates.get(new_band, rate_now))
            out.append(f'<div style="margin:2px 0"><span style="display:inline-block;width:14em">{html.escape(old)}</span>'
                       f'<span style="display:inline-block;background:#999;height:0.8em;width:{rate_now / top * 20:.1f}em"></span> {fmt_gbp(rate_now)}<br>'
                       f'<span style="display:inline-block;width:14em">&rarr; {html.escape(new_band)}</span>'
                       f'<span style="display:inline-block;background:#2a6ebb;height:0.8em;width:{new / top * 20:.1f}em"></span> {fmt_gbp(new)}</div>')
        return '<div class="feemodel-chart" role="img" aria-label="Weekly rate now and proposed, by band">' + "".join(out) + "</div>"


def _explain(msg: str) -> str:
    """Turn a validation message into a sentence a commissioner can act on, naming the field."""
    if "effective_date" in msg:
        return "The effective date must fall in the scenario's financial year (1 April to 31 March)."
    if "occupancy" in msg:
        return "Occupancy must be at least 1% and at most 100%."
    msg = msg.removeprefix("scenario: ")
    field = msg.split(": ", 1)[0] if ": " in msg else ""
    detail = msg.split(": ", 1)[-1]
    if "greater than or equal to" in msg or "greater than" in msg:
        return f"That value is too low for {field or 'this setting'}: {detail}"
    if "less than or equal to" in msg or "less than" in msg:
        return f"That value is too high for {field or 'this setting'}: {detail}"
    return "That setting cannot be used: " + msg.split(": ", 1)[-1]


def app(scenario: str | Path | None = None):
    """Build the ipywidgets explorer for a scenario (default: FEEMODEL_SCENARIO, else the example)."""
    import os

    import ipywidgets as w

    from ..paths import default_scenario

    path = scenario or os.environ.get("FEEMODEL_SCENARIO") or default_scenario()
    ex = Explorer.from_scenario(path)
    st = ex.settings
    out = {k: w.HTML() for k in ("headline", "rates", "funding", "impact", "chart")}
    msg = w.HTML()
    msg.add_class("feemodel-message")
    out["headline"].add_class("feemodel-headline-box")

    def refresh():
        out["headline"].value = ex.headline_html()
        out["rates"].value = ex.rates_html()
        out["funding"].value = ex.funding_html()
        out["impact"].value = ex.impact_html()
        out["chart"].value = ex.chart_html()
        msg.value = f'<p style="color:#a00">{html.escape(ex.message)}</p>' if ex.message else ""

    quiet = {"on": False}  # set while the app itself updates a widget, so that is not taken as a user change
    band_boxes: dict = {}

    def sync_band_boxes():
        quiet["on"] = True
        try:
            for band, box in band_boxes.items():
                box.value = ex.settings["per_band_pct"].get(band, ex.settings["uniform_pct"])
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
            if name == "uniform_pct":
                sync_band_boxes()  # bands without their own % follow the uniform %
            refresh()
        widget.observe(on_change, names="value")
        return widget

    style = {"description_width": "16em"}
    layout = w.Layout(width="34em")
    structure = bind(w.ToggleButtons(options=[("Uplift current bands", "legacy"), ("Move to proposed rates", "proposed")],
                                     value=st["structure"], description="Approach", style={"button_width": "15em"}), "structure")
    uniform = bind(w.BoundedFloatText(value=st["uniform_pct"], min=-100, max=100, step=0.5, description="Uplift, all bands (%)",
                                      continuous_update=False, style=style, layout=layout), "uniform_pct")
    uniform.add_class("feemodel-uniform-pct")
    per_band = [bind(w.BoundedFloatText(value=st["per_band_pct"].get(b, st["uniform_pct"]), min=-100, max=100, step=0.5,
                                        description=f"{b} (%)", continuous_update=False, style=style, layout=layout),
                     "per_band_pct", lambda v, b=b: (b, v))
                for b in (band.name for band in ex.base.bands("current"))]
    band_boxes.update(zip((band.name for band in ex.base.bands("current")), per_band, strict=True))
    targets = [bind(w.BoundedFloatText(value=float(r), min=0, max=5000, step=1, description=f"{b} (£/week)", continuous_update=False,
                                       style=style, layout=layout), "target_rates", lambda v, b=b: (b, v))
               for b, r in zip(ex.results.rate_card.band, rate_card(ex.scenario({**st, "structure": "proposed"}), ex.params).weekly_rate_gbp,
                               strict=False)]
    premium = bind(w.FloatSlider(value=0, min=-2, max=3, step=0.05, description="Care pay premium change (£/h)",
                                 continuous_update=False, style=style, layout=layout), "pay_premium_change")
    occupancy = bind(w.FloatSlider(value=st["occupancy_pct"], min=60, max=100, step=0.5, description="Occupancy (%)",
                                   continuous_update=False, style=style, layout=layout), "occupancy_pct")
    roo = bind(w.FloatSlider(value=st["return_on_operations_pct"], min=0, max=15, step=0.25, description="Return on operations (%)",
                             continuous_update=False, style=style, layout=layout), "return_on_operations_pct")
    yld = bind(w.FloatSlider(value=st["capital_yield_pct"], min=0, max=12, step=0.25, description="Capital yield (%)",
                             continuous_update=False, style=style, layout=layout), "capital_yield_pct")
    passthrough = bind(w.FloatSlider(value=st["provider_pass_through_pct"], min=0, max=100, step=5,
                                     description="Provider pass-through to top-ups (%)", continuous_update=False, style=style,
                                     layout=layout), "provider_pass_through_pct")
    date = bind(w.DatePicker(value=dt.date.fromisoformat(st["effective_date"]), description="Effective date", style=style),
                "effective_date", lambda v: v.isoformat() if v else "")
    name = w.Text(placeholder="scenario name, e.g. uplift_6pct", description="Save as", style=style, layout=layout)
    save_btn = w.Button(description="Save scenario", button_style="primary")
    saved = w.HTML()

    def on_save(_):
        try:
            path = ex.save(name.value.strip())
            saved.value = f"<p>Saved {html.escape(str(path))}. Build its pack with <code>feemodel pack {html.escape(str(path))}</code>.</p>"
        except ExplorerError as err:
            saved.value = f'<p style="color:#a00">{html.escape(str(err))}</p>'
    save_btn.on_click(on_save)
    refresh()
    levers = w.Accordion(children=[w.VBox([uniform] + per_band), w.VBox(targets),
                                   w.VBox([premium, occupancy, roo, yld]), w.VBox([passthrough, date])])
    for i, title in enumerate(["Uplift (%)", "Target rates (£/week)", "Cost of care", "Providers and timing"]):
        levers.set_title(i, title)
    return w.VBox([w.HTML(f"<h2>{html.escape(ex.base.council)}: fee explorer ({ex.base.year_label})</h2>"),
                   structure, levers, msg, out["headline"], out["chart"],
                   w.HBox([out["rates"], out["funding"]]), out["impact"], w.HBox([name, save_btn]), saved])


def free_port() -> int:
    """A port on 127.0.0.1 that is free now (the server is told not to move off it)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(scenario: str | Path | None = None, port: int | None = None, startup_timeout_s: float = 120.0):
    """Start Voila on localhost for the explorer notebook; returns (process, url).

    Bound to 127.0.0.1, answering only requests whose Host is localhost or a loopback address (a
    DNS-rebinding page gets 403); at most 8 kernels, each shut down after 30
    minutes idle; its log goes to a file (``proc.log_path``), never to an unread pipe. Returns once
    the server listens, with the URL of the port it actually bound."""
    import os
    import socket
    import subprocess
    import sys
    import tempfile
    import time

    from ..paths import REPO_DIR, default_scenario

    if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535):
        raise InputError(None, "--port", f"{port!r} is not a port; give a whole number from 1 to 65535")
    if port is None:
        port = free_port()
    else:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError as exc:
                raise InputError(None, "--port", f"port {port} cannot be used on 127.0.0.1 ({exc.strerror}); "
                                 "choose another or leave --port out") from None
    nb = REPO_DIR / "notebooks" / "explore.ipynb"
    env = dict(os.environ)
    # the notebook's python3 kernel runs `python` from PATH: make that this very Python
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["FEEMODEL_SCENARIO"] = str(Path(scenario or default_scenario()).resolve())
    max_kernels = 8
    # Voila 0.5 hard-codes allow_remote_access=True in its tornado settings: turn the Host check
    # back on, and refuse a kernel beyond the limit
    launcher = (
        "import sys\n"
        "from tornado import web\n"
        "from voila.app import Voila\n"
        "class LocalVoila(Voila):\n"
        "    def init_settings(self):\n"
        "        settings = super().init_settings()\n"
        "        settings['allow_remote_access'] = False\n"
        "        settings['local_hostnames'] = ['localhost']\n"
        "        km = settings['kernel_manager']\n"
        "        start = km.start_kernel\n"
        "        async def limited(*args, **kwargs):\n"
        f"            if len(km.list_kernel_ids()) >= {max_kernels}:\n"
        "                raise web.HTTPError(503, 'too many explorer sessions; close a tab and reload')\n"
        "            return await start(*args, **kwargs)\n"
        "        km.start_kernel = limited\n"
        "        return settings\n"
        "sys.exit(LocalVoila.launch_instance())\n"
    )
    cmd = [sys.executable, "-c", launcher, str(nb), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
           "--Voila.port_retries=0", "--show_tracebacks=False",
           "--MappingKernelManager.cull_idle_timeout=1800", "--MappingKernelManager.cull_interval=60",
           "--MappingKernelManager.cull_connected=True"]
    fd, log_name = tempfile.mkstemp(prefix="feemodel-explore-", suffix=".log")
    with os.fdopen(fd, "w") as log:
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = log_name
    pattern = re.compile(r"running at:\s*(http://127\.0\.0\.1:(\d+)/\S*)")
    deadline = time.monotonic() + startup_timeout_s
    while True:
        text = Path(log_name).read_text(encoding="utf-8", errors="replace")
        m = pattern.search(text)
        if m:
            return proc, f"http://127.0.0.1:{m.group(2)}/"
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                proc.kill()
            tail = " ".join(text.strip().splitlines()[-3:])[-300:]
            raise RuntimeError(f"the explorer server did not start (log: {log_name}): {tail}")
        time.sleep(0.2)

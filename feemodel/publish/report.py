"""Presentation helpers for the pack notebooks: load a scenario's tables, show them, draw charts.

Notebooks stay thin: they call these functions and hold no business logic. Tables shown here are
the published (suppressed) versions; charts are static matplotlib PNGs embedded with alt text, so
a pack needs no scripts and reads offline.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from pathlib import Path

import pandas as pd

from ..money import fmt_gbp, fmt_gbp_m
from . import labels


def _plt():
    """matplotlib, imported only by sections that draw (it costs about 0.5 s a kernel)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~&:\"'$])")


def markdown_text(text: str) -> str:
    """Scenario text made literal for Markdown: every character Markdown or HTML would act on is
    backslash-escaped, so `![x](/a/file)` or `<img>` in a title shows as typed and fetches nothing."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


class PackData:
    """A scenario's computed tables as the notebooks see them (already suppressed)."""

    def __init__(self, tables_dir: str | Path):
        self.dir = Path(tables_dir)
        self.headline = json.loads((self.dir / "headline.json").read_text(encoding="utf-8"))
        self.meta = json.loads((self.dir / "meta.json").read_text(encoding="utf-8"))
        for key in ("council", "title"):  # scenario text goes into Markdown cells: shown literally
            if isinstance(self.meta.get(key), str):
                self.meta[key] = markdown_text(self.meta[key])
        self._cache: dict[str, pd.DataFrame] = {}

    def table(self, name: str) -> pd.DataFrame:
        """The published table ``name``; a table that was not computed is an empty frame whose
        ``attrs['skipped']`` says why (``table_html`` and the charts show that note instead)."""
        if name not in self._cache:
            path = self.dir / f"{name}.csv"
            if path.exists():
                frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
            else:
                frame = pd.DataFrame()
                frame.attrs["skipped"] = self.meta.get("not_computed", {}).get(name, "this table was not computed")
            frame.attrs["table"] = name
            self._cache[name] = frame
        return self._cache[name]

    def has(self, name: str) -> bool:
        """Whether table ``name`` was computed."""
        return "skipped" not in self.table(name).attrs

    def record(self, section: str, figures: dict) -> None:
        """Write the headline figures a section shows, for the builder to check against the model."""
        (self.dir / f"shown_{section}.json").write_text(json.dumps(figures, sort_keys=True), encoding="utf-8")


def load(tables_dir: str) -> PackData:
    if not tables_dir:
        raise ValueError("tables_dir parameter is empty: run this notebook through `feemodel pack`")
    return PackData(tables_dir)


def _table_name(frame: pd.DataFrame, table: str | None) -> str | None:
    return table or frame.attrs.get("table")


def not_computed_html(frame: pd.DataFrame, caption: str) -> str:
    """A short note in place of a table or chart that was not computed, saying why."""
    why = frame.attrs.get("skipped", "not computed")
    return f'<p class="not-computed"><strong>{html.escape(caption)}:</strong> not shown, because {html.escape(why)}.</p>'


def without_blank(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The frame less those of ``columns`` that are blank on every row (a note column with nothing
    to say, such as the survey's reliability label when every figure rests on 5 or more homes)."""
    blank = [c for c in columns if c in frame and frame[c].isna().all()]
    return frame.drop(columns=blank)


def survey_totals_caption(totals: pd.DataFrame) -> str:
    """The caption of the survey totals: both conventions with an interval from homes' returns, or
    the sums of the line figures from a published summary (no homes' totals, no interval)."""
    if "convention" in totals and "median_of_totals" in set(totals.convention):
        return "Provider cost survey totals: both conventions, with a 95% bootstrap interval for the median"
    return ("Provider cost survey totals from the published summary: the sums of the line figures (with no homes' "
            "returns there is no median of home totals and no interval)")


def skipped(frame: pd.DataFrame) -> bool:
    return "skipped" in frame.attrs


def table_html(frame: pd.DataFrame, caption: str, columns: list[str] | None = None, table: str | None = None) -> str:
    """An HTML table with headings in words with units and every value formatted by its unit, both
    from the label registry (:mod:`feemodel.publish.labels`). ``table`` names the registry table
    (default: the frame's ``attrs['table']``, set by :meth:`PackData.table`). A table that was not
    computed gives a one-line note saying why."""
    if skipped(frame):
        return not_computed_html(frame, caption)
    name = _table_name(frame, table)
    f = frame[columns] if columns else frame
    head = "".join(f'<th scope="col">{html.escape(labels.heading(c, name))}</th>' for c in f.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(labels.fmt(v, c, name))}</td>" for c, v in row.items()) + "</tr>"
                   for _, row in f.iterrows())
    return f'<table class="data"><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def rate_card_html(card: pd.DataFrame) -> str:
    """The rate card with components as rows and bands as columns (fits a printed page)."""
    if skipped(card):
        return not_computed_html(card, "Proposed rate card")
    rows = [c for c in card.columns if labels.unit(c, "rate_card").kind == "money" and c != "weekly_rate_gbp"] + ["weekly_rate_gbp"]
    head = '<th scope="col">Component (£ per resident per week)</th>' + "".join(f'<th scope="col">{html.escape(b)}</th>' for b in card.band)
    body = ""
    for c in rows:
        cells = "".join(f"<td>{labels.fmt(v, c, 'rate_card')}</td>" for v in card[c])
        strong = ' style="font-weight:bold"' if c == "weekly_rate_gbp" else ""
        body += f'<tr{strong}><th scope="row">{html.escape(labels.label(c, "rate_card").heading)}</th>{cells}</tr>'
    basis = '<tr><th scope="row">Basis</th>' + "".join(f"<td>{html.escape(labels.words(v))}</td>" for v in card.basis) + "</tr>"
    fnc = '<tr><th scope="row">NHS-funded nursing care (FNC)</th>' + "".join(f"<td>{html.escape(labels.words(v))}</td>" for v in card.fnc) + "</tr>"
    return (f'<table class="data"><caption>Proposed rate card</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{basis}{body}{fnc}</tbody></table>")


def summary_text(R: PackData) -> str:
    """The summary's opening paragraph and bullets (Markdown), from the headline; each figure the
    inputs do not support is left out with a sentence saying why."""
    H, M = R.headline, R.meta
    head = f"**{M['council']}: {M['title']}** ({M['financial_year']}, from {M['effective_date']})."
    if not H:
        return (head + "\n\nNo placement book was given, so the cost of the change, who pays it and its effect on "
                "residents, families and homes are not computed. The pack shows the proposed rates and the evidence behind them.")
    text = (f"{head}\n\nThe proposal would cost the council **{money_m(H['council_net_change_part_year_gbp'])}** in "
            f"{H['financial_year']} (part year from the effective date) and **{money_m(H['council_net_change_full_year_gbp'])}** "
            "in a full year.")
    rng = H.get("council_cost_range_gbp")
    if rng:
        text += (f" Allowing for uncertainty in the main assumptions, the first-year cost is likely to be **between "
                 f"{money_m(rng['P10'])} and {money_m(rng['P90'])}** (10th to 90th percentile of {rng['draws']:,} simulations).")
    n = M["suppress_below"]
    bullets = [f"Council-arranged placements affected: {count_text(H['placements_affected'], n)}; placements protected at their "
               f"current fee: {count_text(H['placements_protected'], n)}.",
               f"Third-party top-ups paid by families: {change_text(H['topup_change_part_year_gbp'])} in the first year."]
    below = H.get("homes_below_cost")
    if below:
        bullets.append(f"Care homes whose income is below their cost of care: {count_text(below['now'], n)} now, "
                       f"{count_text(below['proposed'], n)} under the proposal.")
    else:
        why = M.get("not_computed", {}).get("sustainability", "it was not computed")
        bullets.append(f"Care homes below their cost of care: not shown, because {why}.")
    return text + "\n\n" + "\n".join(f"- {b}" for b in bullets)


def change_text(x: float) -> str:
    """'a rise of £1.23m' / 'a fall of £0.88m' / 'no change'."""
    if abs(x) < 0.005:
        return "no change"
    return f"{'a rise' if x > 0 else 'a fall'} of {fmt_gbp_m(abs(x))}"


def figure_html(fig, alt: str, caption: str) -> str:
    """Embed a matplotlib figure as a PNG with alt text and a caption; closes the figure."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    _plt().close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}"/>'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def count_text(n: int, threshold: int = 5) -> str:
    """A count for published prose: '<5' for 1 to 4 (the suppression rule), else with separators."""
    return f"<{threshold}" if 0 < n < threshold else f"{n:,}"


def money_m(x: float) -> str:
    return fmt_gbp_m(x)


def rates_chart(card: pd.DataFrame) -> str:
    if skipped(card):
        return not_computed_html(card, "Cost build-up chart")
    built = card[card.basis.str.startswith("built")]
    if built.empty:
        return ('<p class="not-computed"><strong>Cost build-up chart:</strong> not shown, because no proposed band is built up '
                "from the cost of care (every rate is stated or uplifted).</p>")

    lines = [c for c in card.columns if c.endswith("_gbp_pw") and c.split("_gbp")[0] in (
        "care_staff", "nursing_staff", "other_staff", "premises", "supplies_services", "head_office",
        "return_on_operations", "return_on_capital")]
    fig, ax = _plt().subplots(figsize=(8, 4))
    bottom = pd.Series(0.0, index=built.index)
    for c in lines:
        ax.bar(built.band, built[c], bottom=bottom, label=labels.label(c, "rate_card").heading)
        bottom += built[c]
    if "survey_median_gbp_pw" in built:
        ax.errorbar(built.band, built.survey_median_gbp_pw,
                    yerr=[built.survey_median_gbp_pw - built.survey_lower_quartile_gbp_pw,
                          built.survey_upper_quartile_gbp_pw - built.survey_median_gbp_pw],
                    fmt="D", color="black", label="Provider survey median and quartiles")
    ax.set_ylabel("£ per resident per week")
    ax.set_title("Cost build-up of each proposed band against the provider survey")
    ax.legend(fontsize=7, ncol=2, loc="lower right")
    alt = "; ".join(f"{b}: {fmt_gbp(t)} a week" for b, t in zip(built.band, bottom, strict=True))
    return figure_html(fig, "Stacked bars of cost lines per band. " + alt, "Cost build-up per band (£ per resident per week).")


def tornado_chart(t: pd.DataFrame) -> str:
    if skipped(t):
        return not_computed_html(t, "Tornado chart")
    t = t.iloc[::-1]
    base = float(t.base_cost_gbp.iloc[0]) if len(t) else 0.0
    fig, ax = _plt().subplots(figsize=(8, 0.5 * len(t) + 1.5))
    for i, (_, r) in enumerate(t.iterrows()):
        lo, hi = sorted([r.cost_at_low_gbp, r.cost_at_high_gbp])
        ax.barh(i, (hi - lo) / 1e6, left=lo / 1e6, color="#4a7bb7")
    ax.axvline(base / 1e6, color="black", lw=1)
    ax.set_yticks(range(len(t)), [f"{lab} [{lo:g} to {hi:g}]" for lab, lo, hi in zip(t.label, t.low, t.high, strict=True)], fontsize=8)
    ax.set_xlabel("First-year council cost (£ million)")
    ax.set_title("One-way sensitivity of the council's first-year cost")
    alt = "; ".join(f"{r.label}: {money_m(min(r.cost_at_low_gbp, r.cost_at_high_gbp))} to {money_m(max(r.cost_at_low_gbp, r.cost_at_high_gbp))}"
                    for _, r in t.iloc[::-1].iterrows())
    return figure_html(fig, "Tornado chart. Base " + money_m(base) + ". " + alt, "Tornado chart of the first-year council cost.")


def budget_chart(b: pd.DataFrame) -> str:
    if skipped(b):
        return not_computed_html(b, "Budget chart")
    fig, ax = _plt().subplots(figsize=(8, 4))
    ax.bar(b.financial_year, b.growth_from_demand_gbp / 1e6, label="Growth from demand")
    ax.bar(b.financial_year, b.growth_from_fees_gbp / 1e6, bottom=b.growth_from_demand_gbp / 1e6, label="Growth from fees")
    ax.set_ylabel("£ million a year, against today")
    ax.set_title("Council cost growth by year")
    ax.legend()
    alt = "; ".join(f"{y}: demand {money_m(d)}, fees {money_m(f)}" for y, d, f in zip(b.financial_year, b.growth_from_demand_gbp,
                                                                                      b.growth_from_fees_gbp, strict=True))
    return figure_html(fig, "Stacked bars of cost growth. " + alt, "Growth in the council's cost from demand and from fees (£ million a year).")


def margin_chart(s: pd.DataFrame) -> str:
    if skipped(s):
        return not_computed_html(s, "Homes below cost chart")
    fig, ax = _plt().subplots(figsize=(8, 3.5))
    rows = s[s.setting != "all"]
    x = range(len(rows))
    now = pd.to_numeric(rows.below_cost_now, errors="coerce").fillna(0)       # "<5" (suppressed) drawn as 0
    new = pd.to_numeric(rows.below_cost_proposed, errors="coerce").fillna(0)
    ax.bar([i - 0.2 for i in x], now, width=0.4, label="Now")
    ax.bar([i + 0.2 for i in x], new, width=0.4, label="Proposed")
    ax.set_xticks(list(x), rows.setting)
    ax.set_ylabel("Homes below cost (count)")
    ax.set_title("Homes whose income is below their cost of care")
    ax.legend()
    alt = "; ".join(f"{r.setting}: {r.below_cost_now} now, {r.below_cost_proposed} proposed" for _, r in rows.iterrows())
    return figure_html(fig, "Bar chart of homes below cost. " + alt, "Homes below cost, now and proposed (counts under 5 not shown).")

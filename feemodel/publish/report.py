"""Presentation helpers for the pack notebooks: load a scenario's tables, show them, draw charts.

Notebooks stay thin: they call these functions and hold no business logic. Tables shown here are
the published (suppressed) versions; charts are static matplotlib PNGs embedded with alt text, so
a pack needs no scripts and reads offline.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from .. import __version__
from ..money import fmt_gbp, fmt_gbp_m
from ..paths import default_scenario, national_params_dir
from . import labels


def _plt():
    """matplotlib, imported only by sections that draw (it costs about 0.5 s a kernel)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt

def warm_kernel() -> None:
    """What a pack's pooled kernel does as it starts, while the builder computes the tables
    (:data:`feemodel.publish.pack.WARM_UP`): import matplotlib (Agg) and load its font list, then
    freeze the objects loaded so far out of the garbage collector's sight (``gc.freeze``), so the
    collection in each reset between sections looks only at what a section made."""
    import gc

    from matplotlib import font_manager

    _plt()
    font_manager.fontManager.findfont(CHART_STYLE["font.family"])
    gc.freeze()


def reset_kernel(shell) -> None:
    """Make a kernel that has run one pack section ready for the next as if it were new: the user
    namespace emptied and the execution count back to 1 (IPython's reset of a new session), open
    figures closed, matplotlib's settings back to their defaults from the rc file, and warnings shown
    once per place shown again. Imported modules stay loaded: that is the saving."""
    import gc
    import sys
    import warnings

    shell.reset(new_session=True)
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib

        sys.modules["matplotlib.pyplot"].close("all")
        matplotlib.rc_file_defaults()
    mutated = getattr(warnings, "_filters_mutated", None)
    if mutated:
        mutated()
    gc.freeze()  # what survived the reset's collection is the modules' own: keep it out of the next


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~&:\"'$])")


def markdown_text(text: str) -> str:
    """Scenario text made literal for Markdown: every character Markdown or HTML would act on is
    backslash-escaped, so `![x](/a/file)` or `<img>` in a title shows as typed and fetches nothing."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


class PackData:
    """A scenario's computed tables as the notebooks see them (already suppressed)."""

    def __init__(self, tables_dir: str | Path, shared: bool = False):
        self.dir = Path(tables_dir)
        self.shared = shared  # a folder in the user cache, read by every section run by hand: never written
        self.shown: dict[str, dict] = {}
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
        """Write the headline figures a section shows, for the builder to check against the model
        (``shown_<section>.json`` in the pack's tables folder). A section run by hand reads the shared
        cache, which is never written: the figures are kept in :attr:`shown` instead."""
        self.shown[section] = figures
        if not self.shared:
            (self.dir / f"shown_{section}.json").write_text(json.dumps(figures, sort_keys=True), encoding="utf-8")


def load(tables_dir: str | Path = "", scenario: str | Path = "") -> PackData:
    """The tables a section notebook shows. Called the same way by every section, with its two
    parameters: ``report.load(tables_dir, scenario=scenario)``.

    - ``tables_dir`` given (``feemodel pack`` passes it): read that folder, which the pack wrote.
    - ``tables_dir`` empty (``papermill`` with ``-p scenario PATH`` or no parameters, or Run All in
      JupyterLab): compute the scenario's tables here, exactly as the pack does
      (:func:`feemodel.publish.tables.compute`, then :func:`feemodel.publish.pack.write_tables`), and
      keep them in the user cache (:func:`cached_tables`), so the other sections reuse them.
      ``scenario`` empty means the example council's default scenario
      (:func:`feemodel.paths.default_scenario`); a relative path is taken from the kernel's working
      folder. Bad input raises :class:`feemodel.errors.InputError` naming the file and key."""
    if tables_dir:
        return PackData(tables_dir)
    return PackData(cached_tables(scenario), shared=True)


CACHE_ENV = "FEEMODEL_CACHE"


def cache_root() -> Path:
    """Where sections run by hand keep computed tables: ``$FEEMODEL_CACHE`` if set, else the user
    cache folder (``~/.cache/feemodel`` on Linux, ``~/Library/Caches/feemodel`` on macOS,
    ``%LOCALAPPDATA%\\feemodel\\Cache`` on Windows). Safe to delete at any time."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    try:
        import platformdirs  # a dependency of jupyter_core, so present wherever a kernel runs
    except ImportError:  # pragma: no cover - a bare install without Jupyter
        return Path.home() / ".cache" / "feemodel"
    return Path(platformdirs.user_cache_dir("feemodel", appauthor=False))


def cache_key(scenario: str | Path = "") -> str:
    """The cache key of a scenario's tables: SHA-256 over the package version, the scenario's
    resolved path and bytes, each data file it names (kind, path and bytes) and every national
    parameter file (name and bytes). Any edit to any input, or a new feemodel, gives a new key."""
    from ..inputs.scenario import load_scenario

    s = load_scenario(Path(scenario) if scenario else default_scenario())
    h = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        h.update(f"{label}\0{len(data)}\0".encode())
        h.update(data)

    add("feemodel", __version__.encode())
    add(f"scenario {s.path}", s.path.read_bytes())
    for kind in s.data.given():
        path = s.data_path(kind)
        add(f"data {kind} {path}", path.read_bytes())
    national = national_params_dir()
    for path in sorted(national.rglob("*.yaml")):
        add(f"national {path.relative_to(national).as_posix()}", path.read_bytes())
    return h.hexdigest()


def cached_tables(scenario: str | Path = "") -> Path:
    """The tables folder of ``scenario`` (empty: the default scenario) in :func:`cache_root`,
    computed on the first call for these inputs (see :func:`cache_key`) and reused after.

    Safe when several sections run at once: each computes into its own temporary folder beside the
    cache entry and renames it into place in one step; a writer that finds the entry already there
    drops its own copy and reads the one that won. A reader never sees a half-written folder."""
    from .pack import write_tables
    from .tables import run

    key = cache_key(scenario)
    root = cache_root() / "tables"
    final = root / key
    if (final / "meta.json").is_file():
        return final
    root.mkdir(parents=True, exist_ok=True)
    r = run(Path(scenario) if scenario else default_scenario())
    work = Path(tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=root))
    try:
        write_tables(r, work / "tables")
        try:
            os.rename(work / "tables", final)
        except OSError:  # another section finished first: its folder holds the same bytes
            if not (final / "meta.json").is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return final


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
    shown = columns or list(frame.columns)
    head = "".join(f'<th scope="col">{html.escape(labels.heading(c, name))}</th>' for c in shown)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell_text(row, c, name))}</td>" for c in shown) + "</tr>"
                   for _, row in frame.iterrows())
    return f'<table class="data"><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def cell_text(row: pd.Series, column: str, table: str | None) -> str:
    """One cell's text: :func:`labels.fmt`, except where the row names the unit. A national
    parameter's value is shown in the unit on its row (:data:`labels.ROW_UNIT_COLUMNS`, '£14,250.00',
    '3%'); a sensitivity's low and high changes in the assumption's own unit ('-5 points', '+£0.50 an
    hour', :func:`labels.change_text`) when the row carries its ``assumption``, shown or not."""
    v = row[column]
    unit_column = labels.ROW_UNIT_COLUMNS.get((table, column))
    if unit_column and unit_column in row:
        return labels.fmt_parameter(v, row[unit_column])
    if table == "sensitivity" and column in ("low", "high") and "assumption" in row and not pd.isna(v):
        return labels.change_text(row["assumption"], v)
    return labels.fmt(v, column, table)


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


# --- charts -----------------------------------------------------------------------------------------
# One colour-blind-safe palette for every chart: Okabe and Ito (2008), "Color Universal Design".
# Stacked segments also differ in hatching, so they stay apart when printed in greyscale.
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7"}
PALETTE = [OKABE_ITO[k] for k in ("blue", "orange", "sky_blue", "bluish_green", "vermillion", "reddish_purple", "yellow")]
HATCHES = ["", "///", "...", "xxx", "\\\\\\", "ooo", "---", "+++"]
BASE_COLOUR = "#999999"  # a stated or current rate: one grey block, set apart from the cost lines
LOW_COLOUR, HIGH_COLOUR = OKABE_ITO["blue"], OKABE_ITO["orange"]  # tornado: the low and the high input
FIG_WIDTH_IN = 7.0   # inches; at FIG_DPI the PNG is at most 770 px wide, which the PDF (A4, 15 mm
FIG_DPI = 110        # margins: 180 mm = 7.09 in of text width) prints at full size or larger
FONT_PT = 9          # the smallest text on any chart: >= 8 pt on the printed page
CHART_STYLE = {"font.size": FONT_PT, "axes.titlesize": FONT_PT + 1, "axes.labelsize": FONT_PT,
               "xtick.labelsize": FONT_PT, "ytick.labelsize": FONT_PT, "legend.fontsize": FONT_PT,
               "font.family": "DejaVu Sans", "hatch.linewidth": 0.6}


def _style():
    """The charts' style (fonts, palette) as an rc_context: a chart is made and drawn inside it."""
    from cycler import cycler

    return _plt().rc_context(dict(CHART_STYLE, **{"axes.prop_cycle": cycler(color=PALETTE)}))


def _figure(height_in: float):
    """A new figure FIG_WIDTH_IN wide with constrained layout (call inside :func:`_style`)."""
    return _plt().subplots(figsize=(FIG_WIDTH_IN, height_in), layout="constrained")


def _lower_first(name: str) -> str:
    """'Care staff' -> 'care staff' for use inside a sentence; 'NHS-funded ...' stays as it is."""
    return name[0].lower() + name[1:] if len(name) > 1 and name[1].islower() else name


def figure_html(fig, alt: str, caption: str) -> str:
    """Embed a matplotlib figure as a PNG (FIG_DPI) with alt text and a caption; closes the figure.
    The alt text must say what the chart shows, with its figures, in words."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIG_DPI, bbox_inches="tight", pad_inches=0.05, metadata={"Software": None})
    _plt().close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}"/>'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def chart_in_words(title: str, sentence: str) -> str:
    """A chart's content in words, shown instead of a chart that would be empty."""
    return f'<p class="chart-in-words"><strong>{html.escape(title)}:</strong> {html.escape(sentence)}</p>'


def count_text(n: int, threshold: int = 5) -> str:
    """A count for published prose: '<5' for 1 to 4 (the suppression rule), else with separators."""
    return f"<{threshold}" if 0 < n < threshold else f"{n:,}"


def money_m(x: float) -> str:
    return fmt_gbp_m(x)


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


# The rate card's components, in stacking order (bottom first): the cost lines of a band built up from
# the cost of care, or the base of any other band (its stated rate, or its current rate before an
# uplift), then what is added on top. The weekly rate is their sum (feemodel.model.rates.rate_card).
COST_LINES = ("care_staff", "nursing_staff", "other_staff", "premises", "supplies_services", "head_office",
              "return_on_operations", "return_on_capital")
ADDITIONS = (("uplift_gbp_pw", "Uplift on the current rate"), ("rounding_gbp_pw", "Rounding to the whole pound"),
             ("quality_premium_gbp_pw", "Quality premium"), ("supplementary_needs_gbp_pw", "Supplementary needs"))


def _base_label(basis: str) -> str:
    if basis.startswith("built"):
        return "cost of care"
    if basis.startswith("current rate"):
        return "Current rate"
    return "Stated rate"


def build_up_segments(card: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    """The stacked segments of the build-up chart: [(label, £ a week per band)], bottom first, each
    non-zero for some band. A built band's segments are its cost lines; any other band's base is one
    segment ("Stated rate" or "Current rate", the cost-of-care total column), then the uplift,
    rounding, quality premium, supplementary needs and FNC where the rate includes it. For every
    band the segments add up to the weekly rate (to the penny)."""
    built = card.basis.str.startswith("built")
    segs: list[tuple[str, pd.Series]] = []
    for line in COST_LINES:
        c = f"{line}_gbp_pw"
        if c in card:
            segs.append((labels.label(c, "rate_card").heading, _num(card[c]).where(built, 0.0).fillna(0.0)))
    for base in ("Stated rate", "Current rate"):
        mask = ~built & (card.basis.map(_base_label) == base)
        segs.append((base, _num(card.cost_of_care_total_gbp_pw).where(mask, 0.0).fillna(0.0)))
    for c, name in ADDITIONS:
        if c in card:
            segs.append((name, _num(card[c]).fillna(0.0)))
    if "fnc_rate_gbp_pw" in card:
        segs.append(("NHS-funded nursing care (FNC) in the rate",
                     _num(card.fnc_rate_gbp_pw).where(card.fnc == "included", 0.0).fillna(0.0)))
    return [(name, v) for name, v in segs if (v.abs() >= 0.005).any()]


def rates_chart(card: pd.DataFrame) -> str:
    """Stacked bars of every proposed band's weekly rate by component (:func:`build_up_segments`),
    the total on each bar, and the provider survey's median and quartiles beside the bands built from
    a surveyed category. Colours from :data:`PALETTE` with hatching; the legend sits below the plot."""
    if skipped(card):
        return not_computed_html(card, "Cost build-up chart")
    if card.empty:
        return chart_in_words("Cost build-up", "the scenario proposes no band.")
    segs = build_up_segments(card)
    total = _num(card.weekly_rate_gbp)
    x = list(range(len(card)))
    survey = "survey_median_gbp_pw" in card and _num(card.survey_median_gbp_pw).notna().any()
    with _style():
        fig, ax = _figure(5.4)
        bottom = pd.Series(0.0, index=card.index)
        handles = []
        k = 0
        for name, v in segs:
            if name in ("Stated rate", "Current rate"):
                colour, hatch = BASE_COLOUR, ""
            else:
                colour, hatch = PALETTE[k % len(PALETTE)], HATCHES[k % len(HATCHES)]
                k += 1
            handles.append(ax.bar(x, v, bottom=bottom, width=0.6, color=colour, hatch=hatch, edgecolor="white", linewidth=0.4, label=name))
            bottom += v
        top = total.copy()
        if survey:
            med, lq, uq = (_num(card[c]) for c in ("survey_median_gbp_pw", "survey_lower_quartile_gbp_pw", "survey_upper_quartile_gbp_pw"))
            has = med.notna()
            xs = [i + 0.4 for i, h in zip(x, has, strict=True) if h]
            handles.append(ax.errorbar(xs, med[has], yerr=[med[has] - lq[has], uq[has] - med[has]], fmt="D", color=OKABE_ITO["black"],
                                       markersize=5, capsize=3, label="Provider survey: median (diamond) and quartiles"))
        for i, t in zip(x, total, strict=True):
            ax.text(i, t, fmt_gbp(t), ha="center", va="bottom", fontsize=FONT_PT)
        ymax = max(top.max(), _num(card.survey_upper_quartile_gbp_pw).max() if survey else 0.0)
        ax.set_ylim(0, ymax * 1.1)
        ax.set_xlim(-0.6, len(card) - 0.4)
        ax.set_xticks(x, [_wrap(b, 14) for b in card.band])
        ax.yaxis.set_major_formatter(_plt().FuncFormatter(lambda v, _: f"£{v:,.0f}"))
        ax.set_ylabel("£ per resident per week")
        ax.set_title("Weekly rate of each proposed band, by component")
        ax.spines[["top", "right"]].set_visible(False)
        fig.legend(handles=handles[::-1] if not survey else [handles[-1], *handles[-2::-1]], loc="outside lower center",
                   ncol=3, frameon=False)
    parts = []
    for i, r in enumerate(card.itertuples(index=False)):
        comp = ", ".join(f"{_lower_first(name)} {fmt_gbp(v.iloc[i])}" for name, v in segs if abs(v.iloc[i]) >= 0.005)
        text = f"{r.band}: {fmt_gbp(total.iloc[i])} a week ({labels.words(r.basis)}: {comp})"
        if survey and pd.notna(_num(card.survey_median_gbp_pw).iloc[i]):
            text += (f"; provider survey median {fmt_gbp(card.survey_median_gbp_pw.iloc[i])}, quartiles "
                     f"{fmt_gbp(card.survey_lower_quartile_gbp_pw.iloc[i])} to {fmt_gbp(card.survey_upper_quartile_gbp_pw.iloc[i])}")
        parts.append(text)
    alt = "Stacked bar chart of each proposed band's weekly rate by component, £ per resident per week. " + "; ".join(parts) + "."
    caption = "Weekly rate of each proposed band by component (£ per resident per week)"
    caption += ", with the provider survey's median and quartiles beside each band built from a surveyed category." if survey else "."
    return figure_html(fig, alt, caption)


def tornado_chart(t: pd.DataFrame) -> str:
    """One-way sensitivity as a tornado: for each assumption a bar from the central cost to the cost
    at the low input (blue, plain) and to the cost at the high input (orange, hatched), each end
    labelled in £m; the y labels state the low and high inputs; the x-axis is padded so no bar or
    label is cut off. Rows in the table's order (largest swing at the top)."""
    if skipped(t):
        return not_computed_html(t, "Tornado chart")
    if t.empty:
        return chart_in_words("One-way sensitivity", "no assumption was given a range to test.")
    n = len(t)
    m = 1e6
    base = float(t.base_cost_gbp.iloc[0])
    lows, highs = _num(t.cost_at_low_gbp), _num(t.cost_at_high_gbp)
    values = [base, *lows, *highs]
    span = (max(values) - min(values)) / m or max(abs(base) / m * 0.1, 0.1)
    pad = 0.3 * span
    with _style():
        fig, ax = _figure(0.62 * n + 1.9)
        for i, r in enumerate(t.itertuples(index=False)):
            y = n - 1 - i
            lo, hi = float(r.cost_at_low_gbp), float(r.cost_at_high_gbp)
            if abs(lo - base) < 0.5 and abs(hi - base) < 0.5:
                ax.text(base / m + 0.02 * span, y, "no effect", va="center", ha="left", fontsize=FONT_PT)
                continue
            ends = sorted([(lo, LOW_COLOUR, ""), (hi, HIGH_COLOUR, "///")], key=lambda e: -abs(e[0] - base))
            same_side = (lo - base) * (hi - base) > 0
            for k, (v, colour, hatch) in enumerate(ends):
                height = 0.35 if same_side and k == 1 else 0.6
                ax.barh(y, (v - base) / m, left=base / m, height=height, color=colour, hatch=hatch, edgecolor="black", linewidth=0.4)
            if same_side:
                far = max(lo, hi, key=lambda v: abs(v - base))
                ax.text(far / m + (0.02 if far > base else -0.02) * span, y,
                        f"{money_m(lo)} (low) / {money_m(hi)} (high)", va="center", ha="left" if far > base else "right", fontsize=FONT_PT)
            else:
                for v in (lo, hi):
                    right = v > base
                    ax.text(v / m + (0.02 if right else -0.02) * span, y, money_m(v), va="center",
                            ha="left" if right else "right", fontsize=FONT_PT)
        ax.axvline(base / m, color=OKABE_ITO["black"], lw=1)
        ax.text(base / m, n - 0.35, f"Central estimate {money_m(base)}", ha="center", va="bottom", fontsize=FONT_PT,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
        ax.set_ylim(-0.6, n + 0.15)
        ax.set_xlim(min(values) / m - pad, max(values) / m + pad)
        ax.set_yticks(range(n), [f"{_wrap(labels.words(r.assumption), 34)}\n{labels.change_text(r.assumption, r.low)} (low) \u2192 "
                                 f"{labels.change_text(r.assumption, r.high)} (high)" for r in t.iloc[::-1].itertuples(index=False)])
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        step = float(ax.get_xticks()[1] - ax.get_xticks()[0])
        decimals = 0 if step >= 1 else 1 if step >= 0.1 else 2
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{'-' if v < 0 else ''}£{abs(v):,.{decimals}f}m"))
        ax.set_xlabel("First-year cost to the council (£ million)")
        ax.set_title("One-way sensitivity of the council's first-year cost")
        ax.spines[["top", "right"]].set_visible(False)
        from matplotlib.patches import Patch

        fig.legend(handles=[Patch(facecolor=LOW_COLOUR, edgecolor="black", label="Cost at the low input"),
                            Patch(facecolor=HIGH_COLOUR, hatch="///", edgecolor="black", label="Cost at the high input")],
                   loc="outside lower center", ncol=2, frameon=False)
    parts = []
    for r in t.itertuples(index=False):
        what = labels.words(r.assumption)
        lo_in, hi_in = labels.change_text(r.assumption, r.low), labels.change_text(r.assumption, r.high)
        if abs(r.cost_at_low_gbp - base) < 0.5 and abs(r.cost_at_high_gbp - base) < 0.5:
            parts.append(f"{what}: no effect ({lo_in} and {hi_in} both give {money_m(base)})")
        else:
            parts.append(f"{what}: {lo_in} (low) gives {money_m(r.cost_at_low_gbp)}, {hi_in} (high) gives {money_m(r.cost_at_high_gbp)}")
    alt = (f"Tornado chart of the council's first-year cost as each assumption moves over its range, one at a time, "
           f"largest effect first; central estimate {money_m(base)}. " + "; ".join(parts) + ".")
    return figure_html(fig, alt, "One-way sensitivity of the council's first-year cost (£ million): blue is the cost at the "
                                 "low input, orange (hatched) at the high input; the line is the central estimate.")


def budget_chart(b: pd.DataFrame) -> str:
    """Stacked bars of each year's growth in the council's cost against today, from demand and from
    the fee change (£ million); a negative part is drawn below zero."""
    if skipped(b):
        return not_computed_html(b, "Budget chart")
    if b.empty:
        return chart_in_words("Council cost growth by year", "no year was projected.")
    demand, fees = _num(b.growth_from_demand_gbp) / 1e6, _num(b.growth_from_fees_gbp) / 1e6
    with _style():
        fig, ax = _figure(4.2)
        years = list(b.financial_year.astype(str))
        pos, neg = pd.Series(0.0, index=b.index), pd.Series(0.0, index=b.index)
        for k, (v, name) in enumerate([(demand, "Growth from demand"), (fees, "Growth from the fee change")]):
            bottom = pos.where(v >= 0, neg)
            ax.bar(years, v, bottom=bottom, width=0.6, color=PALETTE[k], hatch=HATCHES[k], edgecolor="white", linewidth=0.4, label=name)
            pos, neg = pos + v.clip(lower=0), neg + v.clip(upper=0)
        for i, tot in enumerate(demand + fees):
            ax.text(i, max(pos.iloc[i], 0), f"£{tot:,.2f}m", ha="center", va="bottom", fontsize=FONT_PT)
        ax.set_ylim(min(0, neg.min() * 1.1), max(pos.max(), 0.01) * 1.12)
        ax.axhline(0, color=OKABE_ITO["black"], lw=0.6)
        ax.set_ylabel("£ million a year, against today")
        ax.set_title("Growth in the council's cost by year")
        ax.spines[["top", "right"]].set_visible(False)
        fig.legend(loc="outside lower center", ncol=2, frameon=False)
    alt = "Stacked bar chart of the growth in the council's cost against today, by year. " + "; ".join(
        f"{y}: {money_m(d + f)} in all, of which demand {money_m(d)} and the fee change {money_m(f)}"
        for y, d, f in zip(b.financial_year, b.growth_from_demand_gbp, b.growth_from_fees_gbp, strict=True)) + "."
    return figure_html(fig, alt, "Growth in the council's cost from demand and from the fee change (£ million a year, against today).")


def _count_cell(v) -> tuple[float | None, str]:
    """(the count, or None when withheld; the count in words for prose): '<5' -> (None, 'fewer than 5');
    blank -> (None, 'withheld'); 12 -> (12.0, '12')."""
    if isinstance(v, str) and v.strip().startswith("<"):
        return None, f"fewer than {v.strip()[1:]}"
    n = pd.to_numeric(pd.Series([v]), errors="coerce").iloc[0]
    if pd.isna(n):
        return None, "withheld"
    return float(n), f"{int(n):,}"


def homes_below_cost_words(rows: pd.DataFrame) -> str:
    """The homes-below-cost counts in one sentence, by setting, keeping the suppression rule (a count
    under the threshold is 'fewer than 5', never the number)."""
    parts = []
    for r in rows.itertuples(index=False):
        setting = labels.words(r.setting, "setting")
        (now, now_w), (new, new_w) = _count_cell(r.below_cost_now), _count_cell(r.below_cost_proposed)
        if now == 0 and new == 0:
            parts.append(f"no {setting.lower()} home is below cost now or under the proposal")
        elif now is None and new is None and now_w == new_w and now_w.startswith("fewer"):
            parts.append(f"{setting.lower()}: {now_w} homes now and {new_w} under the proposal (exact counts withheld)")
        else:
            withheld = " (exact counts withheld)" if now is None or new is None else ""
            parts.append(f"{setting.lower()}: {now_w} now and {new_w} under the proposal{withheld}")
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def margin_chart(s: pd.DataFrame) -> str:
    """Homes below cost, now and proposed, by setting. Only counts that are published are drawn: a
    withheld count ('<5' or blank) is never drawn as 0. When no count above zero is published the
    chart would be empty or misleading, so the counts are given in a sentence instead."""
    if skipped(s):
        return not_computed_html(s, "Homes below cost chart")
    rows = s[s.setting != "all"]
    title = "Homes whose income is below their cost of care"
    cells = [(r, k, _count_cell(getattr(r, col))) for r in rows.itertuples(index=False)
             for k, col in enumerate(("below_cost_now", "below_cost_proposed"))]
    if rows.empty or not any(n for _, _, (n, _) in cells):
        return chart_in_words(title, homes_below_cost_words(rows) if len(rows) else "no open in-county home.")
    with _style():
        fig, ax = _figure(3.6)
        settings = [labels.words(v, "setting") for v in rows.setting]
        for k, name in enumerate(("Now", "Proposed")):
            xs, ys = [], []
            for i, r in enumerate(rows.itertuples(index=False)):
                n, _ = _count_cell(r.below_cost_now if k == 0 else r.below_cost_proposed)
                if n is not None:
                    xs.append(i + (k - 0.5) * 0.4)
                    ys.append(n)
            bars = ax.bar(xs, ys, width=0.4, color=PALETTE[k], hatch=HATCHES[k], edgecolor="white", linewidth=0.4, label=name)
            ax.bar_label(bars, labels=[f"{int(v):,}" for v in ys], fontsize=FONT_PT)
        ax.set_xticks(range(len(rows)), settings)
        ax.set_xlim(-0.7, len(rows) - 0.3)
        ax.set_ylabel("Homes below cost")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_title(title)
        ax.spines[["top", "right"]].set_visible(False)
        fig.legend(loc="outside lower center", ncol=2, frameon=False)
    sentence = homes_below_cost_words(rows)
    withheld = [f"{labels.words(r.setting, 'setting').lower()} {'now' if k == 0 else 'proposed'}" for r, k, (n, _) in cells if n is None]
    caption = "Homes below cost, now and proposed (a count)."
    if withheld:
        caption += f" Not drawn, because the count is withheld (small-number suppression): {', '.join(withheld)}."
    return figure_html(fig, "Bar chart of homes whose income is below their cost of care. " + sentence, caption)

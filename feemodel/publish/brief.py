"""The decision brief: the pack's first page, and the words every section uses for its figures.

A councillor decides from this page. It states each headline figure once, in the words defined
here, and the sections quote the same figures in the same words with a link back (``#summary-...``
anchors). Everything comes from the published (suppressed) tables and headline of
:class:`feemodel.publish.report.PackData`; nothing is computed here that the tables do not hold.

* :func:`decision_html`: the decision sought (the scenario's ``decision``, else a sentence built from
  its title and effective date);
* :func:`cost_html`: the first-year cost, part year and full year, and its range;
* :func:`years_html`: one five-year series (the budget table's; without demand inputs, the cost
  table's fee change alone), the first year a part year;
* :func:`rates_html`: rates now and proposed against the survey's quartiles, with a sentence for
  each proposed rate below the lower quartile (and the council's reason, where it records one);
* :func:`who_gains_html`: who gains and who loses.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pandas as pd

from ..money import fmt_gbp, fmt_gbp_m
from . import labels

ANCHORS = {"decision": "summary-decision", "cost": "summary-cost", "years": "summary-years", "rates": "summary-rates",
           "who": "summary-who"}


def _date(iso: str | None) -> str:
    """'6 April 2026' from '2026-04-06'."""
    if not iso:
        return ""
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {d:%B %Y}"


def first_year_words(meta: dict) -> str:
    """The words for the first year everywhere in the pack: '2026/27 (part year from 6 April 2026)'."""
    return f"{meta['financial_year']} (part year from {_date(meta['effective_date'])})"


def link(anchor: str, text: str = "see the summary") -> str:
    """A Markdown link back to a figure on the summary page."""
    return f"[{text}](#{ANCHORS[anchor]})"


def count_words(n, threshold: int) -> str:
    """A published count in words: '2,821'; '<5' shown as 'fewer than 5'; a withheld count as 'withheld'."""
    if isinstance(n, str):
        if n.startswith("<"):
            return f"fewer than {n[1:]}"
        if n == "":
            return "withheld (so that a small count cannot be worked out)"
        n = float(n)
    n = int(n)
    return f"fewer than {threshold}" if 0 < n < threshold else f"{n:,}"


def _p(anchor: str, inner: str) -> str:
    return f'<p id="{ANCHORS[anchor]}">{inner}</p>'


def decision_html(meta: dict) -> str:
    text = meta.get("decision") or (f"To agree the proposed weekly rates below for care home placements the council "
                                    f"arranges, from {_date(meta['effective_date'])}.")
    return _p("decision", f"<strong>Decision sought.</strong> {html.escape(text)}")


def cost_sentence(headline: dict, meta: dict) -> str:
    """The first-year cost in the pack's words (plain text, no markup)."""
    h = headline
    text = (f"The proposal would cost the council {fmt_gbp_m(h['council_net_change_part_year_gbp'])} in "
            f"{first_year_words(meta)} and {fmt_gbp_m(h['council_net_change_full_year_gbp'])} in a full year.")
    rng = h.get("council_cost_range_gbp")
    if rng:
        text += (f" Allowing for uncertainty in the main assumptions, the first-year cost is likely to be between "
                 f"{fmt_gbp_m(rng['P10'])} and {fmt_gbp_m(rng['P90'])} (the 10th to 90th percentile of "
                 f"{int(rng['draws']):,} simulations).")
    return text


def cost_html(headline: dict, meta: dict, not_computed: str | None = None) -> str:
    if not headline:
        return _p("cost", "<strong>Cost.</strong> " + html.escape(
            not_computed or "No placement book was given, so the cost of the change is not computed."))
    return _p("cost", "<strong>Cost.</strong> " + html.escape(cost_sentence(headline, meta)))


def years_frame(budget: pd.DataFrame, reconciliation: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """(series, table name for labels): the budget table's years (fee change, demand growth, total
    change from today), or, without one, the reconciliation's council net change by year."""
    if "skipped" not in budget.attrs and len(budget):
        cols = ["financial_year", "period", "growth_from_fees_gbp", "growth_from_demand_gbp", "change_from_today_gbp"]
        return budget[cols], "budget"
    if "skipped" not in reconciliation.attrs and len(reconciliation):
        r = reconciliation[reconciliation.step == "council_net_change"]
        first = r.financial_year.iloc[0]
        r = r[(r.financial_year != first) | (r.period == "part_year")]
        return r[["financial_year", "period", "amount_gbp"]], "reconciliation"
    return pd.DataFrame(), ""


def compact_table(frame: pd.DataFrame, caption: str, table: str, headings: dict[str, str] | None = None) -> str:
    """A small HTML table for the summary page: values formatted by the label registry (as in every
    other table of the pack), headings from the registry unless ``headings`` gives shorter ones (with
    the unit stated in the caption). The first column is the row header."""
    headings = headings or {}
    head = "".join(f'<th scope="col">{html.escape(headings.get(c) or labels.heading(c, table))}</th>' for c in frame.columns)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for j, (c, v) in enumerate(row.items()):
            text = html.escape(labels.fmt(v, c, table))
            cells.append(f'<th scope="row">{text}</th>' if j == 0 else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="data brief"><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def years_html(budget: pd.DataFrame, reconciliation: pd.DataFrame) -> str:
    frame, name = years_frame(budget, reconciliation)
    if frame.empty:
        return ""
    frame = frame.copy()
    frame["financial_year"] = [f"{y} (part year)" if p == "part_year" else y for y, p in zip(frame.financial_year, frame.period, strict=True)]
    frame = frame.drop(columns="period")
    if name == "budget":
        caption = ("The council's cost by year against today's (£ a year). Later years' fee change includes the uplift assumed "
                   "for each later year (the uplift index), against today's fees: it is more than this year's decision alone")
        heads = {"financial_year": "Year", "growth_from_fees_gbp": "From the fee change", "growth_from_demand_gbp": "From demand",
                 "change_from_today_gbp": "Total change"}
    else:
        caption = ("The change in the council's cost by year from the fee change (£ a year; demand is not projected because "
                   "its inputs were not given). Later years include the uplift assumed for each later year (the uplift index)")
        heads = {"financial_year": "Year", "amount_gbp": "From the fee change"}
    return f'<div id="{ANCHORS["years"]}">{compact_table(frame, caption, name, heads)}</div>'


RATE_COLUMNS = ["current_band", "current_rate_gbp_pw", "proposed_band", "first_year_rate_gbp_pw",
                "survey_lower_quartile_gbp_pw", "survey_median_gbp_pw", "survey_upper_quartile_gbp_pw"]


def rates_frame(mapping: pd.DataFrame, card: pd.DataFrame) -> pd.DataFrame:
    """Each current band with its rate now, the proposed band and rate (as costed in the first
    year), and the survey's quartiles for the proposed band (blank where the band is not built from
    a surveyed category). Without a book, the proposed card alone."""
    survey = [c for c in ("survey_lower_quartile_gbp_pw", "survey_median_gbp_pw", "survey_upper_quartile_gbp_pw") if c in card]
    if "skipped" in mapping.attrs or mapping.empty:
        cols = ["band", "weekly_rate_gbp"] + survey
        return card[[c for c in cols if c in card]]
    quart = card.set_index("band")[survey] if survey else pd.DataFrame(index=card.band)
    out = mapping.merge(quart, left_on="proposed_band", right_index=True, how="left")
    return out[[c for c in RATE_COLUMNS if c in out]]


def _reason(row) -> str:
    """' The council's reason: ...' from a rate card row's note, or a sentence saying there is none."""
    note = row.get("note")
    return f" The council's reason: {note}" if isinstance(note, str) and note else " The scenario records no reason."


def below_quartile_sentences(card: pd.DataFrame) -> list[str]:
    """One sentence per proposed rate below the survey's lower quartile, with the council's reason."""
    out = []
    if "survey_lower_quartile_gbp_pw" not in card:
        return out
    for _, r in card.iterrows():
        lq = r.get("survey_lower_quartile_gbp_pw")
        if pd.isna(lq) or not r.weekly_rate_gbp < lq:
            continue
        text = (f"The proposed {r.band} rate, {fmt_gbp(r.weekly_rate_gbp)} a week, is below the lower quartile of the providers' "
                f"cost survey ({fmt_gbp(lq)}): at least three in four of the homes that returned the survey reported a higher cost.")
        out.append(text + _reason(r))
    return out


def below_median_sentences(card: pd.DataFrame) -> list[str]:
    """One sentence per proposed rate below the survey's median (but not below its lower quartile)."""
    out = []
    if "survey_median_gbp_pw" not in card:
        return out
    for _, r in card.iterrows():
        med, lq = r.get("survey_median_gbp_pw"), r.get("survey_lower_quartile_gbp_pw")
        if pd.isna(med) or not r.weekly_rate_gbp < med or (not pd.isna(lq) and r.weekly_rate_gbp < lq):
            continue
        text = (f"The proposed {r.band} rate, {fmt_gbp(r.weekly_rate_gbp)} a week, is below the survey's median "
                f"({fmt_gbp(med)}), by {fmt_gbp(med - r.weekly_rate_gbp)} a week.")
        out.append(text + _reason(r))
    return out


RATE_HEADINGS = {"current_band": "Band now", "current_rate_gbp_pw": "Rate now", "proposed_band": "Proposed band",
                 "first_year_rate_gbp_pw": "Proposed rate", "band": "Proposed band", "weekly_rate_gbp": "Proposed rate",
                 "survey_lower_quartile_gbp_pw": "Survey lower quartile", "survey_median_gbp_pw": "Survey median",
                 "survey_upper_quartile_gbp_pw": "Survey upper quartile"}


def rates_html(mapping: pd.DataFrame, card: pd.DataFrame, table_html) -> str:
    if "skipped" in card.attrs:
        return table_html(card, "Rates now and proposed")
    frame = rates_frame(mapping, card)
    name = "band_mapping" if "current_band" in frame else "rate_card"
    has_survey = "survey_median_gbp_pw" in frame
    caption = ("Rates now and proposed against the providers' cost survey (£ a week; nursing rates exclude NHS-funded "
               "nursing care)" if has_survey else "Rates now and proposed (£ a week)")
    parts = [compact_table(frame, caption, name, RATE_HEADINGS)]
    sentences = below_quartile_sentences(card)
    if has_survey and not sentences:
        sentences = ["No proposed rate is below the lower quartile of the providers' cost survey."]
    parts += [f"<p>{html.escape(s)}</p>" for s in sentences]
    return f'<div id="{ANCHORS["rates"]}">{"".join(parts)}</div>'


def who_gains_html(who: pd.DataFrame, table_html, threshold: int) -> str:
    """The who-gains table, one group per block: who (once), what changes, how many (with what is
    counted), the average change a week and the totals (first year, full year)."""
    caption = (f"Who gains and who loses (£; a minus sign is a fall; counts under {threshold} are withheld; blank money "
               "figures do not apply)")
    if "skipped" in who.attrs:
        return table_html(who, caption)
    heads = ["Who, and what changes", "How many, of what", "Average a week", "First year (part year)", "Full year"]
    body, last = [], None
    for _, r in who.iterrows():
        group = "" if r.who == last else f"<strong>{html.escape(r.who)}</strong>: "
        last = r.who
        n = labels.fmt(r["count"], "count", "who_gains")
        cells = [f'<th scope="row">{group}{html.escape(labels.words(r.what))}</th>',
                 f"<td>{html.escape(n + ' ' + r.counted if n else 'withheld')}</td>"]
        cells += [f"<td>{html.escape(labels.fmt(r[c], c, 'who_gains'))}</td>"
                  for c in ("average_change_gbp_pw", "change_first_year_gbp", "change_full_year_gbp")]
        body.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f'<th scope="col">{h}</th>' for h in heads)
    words = who_gains_sentence(who, threshold)
    note = ("The average a week is each placement's change at today's placements; the yearly totals also count the "
            "placements that end during the year and the admissions that replace them at the new rates, so they are not "
            "the average times the count. Working-age placements are part of the council's cost above; care homes are "
            "every home with placements in the book, in and out of the county.")
    return (f'<div id="{ANCHORS["who"]}"><p>{html.escape(words)}</p><table class="data brief"><caption>{html.escape(caption)}'
            f'</caption><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            f'<p class="table-note">{html.escape(note)}</p></div>')


def _moved_topups(who: pd.DataFrame, threshold: int) -> str:
    """'209 see their top-up fall and 96 see it end; ' from the families' outcome rows (as published)."""
    counts = {r.what: r.count for r in who.itertuples() if r.who == "Families paying top-ups"}
    parts = [f"{count_words(counts[what], threshold)} see their top-up {verb}" for what, verb in
             (("Top-up falls", "fall"), ("Top-up ends", "end"), ("Top-up rises", "rise"))
             if what in counts and str(counts[what]) not in ("0", "0.0")]
    return (" and ".join(parts) + "; ") if parts else ""


def who_gains_sentence(who: pd.DataFrame, threshold: int) -> str:
    """Who gains and who pays more, in plain sentences, from the who-gains table's first-year
    figures (£m) and counts (withheld counts are said to be withheld); then the placements protected
    at their current fee, which get no rise while costs rise."""
    if "skipped" in who.attrs or who.empty:
        return ""

    def money(r):
        v = r.change_first_year_gbp
        return None if v == "" or pd.isna(v) else float(v)

    gains, pays = [], []
    for r in who.itertuples():
        w, v = r.who, money(r)
        if v is None or abs(v) < 0.005:
            continue
        n = count_words(r.count, threshold)
        if w == "The council":
            (pays if v > 0 else gains).append(f"the council ({fmt_gbp_m(abs(v))})")
        elif w == "Families paying top-ups":
            moved = _moved_topups(who, threshold)
            (pays if v > 0 else gains).append(f"families paying top-ups ({moved}{fmt_gbp_m(abs(v))} in all)")
        elif w == "Self-funders":
            (pays if v > 0 else gains).append(f"self-funders ({n} people, {fmt_gbp_m(abs(v))} in all)")
        elif w == "Care homes":
            (gains if v > 0 else pays).append(f"care homes, whose income {'rises' if v > 0 else 'falls'} by {fmt_gbp_m(abs(v))}")
        elif w == "Residents paying an assessed contribution":
            (pays if v > 0 else gains).append(f"residents paying a contribution ({fmt_gbp_m(abs(v))} in all)")
    text = []
    if gains:
        text.append("Better off in the first year: " + "; ".join(gains) + ".")
    if pays:
        text.append("Paying more: " + "; ".join(pays) + ".")
    held = who[who.who == "Placements protected at their current fee"] if "who" in who else who.iloc[0:0]
    if len(held) and str(held["count"].iloc[0]) not in ("", "0"):
        text.append(f"Held back: {count_words(held['count'].iloc[0], threshold)} placements protected at their current fee get "
                    "no rise this year while homes' costs rise (see who gets what uplift).")
    return " ".join(text)


GLOSSARY: list[tuple[str, str]] = [
    ("Care home fee (weekly rate)", "What the council pays a care home each week for a placement it arranges, in £ a week."),
    ("Cost of care", "What it costs a home, run efficiently, to care for one resident for a week: staff, premises, supplies, "
                     "head office and a return; in £ per resident per week."),
    ("NHS-funded nursing care (FNC)", "A weekly amount the NHS pays nursing homes towards a resident's registered nursing "
                                      "care; a national rate, set each year. The council's nursing rates exclude it unless marked."),
    ("NHS continuing healthcare (CHC)", "Care the NHS arranges and pays for in full, for people whose needs are mainly health "
                                        "needs; the council's fees do not change it."),
    ("National Living Wage (NLW)", "The legal minimum hourly pay for workers aged 21 and over, set each April."),
    ("Personal Expenses Allowance (PEA)", "The weekly amount a resident keeps for personal spending after the means test."),
    ("Means test; assessed contribution", "The council's assessment of what a resident pays towards their fee from income "
                                          "and capital, under the Care Act 2014 charging rules."),
    ("Top-up (third-party)", "An amount a family member or friend pays each week so that the resident can live in a home "
                             "that costs more than the council's rate."),
    ("Top-up (first-party)", "A top-up the resident pays from their own resources, allowed only in limited cases."),
    ("Self-funder", "A resident who pays their own fees in full and arranges their own care."),
    ("Quartiles (lower quartile, median, upper quartile)", "Three points that split the homes in a survey, ranked by cost, "
                                                          "into four equal groups: a quarter cost less than the lower "
                                                          "quartile, half less than the median, three quarters less than the upper quartile."),
    ("Occupancy", "The share of a home's beds that are occupied, in %. Fixed costs are spread over occupied beds."),
    ("On-costs", "Employer costs on top of basic pay: holiday cover, sickness and training, employer National Insurance "
                 "and pension, as a % of basic pay."),
    ("Return on operations; return on capital", "The surplus a home needs: a % of its operating costs, and a yield on the "
                                                "value of its buildings and land per bed."),
    ("Pass-through", "The share of a council fee rise that homes are assumed to add to the prices families (top-ups) or "
                     "self-funders pay, in %."),
    ("Protected placement", "A placement already paid more than the new rate, which keeps its current fee."),
    ("Part year; full year", "The first year's cost from the date the new rates take effect to 31 March (part year), and "
                             "over a whole year at the first year's fees (full year)."),
    ("Withheld counts (\u201c<5\u201d)", "Counts of fewer than 5 people, or of fewer than 5 homes in a table of homes' "
                                         "finances or placements, are not shown, and nor is any figure from which they could be "
                                         "worked out, so that no one can be identified. Counts of homes opened and closed, and of survey "
                                         "returns, describe the market, not people, and are shown as they are."),
]


def glossary_html() -> str:
    """The pack's glossary as a definition list."""
    items = "".join(f"<dt>{html.escape(t)}</dt><dd>{html.escape(d)}</dd>" for t, d in GLOSSARY)
    return f'<dl class="glossary">{items}</dl>'


def scenario_html(tables_dir) -> str:
    """The scenario file as the pack publishes it (``scenario.txt`` beside the tables: home ids
    replaced by their letters where the council does not name homes)."""
    text = (Path(tables_dir) / "scenario.txt").read_text(encoding="utf-8")
    return f"<pre>{html.escape(text)}</pre>"


# ---- the providers' challenge: the cost gap in one sentence, and the chart of past uplifts

def _numbers(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The rows whose ``columns`` are all numbers (a withheld '' or '<5' row is left out)."""
    out = frame[list(columns)].apply(pd.to_numeric, errors="coerce")
    return out.dropna()


def cost_gap_sentence(gap: pd.DataFrame) -> str:
    """The cost gap in one sentence, from the published ``cost_gap`` table: the placement-weighted
    average gap between the cost of care and the fee now (£ a week, and % of the cost of care), the cost a
    year of closing it at once and in the first year phased, and the average gap the proposed rates
    leave. Rows withheld by small-number suppression, without a cost of care, or with a stated rate
    compared only with its setting's survey category (another client group's costs) are left out
    (and the sentence says so); '' where no band can be compared."""
    if "skipped" in gap.attrs or gap.empty:
        return ""
    rows = _numbers(gap, "placements", "cost_of_care_gbp_pw", "gap_now_gbp_pw", "gap_proposed_gbp_pw",
                    "close_at_once_gbp_pa", "close_phased_first_year_gbp_pa")
    rows = rows[rows.placements > 0]
    if "category_named" in gap:  # a stated rate compared with a category picked for its setting: table only
        named = gap.loc[rows.index, "category_named"].map(lambda v: str(v).strip().lower() in ("true", "1", "yes"))
        rows = rows[named]
    if rows.empty:
        return ""
    n = rows.placements
    now = float((rows.gap_now_gbp_pw * n).sum() / n.sum())
    cost = (rows.cost_of_care_gbp_pw * n).sum()   # the gaps as a share of the cost of care they fall short of
    now_pct = float((rows.gap_now_gbp_pw * n).sum() / cost * 100)
    prop = float((rows.gap_proposed_gbp_pw * n).sum() / n.sum())
    prop_pct = float((rows.gap_proposed_gbp_pw * n).sum() / cost * 100)

    def side(x: float, pct: float) -> str:
        if abs(x) < 0.005:
            return "level with the cost of care"
        return f"{fmt_gbp(abs(x))} a week ({abs(pct):.1f}%) {'below' if x > 0 else 'above'} the cost of care"

    left_out = [str(b) for b in gap.loc[~gap.index.isin(rows.index), "band"]] if "band" in gap else []
    at_once, first = float(rows.close_at_once_gbp_pa.sum()), float(rows.close_phased_first_year_gbp_pa.sum())
    phased = f" ({fmt_gbp_m(first)} in the first year if phased as the proposal is)" if abs(at_once - first) >= 0.005 else ""
    text = (f"On average the fees paid now are {side(now, now_pct)} (the providers' survey median, or the council's built "
            f"rate where the survey has no category), across {int(round(n.sum())):,} council placements; closing that gap "
            f"at once would cost {fmt_gbp_m(at_once)} a year{phased}, and the proposed rates are {side(prop, prop_pct)}.")
    if left_out:
        text += (f" Left out: {', '.join(left_out)} (no cost of care of {'their' if len(left_out) > 1 else 'its'} own to compare, "
                 "or withheld; see the cost gap table).")
    return text


def cost_gap_html(gap: pd.DataFrame, anchor: bool = True) -> str:
    """The cost-gap sentence as a paragraph ('' where there is nothing to compare); ``anchor``: the
    summary's copy carries the id ``summary-cost-gap`` (a section quoting it again passes False)."""
    sentence = cost_gap_sentence(gap)
    ident = ' id="summary-cost-gap"' if anchor else ""
    return f'<p{ident}><strong>Does the rate cover the cost?</strong> {html.escape(sentence)}</p>' if sentence else ""


def uplift_history_chart(history: pd.DataFrame, offer: pd.DataFrame | None = None) -> str:
    """Lines of the cumulative uplift and the cumulative cost pressure since the first year listed
    (first year's start = 100), from the published ``uplift_history`` table; the gap in the alt text,
    with the fee year's gap in £ a year on today's fees (``offer``: the published
    ``cost_pressure_offer`` table, its ``all`` row) where given."""
    from . import report

    if "skipped" in history.attrs:
        return report.not_computed_html(history, "Past uplifts against cost pressure")
    years = [str(y) for y in history.financial_year]
    fees = [100.0] + list(pd.to_numeric(history.cumulative_uplift_factor) * 100)
    costs = [100.0] + list(pd.to_numeric(history.cumulative_cost_factor) * 100)
    axis = [f"start of {years[0]}"] + [f"end of {y}" for y in years]
    with report._style():
        fig, ax = report._figure(3.6)
        ax.plot(axis, fees, marker="o", color=report.PALETTE[0], label="Council uplifts")
        ax.plot(axis, costs, marker="s", linestyle="--", color=report.PALETTE[1], label="Cost pressure")
        ax.ticklabel_format(axis="y", style="plain", useOffset=False)
        ax.set_ylabel(f"Index (start of {years[0]} = 100)")
        ax.set_title("Council uplifts against cost pressure, cumulative")
        ax.spines[["top", "right"]].set_visible(False)
        fig.legend(loc="outside lower center", ncol=2, frameon=False)
    last = history.iloc[-1]
    alt = (f"Line chart of the council's cumulative uplifts and the cumulative cost pressure from the start of {years[0]} "
           f"(= 100): by the end of {years[-1]} fees stand at {fees[-1]:.1f} and costs at {costs[-1]:.1f}, fees "
           f"{abs(float(last.cumulative_gap_pct)):.1f}% {'behind' if float(last.cumulative_gap_pct) < 0 else 'ahead of'} costs.")
    if offer is not None and "skipped" not in offer.attrs and "current_band" in offer:
        row = offer[offer.current_band == "all"]
        gbp = pd.to_numeric(row.gap_gbp_pa, errors="coerce").dropna()
        if len(gbp):
            x = float(gbp.iloc[0])
            alt += (f" In {years[-1]} the uplift offered is {fmt_gbp_m(abs(x))} a year {'above' if x >= 0 else 'below'} "
                    "the cost pressure on today's fees.")
    return report.figure_html(fig, alt, "Council uplifts against cost pressure since the first year listed (index, start = 100).")


PRESSURE_SHOWN = ["band", "component", "weight_pct", "index_pct", "contribution_pct", "weights_from"]


def pressure_sources(pressure: pd.DataFrame) -> pd.DataFrame:
    """Each index of the cost pressure table once (its change in the year and its source), for the
    sources table beside the per-band weights; the total rows are left out."""
    if "skipped" in pressure.attrs:
        return pressure
    out = pressure[pressure.component != "total"].drop_duplicates(["component", "index_pct", "source"])
    out = out[["component", "index_pct", "source"]].reset_index(drop=True)
    out.attrs["table"] = "cost_pressure"
    return out


def central_sentence(mc: pd.DataFrame) -> str:
    """Where the cost as stated sits against the middle of the simulations (the Monte Carlo table:
    ``statistic`` 'as stated', 'P50', ...; £), in one sentence; '' without both figures."""
    if "skipped" in mc.attrs or mc.empty or "statistic" not in mc:
        return ""
    v = dict(zip(mc.statistic, pd.to_numeric(mc.council_cost_gbp, errors="coerce"), strict=True))
    stated, mid = v.get("as stated"), v.get("P50")
    if stated is None or mid is None or pd.isna(stated) or pd.isna(mid):
        return ""
    if fmt_gbp_m(stated) == fmt_gbp_m(mid):
        return f"The cost as stated, {fmt_gbp_m(stated)}, is also the middle of the simulations (their median)."
    side = "below" if stated < mid else "above"
    return (f"The cost as stated, {fmt_gbp_m(stated)}, uses the scenario's own values and is {side} the middle of the "
            f"simulations ({fmt_gbp_m(mid)}, their median): the ranges drawn around those values are not symmetric, or the "
            "cost does not move in step with them, so more draws land on one side.")

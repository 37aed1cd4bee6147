"""Generate the synthetic example council, Exampleshire, from a fixed seed.

Run ``python -m feemodel.inputs.example`` to rewrite ``params/scenarios/exampleshire/data``; the files
come out byte for byte the same every time (a test checks this). The shape follows the figures in
the domain brief: about 89% occupancy, the council buying about 47% of residential and 25% of
nursing beds, about 300 out-of-area placements, self-funder prices about 35% above council rates,
permanent admissions of people aged 65+ near 650 per 100,000 a year. Nothing here is real data.

Columns of every file are documented in ``params/scenarios/exampleshire/DATA.md``.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20190401
AS_AT = dt.date(2026, 3, 31)

# Current (2025/26) weekly rates of the legacy bands, £/week excluding FNC.
LEGACY_RATES = {
    "Residential": 760.00,
    "Residential high needs": 800.00,
    "Residential dementia": 835.00,
    "Nursing": 820.00,
    "Nursing dementia": 865.00,
    "Working age residential": 1080.00,
}
FNC_2025 = 254.06

_PREFIX = ["Oak", "Elm", "Ash", "Beech", "Willow", "Cedar", "Rowan", "Holly", "Maple", "Birch", "Hazel", "Laurel"]
_SUFFIX = ["House", "Lodge", "Court", "Manor", "Grange", "View", "Park", "Hall"]
_TOWNS = ["Amberley", "Brockton", "Castlegate", "Dunmore", "Eastwick", "Fairleigh", "Greyford", "Hollins"]

AGE_BANDS = ["18-64", "65-74", "75-84", "85+"]
# Admissions per 100,000 a year in 2016 (council-supported permanent admissions) and the trend.
ADMISSION_RATE_2016 = {"18-64": 14.0, "65-74": 140.0, "75-84": 620.0, "85+": 2600.0}
ADMISSION_TREND = -0.012  # a year, log scale
POPULATION_2016 = {"18-64": 452_000, "65-74": 88_000, "75-84": 56_000, "85+": 22_500}
POPULATION_GROWTH = {"18-64": 0.002, "65-74": 0.012, "75-84": 0.028, "85+": 0.035}


# The equality characteristics (optional placement columns) come from a stream of their own, drawn
# after every other column, so adding them left every other column of every file as it was.
EQUALITY_SEED = (SEED, 1)
# older residents' age bands, by funding (self-funders and NHS CHC are older people in the example)
OLDER_AGE_BANDS = (["65-74", "75-84", "85+"], [0.13, 0.34, 0.53])
# share female by age band (care home residents are mostly women, more so with age)
FEMALE_SHARE = {"18-64": 0.44, "65-74": 0.50, "75-84": 0.64, "85+": 0.76}
SEX_NOT_RECORDED = 0.002
# primary support reason (NHS England SALT/ASCOF categories) by kind of placement; memory_cognition
# includes dementia
_PSR = ["physical_support", "sensory_support", "memory_cognition", "learning_disability", "mental_health", "social_support"]
PSR_SHARES = {
    "dementia": [0.09, 0.01, 0.85, 0.00, 0.05, 0.00],
    "working_age": [0.15, 0.03, 0.00, 0.55, 0.25, 0.02],
    "older": [0.68, 0.04, 0.19, 0.01, 0.06, 0.02],
    "no_band": [0.50, 0.03, 0.38, 0.01, 0.06, 0.02],   # self-funders and NHS CHC (no council band)
}
PSR_NOT_RECORDED = 0.004


def _money(x):
    return np.round(np.asarray(x, dtype=float) * 2) / 2  # to the nearest 50p, as fees are quoted


def make_homes(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    n_in, n_out = 124, 46
    for i in range(n_in + n_out):
        area = "in" if i < n_in else "out"
        setting = "nursing" if rng.random() < 0.36 else "residential"
        beds = int(rng.integers(18, 96) if setting == "residential" else rng.integers(30, 110))
        opened = dt.date(int(rng.integers(1975, 2019)), int(rng.integers(1, 13)), 1)
        closed = ""
        if area == "in" and rng.random() < 0.07:
            opened = dt.date(int(rng.integers(2019, 2026)), int(rng.integers(1, 13)), 1)
        elif area == "in" and rng.random() < 0.05:
            closed = dt.date(int(rng.integers(2020, 2026)), int(rng.integers(1, 13)), 1).isoformat()
        occupancy = float(np.clip(rng.beta(30, 3.6), 0.62, 1.0))
        base = 1.0 + rng.normal(0.36, 0.11)
        if setting == "residential":
            price = LEGACY_RATES["Residential"] * max(base, 1.02)
        else:
            price = (LEGACY_RATES["Nursing"] + FNC_2025) * max(base - 0.08, 1.02)
        rows.append({
            "home_id": f"H{i + 1:03d}",
            "home_name": f"{_PREFIX[i % 12]} {_SUFFIX[(i // 12) % 8]}, {_TOWNS[(i * 7) % 8]}",
            "setting": setting,
            "area": area,
            "locality": "rural" if rng.random() < 0.3 else "urban",
            "beds": beds,
            "occupied_beds": "" if area == "out" or closed else int(round(beds * occupancy)),
            "private_weekly_price": float(_money(price)),
            "opened": opened.isoformat(),
            "closed": closed,
        })
    return pd.DataFrame(rows)


def make_placements(rng: np.random.Generator, homes: pd.DataFrame) -> pd.DataFrame:
    rows = []
    pid = 0

    def add(home, funding, client_group, band, fee, price, topup):
        nonlocal pid
        pid += 1
        older = client_group == "older"
        if funding == "self":
            capital = float(np.round(rng.lognormal(np.log(160_000), 0.6), 2)) + 23_250.01
        elif funding == "chc":
            capital = float(np.round(rng.uniform(0, 60_000), 2))
        else:
            u = rng.random()
            capital = float(np.round(rng.uniform(0, 14_250) if u < 0.72 else rng.uniform(14_250, 23_250), 2))
        income = rng.normal(236, 48) if older else rng.normal(168, 26)
        los_years = rng.exponential(2.6 if older else 6.0)
        start = AS_AT - dt.timedelta(days=int(min(los_years, 15) * 365.25))
        assessed = ""
        if funding == "council" and rng.random() < 0.05:
            assessed = float(np.round(rng.uniform(80, 200), 2))
        rows.append({
            "placement_id": f"P{pid:06d}",
            "home_id": home.home_id,
            "setting": home.setting,
            "client_group": client_group,
            "area": home.area,
            "funding": funding,
            "band": band,
            "weekly_fee": fee,
            "provider_price": price,
            "weekly_income": float(np.round(max(income, 95.0), 2)),
            "capital": capital,
            "assessed_contribution": assessed,
            "third_party_topup": topup,
            "fnc_eligible": bool(home.setting == "nursing" and funding != "chc"),
            "start_date": start.isoformat(),
        })

    fnc = {"residential": 0.0, "nursing": FNC_2025}
    for home in homes.itertuples():
        if home.closed:
            continue
        if home.area == "in":
            occupied = int(home.occupied_beds)
            p_council = 0.47 if home.setting == "residential" else 0.25
            p_chc = 0.02 if home.setting == "residential" else 0.15
        else:
            occupied = int(rng.integers(3, 11))  # only the council's own placements are known
            p_council, p_chc = 1.0, 0.0
        for _ in range(occupied):
            u = rng.random()
            if u < p_council:
                wa = home.setting == "residential" and rng.random() < 0.10
                if wa:
                    band, group = "Working age residential", "working_age"
                elif home.setting == "residential":
                    band = rng.choice(["Residential", "Residential high needs", "Residential dementia"], p=[0.45, 0.2, 0.35])
                    group = "older"
                else:
                    band = rng.choice(["Nursing", "Nursing dementia"], p=[0.6, 0.4])
                    group = "older"
                band = str(band)
                rate = LEGACY_RATES[band]
                if home.area == "out":
                    fee = float(_money(rate * rng.uniform(1.0, 1.18)))
                elif rng.random() < 0.08:
                    fee = float(_money(rate * rng.uniform(1.04, 1.22)))  # spot fee above the band rate
                else:
                    fee = rate
                topup = 0.0
                if home.area == "in" and rng.random() < 0.13:
                    headroom = home.private_weekly_price - fnc[home.setting] - fee
                    topup = float(_money(max(15.0, headroom * rng.uniform(0.25, 0.7))))
                price = round(fee + fnc[home.setting] + topup, 2)
                add(home, "council", group, band, fee, price, topup)
            elif u < p_council + p_chc:
                fee = float(_money(rng.uniform(1050, 1450)))
                add(home, "chc", "older", "", fee, fee, 0.0)
            else:
                add(home, "self", "older", "", "", home.private_weekly_price, 0.0)
    return pd.DataFrame(rows)


def add_equality(rng: np.random.Generator, placements: pd.DataFrame) -> pd.DataFrame:
    """The book with its equality columns added last: ``age_band`` (working-age placements 18-64,
    older people 65-74, 75-84 or 85+), ``sex`` (by age band; a few "not recorded") and
    ``primary_support_reason`` (dementia bands mostly memory and cognition; a few left blank, not
    recorded). Every other column is left as it is."""
    age, sex, psr = [], [], []
    for r in placements.itertuples():
        band = "18-64" if r.client_group == "working_age" else str(rng.choice(OLDER_AGE_BANDS[0], p=OLDER_AGE_BANDS[1]))
        u = rng.random()
        s = "not recorded" if u < SEX_NOT_RECORDED else ("female" if rng.random() < FEMALE_SHARE[band] else "male")
        kind = ("no_band" if not r.band else "dementia" if "dementia" in r.band
                else "working_age" if r.client_group == "working_age" else "older")
        reason = "" if rng.random() < PSR_NOT_RECORDED else str(rng.choice(_PSR, p=PSR_SHARES[kind]))
        age.append(band)
        sex.append(s)
        psr.append(reason)
    return placements.assign(age_band=age, sex=sex, primary_support_reason=psr)


SURVEY_LINES = ["care_staff", "nursing_staff", "other_staff", "premises", "supplies_services",
                "head_office", "return_on_operations", "return_on_capital"]
# Median-ish 2025/26 costs per resident week by category (care, nurse, other staff, premises,
# supplies, head office), before occupancy and size effects.
_SURVEY_BASE = {
    "standard_residential": (395, 0, 150, 42, 88, 38),
    "residential_enhanced": (455, 0, 156, 44, 90, 40),
    "standard_nursing": (305, 195, 150, 44, 94, 40),
    "nursing_enhanced": (350, 210, 156, 45, 96, 42),
}


def make_survey(rng: np.random.Generator, homes: pd.DataFrame) -> pd.DataFrame:
    candidates = homes[(homes.area == "in") & (homes.closed == "")].reset_index(drop=True)
    chosen = candidates.iloc[np.sort(rng.choice(len(candidates), size=40, replace=False))]
    rows = []
    for k, home in enumerate(chosen.itertuples()):
        occ = int(home.occupied_beds) / home.beds
        cats = (["standard_residential", "residential_enhanced"] if home.setting == "residential"
                else ["standard_nursing", "nursing_enhanced"])
        for cat in cats:
            care, nurse, other, prem, supp, head = _SURVEY_BASE[cat]
            size = (60 / home.beds) ** 0.12  # economies of scale on overheads
            fixed = 0.89 / occ             # fixed costs spread over fewer residents
            noise = lambda sd: rng.normal(1, sd)  # noqa: E731
            lines = {
                "care_staff": care * noise(0.07),
                "nursing_staff": nurse * noise(0.08),
                "other_staff": other * size * fixed * noise(0.10),
                "premises": prem * size * fixed * noise(0.18),
                "supplies_services": supp * noise(0.10),
                "head_office": head * noise(0.25),
            }
            if k in (7, 23) and cat.startswith("standard"):
                lines["premises"] *= 3.2  # reported outliers
            operating = sum(lines.values())
            lines["return_on_operations"] = operating * 0.05 * noise(0.2)
            lines["return_on_capital"] = rng.normal(80_000, 12_000) * 0.06 / 52 / occ
            for line in SURVEY_LINES:
                rows.append({"home_id": home.home_id, "category": cat, "beds": home.beds,
                             "occupancy_pct": round(occ * 100, 1), "cost_line": line,
                             "amount_prpw": round(float(max(lines[line], 0.0)), 2)})
    return pd.DataFrame(rows)


def make_population(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for year in range(2016, 2037):
        for band in AGE_BANDS:
            pop = POPULATION_2016[band] * (1 + POPULATION_GROWTH[band]) ** (year - 2016)
            rows.append({"year": year, "age_band": band, "population": int(round(pop, -1)),
                         "kind": "estimate" if year <= 2025 else "projection"})
    return pd.DataFrame(rows)


def make_admissions(rng: np.random.Generator, population: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for r in population[population.kind == "estimate"].itertuples():
        rate = ADMISSION_RATE_2016[r.age_band] * np.exp(ADMISSION_TREND * (r.year - 2016)) / 100_000
        rows.append({"year": r.year, "age_band": r.age_band, "admissions": int(rng.poisson(rate * r.population))})
    return pd.DataFrame(rows)


def make_comparators() -> pd.DataFrame:
    """Other councils' published rates and uplifts for 2026/27 (illustrative: invented councils, no real figures)."""
    rows = [
        ("Westshire County Council (illustrative)", "Residential", 805.00, 5.2),
        ("Westshire County Council (illustrative)", "Nursing", 902.50, 5.0),
        ("Northborough Council (illustrative)", "Residential", 792.00, 3.2),
        ("Northborough Council (illustrative)", "Nursing", 884.00, 3.2),
        ("Eastmoor County Council (illustrative)", "Residential", 838.40, 6.8),
        ("Eastmoor County Council (illustrative)", "Nursing", 947.10, 6.1),
    ]
    return pd.DataFrame([{"council": c, "financial_year": 2026, "band": b, "weekly_rate": r, "uplift_pct": u,
                          "source": f"Illustrative: {c.split(' (')[0]} fee report 2026/27"} for c, b, r, u in rows])


def make_response_log() -> pd.DataFrame:
    """The consultation's responses by theme and the council's answer (illustrative)."""
    return pd.DataFrame([
        {"theme": "The rates do not cover the rise in the National Living Wage", "responses": 23,
         "council_answer": "The cost pressure table shows the rise in pay, NI and pension beside the uplift for each band."},
        {"theme": "The survey's occupancy is below the 90% the rates assume", "responses": 14,
         "council_answer": "Kept at 90%: in-county homes were 89.6% occupied; the assumptions table sets the two side by side."},
        {"theme": "Enhanced needs cost more than the enhanced rate pays", "responses": 9,
         "council_answer": "Individual supplements continue for specialist dementia units, assessed case by case."},
    ])


def generate(out_dir: Path) -> dict[str, Path]:
    """Write the example data files to ``out_dir`` (the five of the council's data, and the
    illustrative comparators and consultation response log); returns their paths."""
    rng = np.random.default_rng(SEED)
    homes = make_homes(rng)
    placements = make_placements(rng, homes)
    survey = make_survey(rng, homes)
    population = make_population(rng)
    admissions = make_admissions(rng, population)
    placements = add_equality(np.random.default_rng(EQUALITY_SEED), placements)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, frame in [("homes", homes), ("placements", placements), ("cost_survey", survey),
                        ("population", population), ("admissions", admissions), ("comparators", make_comparators()),
                        ("response_log", make_response_log())]:
        path = out_dir / f"{name}.csv"
        frame.to_csv(path, index=False, lineterminator="\n")
        files[name] = path
    return files


if __name__ == "__main__":  # pragma: no cover
    from ..paths import example_dir

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else example_dir() / "data"
    for name, path in generate(target).items():
        print(f"{name}: {path}")

"""The synthetic example council: reproducible from its seed, and shaped like the domain brief."""

import filecmp

import pandas as pd

from feemodel.inputs import example as exampledata
from feemodel.paths import example_dir


def test_generator_reproduces_shipped_files_byte_for_byte(tmp_path):
    files = exampledata.generate(tmp_path)
    for name, path in files.items():
        assert filecmp.cmp(path, example_dir() / "data" / f"{name}.csv", shallow=False), name


def test_shape_follows_the_brief():
    d = example_dir() / "data"
    p, h = pd.read_csv(d / "placements.csv"), pd.read_csv(d / "homes.csv")
    assert 5000 <= len(p) <= 10000
    live = h[(h.area == "in") & h.closed.isna()]
    assert 0.85 <= live.occupied_beds.sum() / live.beds.sum() <= 0.92          # market occupancy 84-89%+
    council_in = p[(p.area == "in") & (p.funding == "council")]
    res_share = (council_in.setting == "residential").sum() / p[(p.area == "in") & (p.setting == "residential")].shape[0]
    assert 0.40 <= res_share <= 0.52                                             # ~47% of residential beds
    assert 250 <= (p.area == "out").sum() <= 350                                  # ~300 out of county
    ratio = p[p.funding == "self"].provider_price.mean() / p[p.funding == "council"].weekly_fee.mean()
    assert 1.25 <= ratio <= 1.5                                                   # self-funders pay 30-40% more
    a, pop = pd.read_csv(d / "admissions.csv"), pd.read_csv(d / "population.csv")
    m = a.merge(pop, on=["year", "age_band"])
    older = m[m.age_band != "18-64"].groupby("year")[["admissions", "population"]].sum()
    rate = older.admissions / older.population * 100_000
    assert rate.between(550, 750).all()                                           # 600-700 per 100,000

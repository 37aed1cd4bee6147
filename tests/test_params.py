"""Dated national parameters: lookups by date, metadata, errors, overlays."""

import datetime as dt
from pathlib import Path

import pytest
import yaml

from feemodel.errors import InputError
from feemodel.inputs.params import load_parameters
from feemodel.paths import national_params_dir

D = dt.date

# Published figures (domain brief, from the DHSC/LAC circulars and gov.uk rate pages), from 1 April.
FNC = {2015: 112.00, 2016: 156.25, 2017: 155.05, 2018: 158.16, 2019: 180.31, 2020: 183.92, 2021: 187.60,
       2022: 209.19, 2023: 219.71, 2024: 235.88, 2025: 254.06, 2026: 267.68}
NLW = {2016: 7.20, 2017: 7.50, 2018: 7.83, 2019: 8.21, 2020: 8.72, 2021: 8.91, 2022: 9.50, 2023: 10.42,
       2024: 11.44, 2025: 12.21, 2026: 12.71}
PEA = {2015: 24.90, 2018: 24.90, 2021: 24.90, 2022: 25.65, 2023: 28.25, 2024: 30.15, 2025: 30.65, 2026: 31.80}


@pytest.mark.parametrize("year,value", FNC.items())
def test_fnc_by_year(params, year, value):
    assert params.get("nhs.fnc_standard_rate", D(year, 4, 1)) == value
    assert params.get("nhs.fnc_standard_rate", D(year + 1, 3, 31)) == value


@pytest.mark.parametrize("year,value", NLW.items())
def test_nlw_by_year(params, year, value):
    assert params.get("wages.national_living_wage", D(year, 6, 30)) == value


@pytest.mark.parametrize("year,value", PEA.items())
def test_pea_by_year(params, year, value):
    # each year's allowance is in force from 6 April (the amending regulations' commencement)
    assert params.get("charging.personal_expenses_allowance", D(year, 4, 6)) == value


def test_value_changes_on_its_effective_date_not_before(params):
    # SI 2024/325 commenced on 6 April 2024: 1 to 5 April still had the 2023/24 £28.25
    assert params.get("charging.personal_expenses_allowance", D(2024, 4, 5)) == 28.25
    assert params.get("charging.personal_expenses_allowance", D(2024, 4, 6)) == 30.15
    # the Care Act charging regulations' own £24.40 ran from 1 to 5 April 2015 (SI 2015/644 raised it to £24.90)
    assert params.get("charging.personal_expenses_allowance", D(2015, 4, 1)) == 24.40


def test_employer_ni_history(params):
    assert params.get("tax.employer_ni_rate", D(2021, 5, 1)) == 0.138
    assert params.get("tax.employer_ni_rate", D(2022, 7, 1)) == 0.1505
    assert params.get("tax.employer_ni_rate", D(2022, 11, 6)) == 0.138
    assert params.get("tax.employer_ni_rate", D(2025, 4, 6)) == 0.15
    assert params.get("tax.employer_ni_secondary_threshold", D(2025, 4, 6)) == 5000
    assert params.get("pensions.auto_enrolment_employer_rate", D(2025, 4, 6)) == 0.03


def test_capital_limits_and_tariff(params):
    assert params.get("charging.upper_capital_limit", D(2026, 4, 1)) == 23250
    assert params.get("charging.lower_capital_limit", D(2026, 4, 1)) == 14250
    assert params.get("charging.tariff_income_step", D(2026, 4, 1)) == 250
    assert params.get("charging.tariff_income_per_step", D(2026, 4, 1)) == 1


def test_date_before_first_value_is_an_error(params):
    # the wage floor's first value is the National Minimum Wage adult rate from 1 October 2014
    # (SI 2014/2238); the day before has no value, and the message points to parameter_changes
    with pytest.raises(InputError) as err:
        params.get("wages.national_living_wage", D(2014, 9, 30))
    assert "2014-10-01" in str(err.value) and "national_living_wage" in str(err.value)
    assert "parameter_changes" in str(err.value)


def test_every_file_has_unit_label_reference_and_dated_values():
    files = sorted(national_params_dir().rglob("*.yaml"))
    assert len(files) >= 11
    for f in files:
        raw = yaml.safe_load(f.read_text())
        assert raw["unit"] and raw["label"], f
        assert all(r["href"].startswith("https://") for r in raw["reference"]), f
        assert all(isinstance(k, dt.date) for k in raw["values"]), f


def test_unknown_parameter_name_is_an_error(params):
    with pytest.raises(InputError, match="no such national parameter"):
        params.get("charging.upper_limit", D(2024, 1, 1))


def test_overlay_applies_changes_from_their_date_only(params):
    reform = params.with_changes({"charging.upper_capital_limit": {D(2026, 10, 1): 100000}})
    assert reform.get("charging.upper_capital_limit", D(2026, 9, 30)) == 23250
    assert reform.get("charging.upper_capital_limit", D(2026, 10, 1)) == 100000
    assert params.get("charging.upper_capital_limit", D(2026, 10, 1)) == 23250  # original untouched


def test_overlay_is_all_or_nothing(params):
    with pytest.raises(InputError, match="no such national parameter"):
        params.with_changes({"charging.upper_capital_limit": {D(2026, 10, 1): 1}, "nope.nothing": {D(2026, 1, 1): 1}})


def test_bad_parameter_file_names_file_and_key(tmp_path: Path):
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "x.yaml").write_text(
        "label: X\nunit: GBP\nreference: [{title: t, href: https://x}]\nvalues:\n  2020-01-01: ten\n")
    with pytest.raises(InputError) as err:
        load_parameters(tmp_path).get("g.x", D(2021, 1, 1))
    assert "x.yaml" in str(err.value) and "values.2020-01-01" in str(err.value)


def test_parameter_table_lists_value_and_source(params):
    rows = {r["parameter"]: r for r in params.table(D(2026, 6, 1))}
    assert rows["nhs.fnc_standard_rate"]["value"] == 267.68
    assert rows["charging.personal_expenses_allowance"]["status"] == "provisional"
    assert "2014/2672" in rows["charging.upper_capital_limit"]["reference"]

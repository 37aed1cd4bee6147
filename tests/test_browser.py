"""The explorer in a real browser: Voila on localhost, driven in headless Chromium with Playwright.

Needs Debian's chromium (``.ci/run`` installs it); skipped with the reason where it is missing.
A screenshot is saved next to the test's temporary files on failure. One server serves every test
(each page is a kernel of its own); it culls kernels idle and disconnected for a few seconds, so the
last test can check that a closed tab leaves no kernel behind.

Each test catches one thing a commissioner saw go wrong: the rates shown in uplift mode, a value
out of range refused with a visible message, a lever disabled under the other approach, a target
box whose built rate refreshes, and options compared side by side after pinning two settings.
Expected figures come from :class:`Explorer` (itself tested against the pack in test_explore.py)
and, for the uplift rates, from the example's current rates worked by hand.
"""

import shutil
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from feemodel.apps.explore import Explorer, serve
from feemodel.money import fmt_gbp
from tests.conftest import EXAMPLE, missing_tool

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic"]
PART = ".feemodel-headline .part-year"
CULL_S = 4


@pytest.fixture(autouse=True)
def _chromium():
    """Debian's chromium: skipped where it is missing, a failure on CI (CI=true), which installs it."""
    if not Path(CHROMIUM).exists():
        missing_tool("Debian chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed")
    saves = tmp_path_factory.mktemp("explorer-saves")
    proc, url = serve(EXAMPLE, cull_idle_s=CULL_S, cull_interval_s=1, save_folder=saves)
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read(64)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail(f"voila did not start: see {proc.log_path}")
            time.sleep(0.5)
    yield proc, url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except Exception:  # noqa: BLE001
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@contextmanager
def explorer_page(browser, url, tmp_path, name):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(url, timeout=120_000)
        page.wait_for_selector(PART, timeout=120_000)
        yield page
    except Exception:
        shot = tmp_path / f"{name}-failure.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")
        raise
    finally:
        page.close()


def headline_is(page, text):
    page.wait_for_function(f"document.querySelector('{PART}').innerText === '{text}'", timeout=60_000)


def type_into(page, selector, value):
    box = page.locator(selector)
    box.fill(str(value))
    box.press("Enter")


def test_moving_a_control_changes_the_headline_to_the_packages_figure(server, browser, tmp_path):
    expected = Explorer.from_scenario(EXAMPLE)
    default = fmt_gbp(expected.results.headline["council_net_change_part_year_gbp"])
    expected.set("structure", "legacy")
    # 0% on the council's own bands: out-of-area placements still follow the host councils' index
    at_zero = fmt_gbp(expected.results.headline["council_net_change_part_year_gbp"])
    expected.set("uniform_pct", 4.0)
    at_four = fmt_gbp(expected.results.headline["council_net_change_part_year_gbp"])
    with explorer_page(browser, server[1], tmp_path, "headline") as page:
        assert page.inner_text(PART) == default
        page.get_by_role("button", name="Uplift current bands").click()
        headline_is(page, at_zero)
        page.get_by_text("Uplift (%)").click()
        type_into(page, ".feemodel-uniform-pct input", 4)
        headline_is(page, at_four)
        # an untouched band's box now shows the uniform 4%
        assert page.locator(".feemodel-band-pct input").nth(1).input_value() in ("4", "4.0")
        # the range and the five-year series follow once the lever stops
        page.wait_for_selector(".feemodel-range", timeout=60_000)
        assert page.locator(".feemodel-five-year tr").count() == 7  # heading + part year + five full years


def test_uplift_mode_shows_the_uplifted_rates_and_refuses_out_of_range(server, browser, tmp_path):
    expected = Explorer.from_scenario(EXAMPLE)
    expected.set("structure", "legacy")
    expected.set("uniform_pct", 6.0)
    at_six = fmt_gbp(expected.results.headline["council_net_change_part_year_gbp"])
    with explorer_page(browser, server[1], tmp_path, "uplift") as page:
        page.get_by_role("button", name="Uplift current bands").click()
        page.get_by_text("Uplift (%)").click()
        type_into(page, ".feemodel-uniform-pct input", 6)
        headline_is(page, at_six)
        # by hand: Residential 760.00 x 1.06 = 805.60, Working age residential 1,080.00 x 1.06 = 1,144.80
        rates = page.inner_text(".feemodel-rates")
        assert "£805.60" in rates and "£1,144.80" in rates
        assert "£805.60" in page.inner_text(".feemodel-chart")
        # 150% is outside the schema's -100% to 100%: refused, said on screen, the figures stay
        type_into(page, ".feemodel-uniform-pct input", 150)
        page.wait_for_selector(".feemodel-message [role=alert]", timeout=30_000)
        message = page.inner_text(".feemodel-message")
        assert "150% is outside the allowed range, from −100% to 100%" in message
        assert page.is_visible(".feemodel-message [role=alert]")
        assert page.inner_text(PART) == at_six
        page.wait_for_function("document.querySelector('.feemodel-uniform-pct input').value === '6'", timeout=30_000)


def test_levers_that_do_not_apply_are_disabled_with_a_note(server, browser, tmp_path):
    with explorer_page(browser, server[1], tmp_path, "disabled") as page:
        # the example moves to proposed rates: the uniform % does not apply
        page.get_by_text("Uplift (%)").click()
        assert page.locator(".feemodel-uniform-pct input").is_disabled()
        assert "Not used under “Move to proposed rates”" in page.inner_text(".feemodel-disabled-note >> nth=0")
        page.get_by_role("button", name="Uplift current bands").click()
        page.wait_for_function("!document.querySelector('.feemodel-uniform-pct input').disabled", timeout=30_000)
        page.get_by_text("Target rates (£ a week)").click()
        page.wait_for_function("document.querySelector('.feemodel-target input').disabled", timeout=30_000)


def test_target_box_refreshes_its_built_rate(server, browser, tmp_path):
    expected = Explorer.from_scenario(EXAMPLE)
    built_now = fmt_gbp(expected.results.built_rates["Nursing"])
    expected.set("occupancy_pct", 95.0)
    built_at_95 = fmt_gbp(expected.results.built_rates["Nursing"])
    assert built_now != built_at_95
    with explorer_page(browser, server[1], tmp_path, "target") as page:
        page.get_by_text("Target rates (£ a week)").click()
        nursing = page.locator(".feemodel-target-built").nth(2)
        assert built_now in nursing.inner_text()
        page.get_by_text("Cost of care", exact=True).click()
        type_into(page, ".feemodel-occupancy input", 95)
        page.wait_for_function(f"document.querySelectorAll('.feemodel-target-built')[2].innerText.includes('{built_at_95}')",
                               timeout=60_000)
        # an override shows apart from the built rate, and the box keeps the figure typed
        page.get_by_text("Target rates (£ a week)").click()
        type_into(page, ".feemodel-target input >> nth=2", "950")
        page.wait_for_function("document.querySelectorAll('.feemodel-target-built')[2].innerText.includes('£950.00')", timeout=60_000)
        assert built_at_95 in nursing.inner_text()
        assert float(page.locator(".feemodel-target input").nth(2).input_value()) == 950.0


def test_options_side_by_side_after_pinning_two_settings(server, browser, tmp_path):
    expected = Explorer.from_scenario(EXAMPLE)
    first = fmt_gbp(expected.results.headline["council_net_change_part_year_gbp"])
    expected.set("structure", "legacy")
    expected.set("uniform_pct", 5.0)
    second = fmt_gbp(expected.results.headline["council_net_change_part_year_gbp"])
    with explorer_page(browser, server[1], tmp_path, "options") as page:
        page.get_by_placeholder("e.g. 6% uplift").fill("As proposed")
        page.get_by_text("Pin these settings").click()
        page.wait_for_selector(".feemodel-options", timeout=60_000)
        page.get_by_role("button", name="Uplift current bands").click()
        page.get_by_text("Uplift (%)").click()
        type_into(page, ".feemodel-uniform-pct input", 5)
        headline_is(page, second)
        page.get_by_placeholder("e.g. 6% uplift").fill("Five per cent")
        page.get_by_text("Pin these settings").click()
        page.wait_for_function("document.querySelectorAll('.feemodel-options tr').length === 3", timeout=60_000)
        table = page.inner_text(".feemodel-options")
        assert "As proposed" in table and "Five per cent" in table and first in table and second in table
        assert page.locator("a[download='options.csv']").count() == 1


def test_a_closed_tab_leaves_no_kernel(server, browser, tmp_path):
    import psutil

    proc, url = server

    def kernels():
        return [c for c in psutil.Process(proc.pid).children(recursive=True) if "ipykernel" in " ".join(c.cmdline())]

    with explorer_page(browser, url, tmp_path, "cull"):
        assert kernels()
        time.sleep(CULL_S + 3)   # an open tab is never culled, however idle
        assert kernels()
    deadline = time.time() + CULL_S + 30
    while kernels() and time.time() < deadline:
        time.sleep(1)
    assert kernels() == []

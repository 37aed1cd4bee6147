"""The explorer in a real browser: Voila on localhost, driven in headless Chromium with Playwright.

Needs Debian's chromium (``.ci/run`` installs it); skipped with the reason where it is missing.
A screenshot is saved next to the test's temporary files on failure.
"""

import shutil
import time
import urllib.request
from pathlib import Path

import pytest

from feemodel.apps.explore import Explorer, serve
from feemodel.money import fmt_gbp
from tests.conftest import EXAMPLE, missing_tool

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"



@pytest.fixture(autouse=True)
def _chromium():
    """Debian's chromium: skipped where it is missing, a failure on CI (CI=true), which installs it."""
    if not Path(CHROMIUM).exists():
        missing_tool("Debian chromium (apt-get install chromium)")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic"]
PART = ".feemodel-headline .part-year"


@pytest.fixture
def voila_url():
    proc, url = serve(EXAMPLE)
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read(64)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail(f"voila did not start: {proc.stderr.read()[-2000:] if proc.stderr else ''}")
            time.sleep(0.5)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except Exception:  # noqa: BLE001
        proc.kill()


def test_moving_a_control_changes_the_headline_to_the_packages_figure(voila_url, tmp_path):
    from playwright.sync_api import sync_playwright

    expected = Explorer.from_scenario(EXAMPLE)
    default = fmt_gbp(expected.results.headline["council_net_change_part_year_gbp"])
    expected.set("structure", "legacy")
    # 0% on the council's own bands: out-of-area placements still follow the host councils' index
    at_zero = fmt_gbp(expected.results.headline["council_net_change_part_year_gbp"])
    expected.set("uniform_pct", 4.0)
    at_four = fmt_gbp(expected.results.headline["council_net_change_part_year_gbp"])

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        try:
            page.goto(voila_url, timeout=120_000)
            page.wait_for_selector(PART, timeout=120_000)
            assert page.inner_text(PART) == default
            page.get_by_text("Uplift current bands").click()
            page.wait_for_function(f"document.querySelector('{PART}').innerText === '{at_zero}'", timeout=30_000)
            page.get_by_text("Uplift (%)").click()
            box = page.locator(".feemodel-uniform-pct input")
            box.fill("4")
            box.press("Enter")
            page.wait_for_function(f"document.querySelector('{PART}').innerText === '{at_four}'", timeout=30_000)
            assert page.inner_text(PART) == at_four
            # an untouched band's box now shows the uniform 4%
            assert page.locator("input").nth(2).input_value() in ("4", "4.0")
        except Exception:
            shot = tmp_path / "explorer-failure.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}")
            raise
        finally:
            browser.close()

"""Real-browser tests: Debian's chromium driven by playwright (never a downloaded browser).

The report renders with every figure and no console errors; the dashboard loads offline,
a slider and Reset put a lever in force, Step changes the plotted values, Play runs on, the page
is not blank.
Skipped with a reason where chromium or playwright is missing (.ci/run installs chromium).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SCRIPT = Path(sys.executable).parent / "referral-lab"
FIGURES = {"effects", "time_paths", "budget", "equity", "capacity"}


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium; .ci/run does it)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def watch(page, allowed_hosts):
    """Record console errors, page errors and requests leaving the allowed hosts (blocked)."""
    seen = {"errors": [], "external": []}
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))

    def route(r):
        url = urlparse(r.request.url)
        if url.scheme in ("data", "file", "blob") or url.hostname in allowed_hosts:
            r.continue_()
        else:
            seen["external"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return seen


def not_blank(png: bytes) -> bool:
    from io import BytesIO

    from PIL import Image

    img = np.asarray(Image.open(BytesIO(png)).convert("L"), dtype=float)
    # a blank page is one flat colour; a rendered one has text, lines and figures
    return img.std() > 10 and len(np.unique(img)) > 50


def test_report_renders_every_figure_without_errors(browser, tiny_design, tiny_design_b,
                                                    tmp_path):
    from abm.apps.designs import load_design
    from abm.apps.report import compare_designs, write_report

    cmp = compare_designs([load_design(tiny_design), load_design(tiny_design_b)])
    path = write_report(cmp, tmp_path / "report.html", command="test")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    seen = watch(page, allowed_hosts=set())
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    figs = page.eval_on_selector_all(
        "img[data-figure]",
        "els => els.map(e => [e.dataset.figure, e.complete, e.naturalWidth, e.naturalHeight])")
    assert {f[0] for f in figs} == FIGURES
    assert all(f[1] and f[2] > 200 and f[3] > 100 for f in figs), figs
    for heading in ("The designs", "Effects on every outcome", "Time paths",
                    "Insurance fund and out-of-pocket spending", "Equity: who gains and who loses",
                    "Capacity pressure", "Provenance"):
        assert page.get_by_role("heading", name=heading).count() == 1, heading
    assert not seen["errors"], seen["errors"]
    assert not seen["external"], seen["external"]
    shot = page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert not_blank(shot)
    page.close()


def test_report_reads_at_a_glance_at_1280_px(browser, tiny_design, tiny_design_b, tmp_path):
    """No horizontal overflow at 1280 px, the summary at the top fits the first screen, long
    sections are folded, and with two seeds the time paths say they show each seed's line."""
    from abm.apps.designs import load_design
    from abm.apps.report import MIN_SEEDS_FOR_BAND, compare_designs, write_report

    cmp = compare_designs([load_design(tiny_design), load_design(tiny_design_b)])
    assert cmp.first.seeds == (1, 2) and MIN_SEEDS_FOR_BAND > 2
    path = write_report(cmp, tmp_path / "report.html", command="test " + "x" * 400)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] == width[1] == 1280, width
    # every table stays inside the page (a wide one scrolls inside its own box)
    right = page.eval_on_selector_all("table", "els => els.map(e => "
                                      "e.parentElement.getBoundingClientRect().right)")
    assert right and max(right) <= 1280, right
    box = page.locator("#summary").bounding_box()
    assert box["y"] + box["height"] <= 800, box  # the summary is one screen, at the top
    cells = page.locator("#summary td.num").all_inner_texts()
    assert len(cells) == 2 * 3 and all(" to " in c for c in cells), cells  # intervals shown
    folded = page.eval_on_selector_all("details", "els => els.map(e => e.open)")
    assert len(folded) >= 2 and not any(folded)  # equity tables and design files folded
    equity_rows = page.locator("details table tr").first
    assert not equity_rows.is_visible()
    text = page.inner_text("body")
    assert "each seed's path (thin lines)" in text
    assert f"no band is drawn with fewer than {MIN_SEEDS_FOR_BAND} seeds" in text
    assert "0.1 years" not in text and "20 days after the reform start" in text
    page.screenshot(path=str(tmp_path / "report_top.png"))
    page.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dashboard_url(tmp_path):
    port = free_port()
    log = open(tmp_path / "dashboard.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([SCRIPT, "dashboard", "--port", str(port)], stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"dashboard exited: {(tmp_path / 'dashboard.log').read_text()}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.5)
        else:
            pytest.fail("dashboard did not open its port within 180 s")
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server started above, and only it
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def slider(page, label):
    return page.locator(".v-input", has_text=label).locator("[role=slider]").first


def test_dashboard_slider_step_and_offline(browser, dashboard_url, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    seen = watch(page, allowed_hosts={"127.0.0.1"})
    page.goto(dashboard_url)
    readout = page.get_by_text("of the small county")
    readout.wait_for(timeout=120_000)
    page.get_by_text("Day 0").wait_for()
    # the levers switch on at day 0 after Reset; revenue sharing goes to its maximum (in force
    # from today, day 0, at once), then Reset rebuilds the county with it from day 0
    day = slider(page, "Day the levers switch on")
    day.focus()
    day.press("Home")
    share = slider(page, "revenue share")
    share.focus()
    share.press("End")
    assert share.get_attribute("aria-valuenow") == "1"
    page.get_by_text("revenue_share = 1").wait_for(timeout=60_000)
    page.get_by_role("button", name="Reset", exact=True).click()
    page.get_by_text("levers switch on at day 0").wait_for(timeout=60_000)
    page.get_by_text("revenue_share = 1").wait_for(timeout=60_000)

    # solara shows each matplotlib figure as an image with a fresh blob: URL per redraw
    figure_srcs = ("[...document.images].map(e => e.src)"
                   ".filter(s => s.startsWith('blob:') || s.startsWith('data:image'))")

    def plots():
        return page.evaluate(figure_srcs)

    def step_and_redraw():
        before = plots()
        assert len(before) == 2  # time series (by tier and of the levers), facilities
        page.get_by_role("button", name="Step", exact=True).click()
        page.wait_for_function(
            f"old => {{ const s = {figure_srcs}; return s.length == 2 && "
            "s.every((v, i) => v != old[i]); }", arg=before, timeout=60_000)

    step_and_redraw()
    page.get_by_text("Day 1 of the", exact=False).first.wait_for(timeout=60_000)
    page.get_by_text("Primary care share of outpatient visits").wait_for()
    # a lever moved mid-run acts on the running county: a reform from today (day 1), the run
    # so far kept; Step runs a day under it and the levers' time series draws it
    premium = slider(page, "primary reimbursement premium")
    premium.focus()
    premium.press("End")
    top = premium.get_attribute("aria-valuemax")
    page.get_by_text("levers switch on at day 1").wait_for(timeout=60_000)
    page.get_by_text(f"primary_reimbursement_premium = {float(top):g}").wait_for(
        timeout=60_000)
    step_and_redraw()
    page.get_by_text("Day 2 of the", exact=False).first.wait_for(timeout=60_000)
    page.get_by_text("revenue_share = 1").wait_for()
    # Play runs on by itself until paused (generous timeouts: each day redraws both figures,
    # slow on a loaded machine)
    page.get_by_role("button", name="▶", exact=True).click()
    pause = page.get_by_role("button", name="❚❚", exact=True)
    pause.wait_for(timeout=60_000)
    page.wait_for_function("() => { const m = document.body.innerText.match(/Day (\\d+) of the/);"
                           " return m && Number(m[1]) >= 3; }", timeout=180_000)
    pause.click()
    shot = page.screenshot(path=str(tmp_path / "dashboard.png"))
    assert not_blank(shot)
    assert not seen["external"], seen["external"]
    assert not seen["errors"], seen["errors"]
    page.close()

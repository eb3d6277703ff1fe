"""The HTML report opened in a real headless browser: Debian's chromium driven by Playwright.

It renders, its charts are present and drawn, the console stays free of errors, nothing is fetched
from anywhere, and at phone width (390 px) nothing scrolls sideways. Playwright's own browser
download is not used (it is unreachable here): the test launches /usr/bin/chromium.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from summary import Period, build_summary, client_report
from summary.render.html import render_client_html, render_html
from tests.summary.sample import NOW, WEEK, busy_week, source, workspace

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
PERIOD = Period.week(WEEK)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(
            "the HTML report test needs Debian's chromium at /usr/bin/chromium: "
            "run `apt-get install -y chromium` as root (.ci/run does it where it is missing)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def open_page(browser, path: Path, viewport: dict[str, int]):
    """Open `path`; return the page, its console errors and page errors, and what it requested."""
    page = browser.new_page(viewport=viewport)
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri(), wait_until="load")
    return page, problems, requests


def drawn_marks(page, chart_id: str) -> int:
    """Bars, lines and points of a chart that have a visible size on the page."""
    return page.evaluate(
        """(id) => [...document.querySelectorAll(`#${id} svg .series rect, #${id} svg .series path`)]
               .filter(el => { const b = el.getBoundingClientRect(); return b.width > 0 && b.height > 0; })
               .length""",
        chart_id,
    )


def png_width(path: Path) -> int:
    return struct.unpack(">I", path.read_bytes()[16:20])[0]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_report_renders_on_a_phone_with_its_charts_and_no_errors(browser, tmp_path, language):
    path = tmp_path / f"summary.{language}.html"
    path.write_text(render_html(build_summary(busy_week(language), PERIOD)), encoding="utf-8")
    page, problems, requests = open_page(browser, path, PHONE)

    assert page.title().startswith("Bright Path Coaching")
    assert page.locator("#headline").inner_text().strip()
    assert page.locator("#overdue table tbody tr").count() == 3
    charts = page.eval_on_selector_all("figure.chart", "figures => figures.map(f => f.id)")
    assert "chart-tasks" in charts and "chart-estimates" in charts
    assert sum(chart.startswith("chart-hours") for chart in charts) == 4  # one per person who tracked time
    for chart in charts:
        box = page.locator(f"#{chart} svg").bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100, chart
        assert drawn_marks(page, chart) > 0, chart

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot = tmp_path / "phone.png"
    page.screenshot(path=str(shot), full_page=True)
    assert png_width(shot) == PHONE["width"]  # a full-page screenshot is as wide as what scrolls
    assert problems == []
    assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests
    page.close()


def test_the_report_of_an_empty_workspace_without_toggl_renders_too(browser, tmp_path):
    empty = build_summary(source(NOW, workspace=workspace(services=frozenset({"trello", "notion"}))), PERIOD)
    path = tmp_path / "empty.html"
    path.write_text(render_html(empty), encoding="utf-8")
    page, problems, _ = open_page(browser, path, PHONE)
    assert "does not track time" in page.locator("#hours").inner_text()
    assert page.locator("figure.chart").count() == 1  # the task trend only
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert problems == []
    page.close()


def test_the_client_report_renders_on_a_phone(browser, tmp_path):
    path = tmp_path / "client.html"
    path.write_text(render_client_html(client_report(build_summary(busy_week(), PERIOD))), encoding="utf-8")
    page, problems, requests = open_page(browser, path, PHONE)
    assert page.locator("#client-hours tbody tr").count() == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert problems == []
    assert all(url.startswith(("file:", "data:", "about:")) for url in requests)
    page.close()

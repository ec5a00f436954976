"""The HTML reader in a real browser: the system Chromium driven by Playwright, pages opened from files.

Skipped when /usr/bin/chromium is absent, unless SUMMARIZE_REQUIRE_BROWSER=1 (set by .ci/run, which installs
Chromium): then it fails. `playwright install` is never needed: the system browser is launched by path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from summarize.render.html import IndexRow, index_page, page

from .test_html import replayed_brief, replayed_translation

CHROMIUM = Path("/usr/bin/chromium")
# Read at import: the autouse isolated_env fixture removes SUMMARIZE_* variables before each test runs.
REQUIRED = os.environ.get("SUMMARIZE_REQUIRE_BROWSER") == "1"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip

# True when the element's first line box is inside the viewport and is what the page shows at that point.
VISIBLE = """(id) => {
  const el = document.getElementById(id);
  const box = el.getClientRects()[0];
  if (!box || box.top < 0 || box.bottom > window.innerHeight || box.left < 0 || box.right > window.innerWidth) return false;
  const hit = document.elementFromPoint(box.left + Math.min(box.width / 2, 20), box.top + box.height / 2);
  return hit !== null && (hit === el || el.contains(hit));
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install -y chromium)"
        if REQUIRED:
            pytest.fail(f"SUMMARIZE_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(browser: Any, path: Path, width: int, height: int, motion: str = "no-preference") -> tuple[Any, list[str]]:
    """A tab on a file, collecting console messages and page errors (a CSP refusal is a console error)."""
    tab = browser.new_page(viewport={"width": width, "height": height}, color_scheme="light", reduced_motion=motion)
    problems: list[str] = []
    tab.on("console", lambda message: problems.append(message.text) if message.type in ("error", "warning") else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on("request", lambda request: problems.append(f"request {request.url}") if not request.url.startswith("file:") else None)
    tab.goto(path.as_uri())
    return tab, problems


def highlighted(tab: Any) -> list[str]:
    return list(tab.eval_on_selector_all(".s.hl", "els => els.map(e => e.id)"))


# Wide: the article is a sticky pane beside the brief, scrolled inside (smoothly). Narrow: stacked, the window
# scrolls (at once, as for a reader who asked for reduced motion).
@pytest.mark.parametrize(
    ("width", "height", "motion"), [(1100, 420, "no-preference"), (480, 640, "reduce")], ids=["side-by-side", "stacked"]
)
def test_clicking_a_claim_highlights_its_evidence_and_scrolls_it_into_view(
    browser: Any, tmp_path: Path, width: int, height: int, motion: str
) -> None:
    result, article = replayed_brief()
    # The key point whose evidence is furthest down the article, and one near the top.
    points = [e for e in result.evidence if e.field.startswith("brief.key_points[") and e.evidence[0].sentence]
    far = max(points, key=lambda e: tuple(int(n) for n in (e.evidence[0].sentence or "0.0").split(".")))
    near = min(points, key=lambda e: tuple(int(n) for n in (e.evidence[0].sentence or "0.0").split(".")))
    far_id, near_id = (f"s-{(e.evidence[0].sentence or '').replace('.', '-')}" for e in (far, near))
    assert far_id == "s-5-4" and near_id == "s-1-3"
    path = tmp_path / "brief.html"
    path.write_text(page(result, article), encoding="utf-8")
    tab, problems = open_page(browser, path, width, height, motion)

    claim = tab.locator(f'[data-field="{far.field}"]')
    claim.scroll_into_view_if_needed()
    assert not tab.evaluate(VISIBLE, far_id), "the page is too tall for the test: the sentence is visible already"
    assert highlighted(tab) == []
    claim.click()
    tab.wait_for_function(VISIBLE, arg=far_id, timeout=15000)  # generous: a loaded 2-core CI machine, not a speed target
    assert highlighted(tab) == [far_id]
    assert "active" in (claim.get_attribute("class") or "")
    # The highlight is visible: a background colour, not just a class (waited for: it fades in over 0.25 s).
    painted = "id => !['rgba(0, 0, 0, 0)', 'transparent'].includes(getComputedStyle(document.getElementById(id)).backgroundColor)"
    tab.wait_for_function(painted, arg=far_id, timeout=15000)

    other = tab.locator(f'[data-field="{near.field}"]')
    other.click()
    tab.wait_for_function(VISIBLE, arg=near_id, timeout=15000)  # generous: a loaded 2-core CI machine, not a speed target
    assert highlighted(tab) == [near_id]
    assert "active" not in (claim.get_attribute("class") or "")

    # From the keyboard: focus a claim with several evidence sentences, Enter highlights them all; Escape clears.
    several = next(e for e in result.evidence if len(e.evidence) == 3)
    tab.locator(f'[data-field="{several.field}"]').focus()
    tab.keyboard.press("Enter")
    ids = [f"s-{(s.sentence or '').replace('.', '-')}" for s in several.evidence]
    tab.wait_for_function(VISIBLE, arg=ids[0], timeout=15000)  # generous: a loaded 2-core CI machine, not a speed target
    assert sorted(highlighted(tab)) == sorted(ids)
    tab.keyboard.press("Escape")
    assert highlighted(tab) == []
    assert problems == []
    tab.close()


def test_translation_and_index_pages_open_and_link(browser: Any, tmp_path: Path) -> None:
    result, _ = replayed_translation()
    pairs = [p.model_copy(update={"target": None}) if p.n == 2 else p for p in result.paragraphs]
    (tmp_path / "one translation.html").write_text(page(result.model_copy(update={"paragraphs": pairs}), None), encoding="utf-8")
    rows = [
        IndexRow("seeds/003.txt", "done", "one translation.html", result.title, "fr", 0, None),
        IndexRow("seeds/004.txt", "failed", None, None, None, 0, "endpoint error"),
    ]
    index = tmp_path / "index.html"
    index.write_text(index_page(rows, "Run"), encoding="utf-8")

    tab, problems = open_page(browser, index, 1000, 700)
    assert tab.locator("tbody tr").count() == 2
    tab.get_by_role("link", name=result.title or "").click()
    tab.wait_for_load_state()
    assert tab.url.endswith("/one%20translation.html")
    assert tab.locator("tbody tr").count() == len(result.paragraphs)
    missing = tab.locator("#p-2")
    assert "missing" in (missing.get_attribute("class") or "")
    assert "Not translated" in missing.inner_text()
    # A row per paragraph: source and translation side by side, on the same line.
    source, target = tab.locator("#p-1 td.src").bounding_box(), tab.locator("#p-1 td.tgt").bounding_box()
    assert source and target and abs(source["y"] - target["y"]) < 2 and target["x"] > source["x"] + source["width"] - 1
    assert problems == []
    tab.close()


def test_clicking_a_digest_entry_highlights_its_sentences_in_every_article_that_reports_it(browser: Any, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from summarize.cli import app

    from .fakes import EXCHANGES, SEEDS

    path = tmp_path / "digest.html"
    done = CliRunner().invoke(app, ["digest", str(SEEDS), "--replay", str(EXCHANGES), "--no-cache", "-f", "html", "-o", str(path)])
    assert done.exit_code == 0, done.output
    tab, problems = open_page(browser, path, 1100, 500)
    entry = tab.locator(".timeline .claim", has_text="2023-11-17").first
    cited = (entry.get_attribute("data-evidence") or "").split()
    assert len({i.split("-")[0] for i in cited}) >= 3  # the ouster: one entry, three articles or more
    assert not tab.evaluate(VISIBLE, cited[-1])
    entry.click()
    tab.wait_for_function(VISIBLE, arg=cited[0], timeout=15000)  # generous: a loaded 2-core CI machine, not a speed target
    assert sorted(highlighted(tab)) == sorted(cited)
    # A link to one article's sentences jumps to that article's first cited sentence and highlights the entry's.
    ref = entry.locator("a.ref").last
    target = (ref.get_attribute("href") or "#")[1:]
    ref.click()
    tab.wait_for_function(VISIBLE, arg=target, timeout=15000)
    assert target in highlighted(tab)
    tab.keyboard.press("Escape")
    assert problems == []
    tab.close()

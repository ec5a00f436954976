"""The HTML reader (summarize/render/html.py) on real results: the structure a browser needs, parsed, not eyeballed.

Results come from the replayed shipped answers (tests/fixtures/exchanges) and from the real-model recordings
(tests/fixtures/recorded): cited ones (sentence ids), older ones (paragraph and offsets), warnings of every
placement. tests/test_browser.py clicks the same pages in Chromium.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from importlib import resources
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from pydantic import BaseModel

from summarize.config import load_settings
from summarize.reading.read import load_article
from summarize.reading.sentences import Sentences
from summarize.render import render
from summarize.render.html import IndexRow, index_page, page
from summarize.schemas import Article, Result, ResultWarning, TranslationResult
from summarize.summarizer import Summarizer

from .fakes import EXCHANGES, SEED_003, SEEDS
from .recorded import replay, version_of

HOSTILE = [
    "<script>alert(1)</script>",
    '" onerror="alert(2)',
    "</textarea><img src=x onerror=alert(3)>",
    "</script><script>alert(4)</script>",
    "{{ 7*7 }} {% if true %}jinja{% endif %}",
    "\u2028<b>bold</b>\u2029",
]


# --------------------------------------------------------------------------- real results


@functools.cache
def _replayed(task: str) -> tuple[Any, Article]:
    article = load_article(str(SEED_003))
    with Summarizer(load_settings(replay_dir=EXCHANGES, use_cache=False, task=task, target_language="en")) as summarizer:
        return summarizer.run(article), article


def replayed_brief() -> tuple[Result, Article]:
    result, article = _replayed("summary")
    assert isinstance(result, Result)
    return result, article


def replayed_translation() -> tuple[TranslationResult, Article]:
    result, article = _replayed("translate")
    assert isinstance(result, TranslationResult)
    return result, article


@functools.cache
def recorded(name: str, stem: str) -> tuple[Any, Article]:
    """A real model's answer (qwen2.5-coder-1.5b on llama.cpp), replayed, with the article it was made from."""
    seed = next(SEEDS.glob(f"{stem}_*.txt"))
    article = load_article(str(seed))
    with replay(name) as summarizer:
        return summarizer.run(article, prompt_version=version_of(name)), article


# v4: cited sentences and wrong citations; v4-verify: unsupported claims; v3 and v1: offsets and paragraphs only.
BRIEFS = {
    "replayed-003": replayed_brief,
    "v4-001": lambda: recorded("v4", "001"),
    "v4-verify-003": lambda: recorded("v4-verify", "003"),
    "v3-003": lambda: recorded("v3", "003"),
    "v1-001": lambda: recorded("v1", "001"),
}


def parse(text: str) -> Any:
    return lxml.html.document_fromstring(text)


def claims(doc: Any) -> dict[str, Any]:
    """The page's claims by their field: elements of class `claim`."""
    return {el.get("data-field"): el for el in doc.xpath('//*[contains(concat(" ", @class, " "), " claim ")]')}


def pane_sentences(doc: Any) -> dict[str, Any]:
    return {el.get("id"): el for el in doc.xpath('//aside[@id="pane"]//span[@class="s"]')}


def words(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- brief: claims and their evidence


@pytest.mark.parametrize("name", BRIEFS)
def test_the_article_pane_shows_every_sentence_of_the_article_once_in_order(name: str) -> None:
    result, article = BRIEFS[name]()
    doc = parse(page(result, article))
    spans = doc.xpath('//aside[@id="pane"]//span[@class="s"]')
    sentences = list(Sentences(article.text))
    assert [s.get("data-sid") for s in spans] == [s.id for s in sentences]
    assert [s.get("id") for s in spans] == ["s-" + s.id.replace(".", "-") for s in sentences]
    assert [words(s.text_content()) for s in spans] == [words(s.text) for s in sentences]
    # Nothing of the article is lost between sentences (bullets, headings): the pane reads as the article.
    shown = []
    for paragraph in doc.xpath('//aside[@id="pane"]//p[@class="para"]'):
        number = paragraph.xpath('./span[@class="pn"]')[0]
        shown.append(paragraph.text_content()[len(number.text_content()):])
    assert words(" ".join(shown)) == words(article.text)


@pytest.mark.parametrize("name", BRIEFS)
def test_each_claim_with_evidence_carries_the_ids_of_its_sentences_in_the_pane(name: str) -> None:
    result, article = BRIEFS[name]()
    doc = parse(page(result, article))
    found, in_pane = claims(doc), pane_sentences(doc)
    index = Sentences(article.text)
    located = 0
    for record in result.evidence:
        claim = found[record.field]
        ids = (claim.get("data-evidence") or "").split()
        assert all(i in in_pane for i in ids), (record.field, ids)
        if ids:  # clickable and reachable from the keyboard, with links that work without JS
            assert claim.get("tabindex") == "0" and "has-evidence" in claim.get("class")
            assert {a.get("href") for a in claim.xpath('.//a[@class="ref"]')} <= {f"#{i}" for i in ids}
        for span in record.evidence:
            if span.sentence is not None:
                sentence = index.get(span.sentence)
                assert sentence is not None and f"s-{span.sentence.replace('.', '-')}" in ids
                assert words(in_pane[f"s-{span.sentence.replace('.', '-')}"].text_content()) == words(sentence.text)
                located += 1
            elif span.start is not None and span.end is not None:
                # An older result's evidence: the sentences its offsets overlap.
                sids = {in_pane[i].get("data-sid") for i in ids}
                overlapping = {s.id for s in index if s.start < span.end and s.end > span.start}
                assert overlapping and overlapping <= sids, (record.field, span)
                located += 1
            else:  # not found in the article when the result was made: shown as such, nothing to highlight
                assert span.text in claim.text_content() or "unsupported" in claim.get("class")
    assert located >= 5


def test_a_cited_brief_makes_every_line_of_the_brief_a_claim() -> None:
    result, article = replayed_brief()
    doc = parse(page(result, article))
    found = claims(doc)
    expected = {"brief.title", *(f"brief.key_points[{i}]" for i in range(len(result.brief.key_points)))}
    expected |= {e.field for e in result.evidence}
    assert expected <= set(found)
    assert all(found[f].get("data-evidence") for f in {e.field for e in result.evidence})
    # The summary is shown sentence by sentence, each with its own evidence.
    summary = doc.xpath('//section[@id="sec-summary"]//*[contains(@class, "claim ")]')
    assert [words(el.xpath('./span[@class="claim-body"]')[0].text_content()) for el in summary] == [
        words(e.claim) for e in result.evidence if e.field.startswith("brief.summary[")
    ]
    key_point = found["brief.key_points[4]"]
    assert key_point.get("data-evidence") == "s-5-4"
    assert "Satya Nadella" in key_point.text_content()
    assert "Satya Nadella a révélé" in pane_sentences(doc)["s-5-4"].text_content()
    for heading in ("Summary", "Key points", "Key facts", "Source"):
        assert heading in [h.text_content().split(" (")[0] for h in doc.xpath("//h2")]
    assert doc.xpath("//title")[0].text_content() == result.brief.title


def _owner(field: str, names: set[str]) -> str | None:
    candidates = [n for n in names if field == n or field.startswith(n + ".")]
    return max(candidates, key=len) if candidates else None


_SECTION_OF = {"brief.summary": "sec-summary", "brief.key_points": "sec-key-points", "brief.source_summary": "sec-source-summary",
               "brief.source_language": "sec-source-summary", "brief.title": "sec-title"}  # fmt: skip


@pytest.mark.parametrize("name", ["v4-001", "v4-verify-003", "v3-003", "v1-001"])
def test_warnings_sit_beside_the_claims_they_concern(name: str) -> None:
    result, article = BRIEFS[name]()
    assert result.warnings
    doc = parse(page(result, article))
    found = claims(doc)
    for warning in result.warnings:
        assert warning.field
        owner = _owner(warning.field, set(found))
        if owner is not None:
            claim = found[owner]
            here = claim.xpath(f'.//li[contains(@class, "flag")][@data-field="{warning.field}"]')
            assert here, (warning.field, owner)
            assert "flagged" in claim.get("class").split()
            assert any(warning.detail in li.text_content() for li in here)
        else:  # about a list or the whole summary: at the head of its section
            section = doc.get_element_by_id(_SECTION_OF[re.sub(r"\[\d+\]$", "", warning.field)])
            assert section.xpath(f'.//ul[contains(@class, "section-flags")]/li[@data-field="{warning.field}"]'), warning.field
    # And all of them, grouped only where kind, place and explanation agree, in the list of warnings.
    listed = doc.xpath('//section[@id="sec-warnings"]//li[contains(@class, "flag")]')
    assert sum(int(li.get("data-count")) for li in listed) == len({(w.kind, w.field, w.text, w.detail) for w in result.warnings})
    banner = doc.xpath('//p[@class="banner"]')[0].text_content()
    assert f"{len(result.warnings)} warning" in banner
    unflagged = [el for field, el in found.items() if not any(_owner(w.field or "", {field}) for w in result.warnings)]
    assert all("flagged" not in el.get("class").split() for el in unflagged)


def test_a_warning_about_part_of_a_claim_names_the_part() -> None:
    result, article = recorded("v3", "003")
    doc = parse(page(result, article))
    event = claims(doc)["key_facts.events[0]"]
    flag = event.xpath('.//li[@data-field="key_facts.events[0].date_text"]')[0]
    assert "date_text" in flag.text_content() and "November 17" in flag.text_content()
    assert "Date not written so in the article" in flag.text_content()


@pytest.mark.parametrize("name", ["v4-verify-003", "v3-003", "v1-001"])
def test_unsupported_claims_are_marked(name: str) -> None:
    result, article = BRIEFS[name]()
    doc = parse(page(result, article))
    found = claims(doc)
    unsupported = [e for e in result.evidence if not e.supported]
    assert unsupported
    for record in unsupported:
        claim = found[record.field]
        assert "unsupported" in claim.get("class").split()
        assert claim.xpath('.//span[@class="badge bad"][text()="Unsupported"]')
    for record in result.evidence:
        if record.supported:
            assert "unsupported" not in found[record.field].get("class").split()


def test_repairs_sources_and_provenance_are_shown() -> None:
    result, article = recorded("v4-verify", "003")
    assert result.repairs
    doc = parse(page(result, article))
    repairs = doc.get_element_by_id("sec-repairs").text_content()
    for repair in result.repairs:
        assert repair.field in repairs and repair.reason in repairs
    source = doc.get_element_by_id("sec-source")
    assert "Anne Cagan" in source.text_content()
    assert source.xpath('.//a/@href') == [result.article.url]
    footer = doc.xpath('//footer[@class="provenance"]')[0].text_content()
    assert result.provenance.model in footer and result.provenance.prompt_hash in footer


def test_without_the_article_the_cited_passages_stand_in_for_it() -> None:
    result, _ = replayed_brief()
    doc = parse(page(result, None))
    in_pane = pane_sentences(doc)
    cited = {s.sentence for e in result.evidence for s in e.evidence}
    assert {el.get("data-sid") for el in in_pane.values()} == cited
    assert "Cited passages" in doc.get_element_by_id("pane").text_content()
    for field, claim in claims(doc).items():
        assert all(i in in_pane for i in (claim.get("data-evidence") or "").split())
    assert claims(doc)["brief.key_points[4]"].get("data-evidence") == "s-5-4"
    # No evidence at all: the brief alone, one column.
    bare = parse(page(result.model_copy(update={"evidence": []}), None))
    assert not bare.xpath('//aside[@id="pane"]') and not bare.xpath("//*[@data-evidence]")


def test_a_result_made_from_another_text_is_not_highlighted_at_wrong_offsets() -> None:
    result, article = recorded("v3", "003")
    other = article.model_copy(update={"text": "Un autre article.\n\n" + article.text})
    doc = parse(page(result, other))
    in_pane = pane_sentences(doc)
    for record in result.evidence:
        for i in (claims(doc)[record.field].get("data-evidence") or "").split():
            assert words(in_pane[i].text_content()) in {words(s.text) for r in result.evidence for s in r.evidence}


def test_the_html_format_and_the_cli_render_this_page(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from summarize.cli import app

    result, article = replayed_brief()
    assert render(result, "html", article) == page(result, article)
    out = tmp_path / "brief.html"
    run = CliRunner().invoke(app, ["brief", str(SEED_003), "--replay", str(EXCHANGES), "--no-cache", "-f", "html", "-o", str(out)])
    assert run.exit_code == 0, run.output
    doc = parse(out.read_text(encoding="utf-8"))
    assert claims(doc)["brief.key_points[4]"].get("data-evidence") == "s-5-4" and "s-5-4" in pane_sentences(doc)


# --------------------------------------------------------------------------- hostile text


def _hostile_brief() -> tuple[Result, Article]:
    result, article = replayed_brief()
    data = result.model_dump(mode="json")
    brief, facts = data["brief"], data["key_facts"]
    brief["title"] = HOSTILE[0] + " title"
    brief["source_summary"] = HOSTILE[2]
    brief["key_points"][0]["text"] = HOSTILE[1] + " point"
    brief["key_points"][1]["text"] = HOSTILE[4]
    facts["quotes"][0]["english"] = HOSTILE[3]
    facts["quotes"][0]["original"] = HOSTILE[2]
    facts["people"][0]["name"] = HOSTILE[5]
    data["evidence"][0]["claim"] = HOSTILE[0]
    data["evidence"][1]["claim"] = HOSTILE[1]  # brief.summary[0]: shown as the summary sentence
    data["evidence"][2]["problem"] = HOSTILE[3]
    data["evidence"][2]["supported"] = False
    data["warnings"] = [
        {"kind": "unsupported", "text": HOSTILE[0], "detail": HOSTILE[1], "field": "brief.key_points[0]"},
        {"kind": "wrong-citation", "text": HOSTILE[2], "detail": HOSTILE[3], "field": 'brief.key_points[1]"><script>alert(6)</script>'},
        {"kind": "chunked", "text": HOSTILE[4], "detail": HOSTILE[5], "field": None},
    ]
    data["repairs"] = [{"field": HOSTILE[0], "action": "dropped", "text": HOSTILE[2], "reason": HOSTILE[3]}]
    data["article"].update(title=HOSTILE[2], author=HOSTILE[1], url="javascript:alert(7)", site_name=HOSTILE[3])
    data["provenance"]["model"] = HOSTILE[0]
    hostile = Result.model_validate(data)
    # Not a valid language code, so set past validation: a result read from a tampered file could hold it.
    hostile.brief = hostile.brief.model_copy(update={"source_language": 'fr" onload="alert(5)'})
    text = "\n\n".join([f"{HOSTILE[0]} Premier paragraphe.", f"{HOSTILE[2]} Deuxième. {HOSTILE[3]}", *article.text.split("\n\n")[2:]])
    return hostile, article.model_copy(update={"text": text, "title": HOSTILE[3], "author": HOSTILE[1]})


def _assert_inert(text: str, *, scripts: int) -> Any:
    """No element or attribute the data could have injected: the only script is ours, no handlers, no media."""
    doc = parse(text)
    found = doc.xpath("//script")
    assert len(found) == scripts
    if scripts:
        assert found[0].text == resources.files("summarize.render.templates").joinpath("page.js").read_text(encoding="utf-8")
    for tag in ("img", "textarea", "iframe", "object", "embed", "svg", "base", "link", "form", "b"):
        assert not doc.xpath(f"//{tag}"), tag
    for el in doc.iter():
        assert not [a for a in el.attrib if a.lower().startswith("on")], (el.tag, el.attrib)
        for attr in ("href", "src", "action", "formaction"):
            assert not (el.get(attr) or "").strip().lower().startswith(("javascript:", "data:")), (el.tag, el.attrib)
    assert "<script>alert" not in text and "<img src=x" not in text and "<b>bold" not in text
    return doc


def test_hostile_article_and_answer_text_is_shown_as_text_never_run() -> None:
    result, article = _hostile_brief()
    html = page(result, article)
    doc = _assert_inert(html, scripts=1)
    visible = doc.text_content()
    for text in HOSTILE:
        assert text.strip("\u2028\u2029") in visible, text
    assert "49" not in visible and "{{ 7*7 }}" in visible  # data is never a template
    found = claims(doc)
    assert HOSTILE[1] in found["brief.key_points[0]"].text_content()
    assert found["brief.key_points[0]"].xpath('.//li[@data-field="brief.key_points[0]"]')
    assert HOSTILE[3] in found["key_facts.quotes[0]"].text_content()
    assert doc.xpath("//title")[0].text_content() == HOSTILE[0] + " title"
    assert HOSTILE[0] in pane_sentences(doc)["s-1-1"].text_content() or HOSTILE[0] in doc.get_element_by_id("pane").text_content()
    # The metadata's javascript: URL stays text; the lang attribute holds the hostile value, quoted.
    assert "javascript:alert(7)" in doc.get_element_by_id("sec-source").text_content()
    assert doc.xpath('//p[@class="source-summary"]')[0].get("lang") == 'fr" onload="alert(5)'


def test_hostile_translation_generic_and_index_pages_are_inert() -> None:
    result, _ = replayed_translation()
    data = result.model_dump(mode="json")
    data["title"] = HOSTILE[0]
    data["paragraphs"][0].update(source=HOSTILE[2], target=HOSTILE[3])
    data["paragraphs"][1].update(source=HOSTILE[1], target=None)
    data["warnings"] = [{"kind": "paragraph-missing", "text": HOSTILE[4], "detail": HOSTILE[0], "field": "paragraphs[2]"}]
    data["article"]["url"] = "javascript:alert(1)"
    html = page(TranslationResult.model_validate(data), None)
    visible = _assert_inert(html, scripts=0).text_content()
    for text in HOSTILE[:5]:
        assert text in visible

    class Other(BaseModel):
        note: str
        items: list[str]
        warnings: list[ResultWarning] = []

    other = Other(note=HOSTILE[0], items=[HOSTILE[2], HOSTILE[4]], warnings=[ResultWarning(kind="chunked", text=HOSTILE[1], detail=HOSTILE[3])])
    visible = _assert_inert(page(other, None), scripts=0).text_content()
    assert HOSTILE[0] in visible and "</textarea><img src=x onerror=alert(3)>" in visible and HOSTILE[3] in visible

    rows = [IndexRow(HOSTILE[0], "failed", None, None, None, 0, HOSTILE[2]),
            IndexRow("a.txt", "done", "javascript:alert(1)", HOSTILE[1], HOSTILE[3], 2, None)]  # fmt: skip
    doc = _assert_inert(index_page(rows, HOSTILE[4]), scripts=0)
    assert HOSTILE[0] in doc.text_content() and HOSTILE[2] in doc.text_content() and HOSTILE[4] in doc.xpath("//h1")[0].text_content()


# --------------------------------------------------------------------------- self-contained


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _pages() -> dict[str, str]:
    brief, article = replayed_brief()
    translation, _ = replayed_translation()
    rows = [IndexRow("seeds/a.txt", "done", "a.html", "A", "fr", 0, None)]
    return {
        "brief": page(brief, article),
        "brief-alone": page(brief, None),
        "recorded": page(*recorded("v1", "001")),
        "translation": page(translation, None),
        "index": index_page(rows, "run"),
    }


def test_pages_load_nothing_and_allow_only_their_own_style_and_script() -> None:
    for name, html in _pages().items():
        doc = parse(html)
        assert not doc.xpath("//*[@src]") and not doc.xpath("//link") and not doc.xpath("//iframe"), name
        for style in doc.xpath("//style"):
            assert "url(" not in style.text and "@import" not in style.text, name
        for script in doc.xpath("//script"):
            assert not re.search(r"https?:|fetch\(|XMLHttpRequest|import\(", script.text), name
        for a in doc.xpath("//a[@href]"):
            href = a.get("href")
            if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.IGNORECASE):  # the article's own address, a plain link
                assert href.startswith("https://") and "noreferrer" in a.get("rel", ""), (name, href)
        # A Content-Security-Policy in the page: nothing from elsewhere, and only these exact blocks run.
        policy = doc.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')[0]
        assert "default-src 'none'" in policy and "unsafe-inline" not in policy
        styles = doc.xpath("//style")
        assert len(styles) == 1 and f"style-src {_digest(styles[0].text)}" in policy
        scripts = doc.xpath("//script")
        assert (f"script-src {_digest(scripts[0].text)}" if scripts else "script-src 'none'") in policy
        assert "prefers-color-scheme: dark" in styles[0].text and "@media print" in styles[0].text


# --------------------------------------------------------------------------- translations


def test_a_translation_is_aligned_row_by_row() -> None:
    result, _ = replayed_translation()
    doc = parse(page(result, None))
    rows = doc.xpath("//table[@class='aligned']/tbody/tr")
    assert [r.get("id") for r in rows] == [f"p-{p.n}" for p in result.paragraphs]
    for row, pair in zip(rows, result.paragraphs):
        source, target = row.xpath("./td")
        assert words(source.text_content()) == words(pair.source) and words(target.text_content()) == words(pair.target or "")
        assert source.get("lang") == "fr" and target.get("lang") == "en"
    assert result.title in doc.xpath("//h1")[0].text_content()


def test_a_missing_translation_is_marked_in_its_row_with_its_warning() -> None:
    result, _ = replayed_translation()
    pairs = [p.model_copy(update={"target": None}) if p.n == 3 else p for p in result.paragraphs]
    warning = ResultWarning(kind="paragraph-missing", text=pairs[2].source, detail="this source paragraph has no translation", field="paragraphs[3]")
    missing = result.model_copy(update={"paragraphs": pairs, "warnings": [warning]})
    doc = parse(page(missing, None))
    row = doc.get_element_by_id("p-3")
    assert "missing" in row.get("class").split()
    assert "Not translated" in row.text_content() and words(pairs[2].source) in words(row.text_content())
    assert row.xpath('.//li[@data-field="paragraphs[3]"]')
    others = [r for r in doc.xpath("//tbody/tr") if r.get("id") != "p-3"]
    assert all("missing" not in (r.get("class") or "") and "Not translated" not in r.text_content() for r in others)
    assert "1 paragraph not translated" in doc.xpath('//p[@class="banner"]')[0].text_content()


def test_recorded_translation_warnings_sit_in_their_paragraph_rows() -> None:
    result, _ = recorded("translate", "000")
    doc = parse(page(result, None))
    placed = 0
    for warning in result.warnings:
        match = re.match(r"paragraphs\[(\d+)\]", warning.field or "")
        if match is None:
            continue
        row = doc.get_element_by_id(f"p-{match.group(1)}")
        flags = row.xpath(f'.//li[@data-field="{warning.field}"]')
        assert any(warning.text in li.text_content() and warning.detail in li.text_content() for li in flags), warning
        assert "flagged" in row.get("class").split()
        placed += 1
    assert placed > 40


# --------------------------------------------------------------------------- batch index


def test_the_index_lists_every_article_with_its_status_and_a_relative_link() -> None:
    rows = [
        IndexRow("seeds/000.txt", "done", "000.html", "Schulman joins Anthropic", "fr", 3, None),
        IndexRow("seeds/001.txt", "cached", "sub dir/001 #1.html", None, "en", 0, None),
        IndexRow("seeds/002.txt", "existing", "002.html", "Altman", "fr", 0, None),
        IndexRow("seeds/003.txt", "failed", None, None, None, 0, "endpoint error: 500 after 3 attempts"),
    ]
    doc = parse(index_page(rows, "Batch of seeds"))
    assert doc.xpath("//title")[0].text_content() == "Batch of seeds" == doc.xpath("//h1")[0].text_content()
    trs = doc.xpath("//table[@class='index']/tbody/tr")
    assert len(trs) == 4
    assert [tr.xpath(".//span[starts-with(@class, 'status ')]")[0].text_content() for tr in trs] == ["done", "cached", "existing", "failed"]
    assert [tr.xpath(".//a/@href") for tr in trs] == [["000.html"], ["sub%20dir/001%20%231.html"], ["002.html"], []]
    assert trs[0].xpath(".//a")[0].text_content() == "Schulman joins Anthropic"
    assert trs[1].xpath(".//a")[0].text_content() == "seeds/001.txt"  # no title: the source names it
    assert "⚠ 3" in trs[0].text_content() and "fr" in trs[0].text_content()
    assert "endpoint error: 500 after 3 attempts" in trs[3].xpath(".//*[@class='error']")[0].text_content()
    counts = doc.xpath("//p[@class='counts']")[0].text_content()
    for count in ("1 done", "1 cached", "1 existing", "1 failed", "1 with warnings"):
        assert count in counts
    # A file name that reads as a scheme stays a relative link.
    odd = parse(index_page([IndexRow("x", "done", "javascript:alert(1).html", None, None, 0, None)], "t"))
    assert odd.xpath("//a/@href") == ["./javascript%3Aalert%281%29.html"]


def test_an_older_result_without_the_article_lists_only_passages_that_were_found() -> None:
    result, _ = recorded("v1", "001")
    doc = parse(page(result, None))
    passages = {words(el.text_content()) for el in pane_sentences(doc).values()}
    found = {words(s.text) for e in result.evidence for s in e.evidence if s.paragraph is not None}
    lost = {words(s.text) for e in result.evidence for s in e.evidence if s.paragraph is None and s.start is None}
    assert passages == found and lost and not lost & passages
    # A claim whose evidence was not in the article says so, with the text it cited.
    claim = claims(doc)["brief.key_points[2]"]
    assert not claim.get("data-evidence") and "unsupported" in claim.get("class").split()


def test_a_warning_names_what_it_found_unless_that_is_the_claim_itself() -> None:
    result, article = recorded("v4", "001")
    event = claims(parse(page(result, article)))["key_facts.events[2]"]
    assert [q.text_content() for q in event.xpath('.//li[@data-field="key_facts.events[2]"]//q')] == ["Brockman"]
    result, article = recorded("v4-verify", "003")
    point = claims(parse(page(result, article)))["brief.key_points[0]"]
    flag = point.xpath('.//li[@data-field="brief.key_points[0]"]')[0]
    assert not flag.xpath(".//q") and "judged it not-mentioned" in flag.text_content()  # the claim, cut short: not repeated


def test_a_second_summary_the_model_wrote_for_a_same_language_article_is_shown_flagged() -> None:
    from summarize.render.markdown import to_markdown
    from summarize.schemas import ResultWarning

    result, article = replayed_brief()
    note = ResultWarning(kind="same-language", text="en", detail="the article is already in English: one summary, no translation")
    english = result.model_copy(deep=True, update={"warnings": [*result.warnings, note]})
    english.brief.source_language = "en"
    english.brief.source_summary = "OpenAI a évincé Sam Altman."  # written in French anyway
    text = to_markdown(english)
    assert "## Summary (en)" not in text and "## A second summary, not asked for (flagged)" in text
    html = page(english, article)
    assert "A second summary, not asked for" in html and "Summary in the article" not in html
    # An article in another language keeps its summary under its language, unflagged.
    assert "## Summary (fr)" in to_markdown(result) and "not asked for" not in to_markdown(result)

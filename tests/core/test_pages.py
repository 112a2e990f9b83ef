"""Page analysis: the seed's exact split, and real pages that must not break it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsreader.core.pages import analyze_page
from tests.conftest import cli_env, shared_path


def test_the_seed_page_splits_exactly_as_expected(tmp_path: Path) -> None:
    page = shared_path("seed", "register-2014-article.html")
    expected = json.loads(shared_path("seed", "register-2014-article.expected.json").read_text())
    result = subprocess.run(
        [sys.executable, "-m", "newsreader", "page", str(page), "--json"],
        env=cli_env(tmp_path / "unused"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert list(out) == [
        "url",
        "title",
        "byline",
        "published",
        "lead_image",
        "story_html",
        "story_text",
        "next",
        "prev",
        "related",
        "sponsored",
        "removed",
    ]
    assert out["url"] == expected["url"]
    assert out["title"] == expected["title"]
    paragraphs = out["story_text"].split("\n\n")
    assert paragraphs[0] == expected["story_first_paragraph"]
    assert paragraphs[-1] == expected["story_last_paragraph"]
    assert len(paragraphs) == expected["story_paragraph_count"]
    assert out["story_html"].count("<p>") == expected["story_paragraph_count"]
    for leak in expected["story_must_not_contain"]:
        assert leak not in out["story_text"] and leak not in out["story_html"], leak
    assert out["next"] == expected["next"]
    assert out["prev"] == expected["prev"]
    assert [{k: r[k] for k in ("title", "summary", "href")} for r in out["related"]] == expected["related"]
    assert all(r["reason"] for r in out["related"])
    assert [{k: s[k] for k in ("text", "summary", "href", "placement")} for s in out["sponsored"]] == expected[
        "sponsored"
    ]
    assert all(s["reason"] for s in out["sponsored"])
    assert out["removed"]["ad_slots"] >= expected["blocked_ad_slots_at_least"]
    assert out["removed"]["trackers"] >= expected["tracking_pixels_at_least"]
    assert "<script" not in out["story_html"] and "doubleclick" not in out["story_html"]


def test_real_pages_from_every_corpus_set_give_a_story() -> None:
    root = shared_path("corpus", "pages")
    pages = []
    for corpus in sorted(p for p in root.iterdir() if p.is_dir()):
        pages += sorted(corpus.rglob("*.html"))[:15]
    assert len(pages) >= 50
    with_story = 0
    for path in pages:
        analysis = analyze_page(path.read_bytes(), "https://example.com/article")
        assert "<script" not in analysis.story_html, path
        with_story += len(analysis.story_text) >= 200
    assert with_story >= len(pages) * 0.8


def test_hostile_pages_are_bounded() -> None:
    nested = b"<html><body>" + b"<div>" * 20_000 + b"<p>" + b"deep text " * 30 + b"</p>" + b"</div>" * 20_000
    # libxml2 stops descending at 256 levels, so nothing of the buried paragraph survives; what matters
    # is that the page is answered (quickly, see bench/page_hostile.py) rather than crashing
    assert analyze_page(nested).story_text == ""
    links = b"<html><body><div>" + b"".join(b'<a href="/x%d">link %d</a> ' % (i, i) for i in range(100_000))
    assert analyze_page(links + b"</div></body></html>", "https://e.example/").sponsored == ()
    nul = analyze_page(b"\x00\x00<p>nul\x00 bytes in text that is long enough to be a story.</p>")
    assert (nul.title, nul.story_text) == ("", "nul bytes in text that is long enough to be a story.")
    assert analyze_page(b"").story_text == ""


def test_recommendation_widgets_are_sponsored() -> None:
    page = b"""<html><body><article><p>A story long enough to be the story of this page, with words.</p>
    <p>And a second paragraph so that the article is clearly the story here.</p></article>
    <div class="OUTBRAIN ob-widget"><a href="https://paid.example/miracle">One weird trick</a></div>
    </body></html>"""
    [item] = analyze_page(page, "https://news.example/a").sponsored
    assert (item.text, item.href) == ("One weird trick", "https://paid.example/miracle")
    assert item.reason == "In a recommendation widget from Outbrain (paid links)."
    assert "weird trick" not in analyze_page(page, "https://news.example/a").story_text


@pytest.mark.corpus
def test_related_and_sponsored_detection_does_not_take_story_text() -> None:
    """Beyond the seed: on real pages with gold story text, no related or sponsored item of four
    words or more is part of the story, and none is also left in our story text. In-story
    cross-links ("Related: …", "[Read: …]", a headline standing alone) are left out of the count:
    readability's gold keeps those lines, while the labelled pages (and readers) count them as
    related navigation."""
    import re

    from lxml import html as lxml_html

    corpus = shared_path("corpus", "pages", "readability")
    words = re.compile(r"\w+")

    def normal(text: str) -> str:
        return " ".join(words.findall(text.lower()))

    checked = taken = leaked = pages_with_blocks = 0
    for folder in sorted(p for p in corpus.iterdir() if (p / "expected.html").exists()):
        gold = normal(lxml_html.fromstring((folder / "expected.html").read_bytes()).text_content())
        analysis = analyze_page((folder / "source.html").read_bytes(), None)
        in_story = ("A cross-link", "A headline standing alone in the story")
        texts = [link.title for link in analysis.related if not link.reason.startswith(in_story)]
        texts += [item.text for item in analysis.sponsored]
        pages_with_blocks += bool(texts)
        story = normal(analysis.story_text)
        for text in (normal(t) for t in texts):
            if len(text.split()) >= 4:
                checked += 1
                taken += text in gold
                leaked += text in story
    assert pages_with_blocks >= 15 and checked >= 50
    assert taken <= checked * 0.02
    assert leaked <= checked * 0.02


def test_figure_captions_the_extractor_drops_are_put_back_under_their_images() -> None:
    page = shared_path("corpus", "pages", "trafilatura", "chip.de.beef", "source.html").read_bytes()
    analysis = analyze_page(page, "https://www.chip.de/news/beef")
    caption = "Der Toast-Test zeigt, in der Mitte ist die Hitze am größten"
    assert f"<figcaption>{caption}" in analysis.story_html
    assert caption not in analysis.story_text  # the story's text (what quality is scored on) is unchanged

"""Ad-blocking filter lists (EasyList syntax) as a page-analysis signal, shipped and user-added."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from newsreader.core.library import Library
from newsreader.core.pages import analyze_page
from newsreader.core.pages.filters import PageFilters, default_filters, default_list_text, load_filters
from tests.conftest import PYTHON, cli_env

STORY = "".join(f"<p>Paragraph {i} of a story about rivers, long enough to count as the story.</p>" for i in range(8))
PAGE = f"""<!doctype html><html><head><title>Rivers</title>
<link rel="canonical" href="https://news.example/rivers"></head><body>
<article><h1>Rivers</h1>{STORY}
  <div class="partner-box"><a href="https://shop.example/offer">Great offer on boats</a></div>
  <div class="slot-xyz"></div>
  <iframe src="https://ads.example/frame"></iframe>
  <p>See <a href="https://clicks.example/c?id=1">our friends</a>.</p>
</article></body></html>"""
RULES = "##.partner-box\n##.slot-xyz\n||ads.example^\n||clicks.example^\n##article\n"


def test_user_rules_flag_blocks_slots_frames_and_links() -> None:
    plain = analyze_page(PAGE)
    assert plain.sponsored == () and plain.ad_slots == 0
    filtered = analyze_page(PAGE, None, PageFilters([default_list_text(), RULES]))
    reasons = {item.text: item.reason for item in filtered.sponsored}
    assert reasons["Great offer on boats"] == "Hidden by the ad-blocking rule “.partner-box”."
    assert "ad server by the ad-blocking rules" in reasons["our friends"]
    assert filtered.ad_slots == 2  # the empty slot and the ad frame
    assert "Paragraph 7 of a story" in filtered.story_text  # "##article" is too broad to take the story
    assert "Great offer" not in filtered.story_text


def test_the_shipped_list_knows_common_ad_servers_and_slots() -> None:
    page = (
        """<html><body><article>"""
        + STORY
        + """
      <div id="div-gpt-ad-123"></div>
      <script src="https://securepubads.g.doubleclick.net/tag/js/gpt.js"></script>
      <img src="https://www.google-analytics.com/collect?v=1" alt="">
    </article></body></html>"""
    )
    analysis = analyze_page(page, "https://news.example/a")
    assert analysis.ad_slots >= 2 and analysis.trackers >= 1
    assert default_filters().rule_count > 40


def test_lists_in_the_library_folder_apply_and_update_at_run_time(library: Library) -> None:
    assert library.page_filters().names == ("default_filters.txt",)
    assert library.add_filter_list(RULES, "mine") == 5
    first = library.page_filters()
    assert first.names == ("default_filters.txt", "mine.txt")
    assert first is library.page_filters()  # compiled once while nothing changes
    (library.filters_dir / "mine.txt").write_text(RULES + "##.another\n", encoding="utf-8")
    assert library.page_filters() is not first
    assert load_filters(library.filters_dir).rule_count == first.rule_count + 1
    library.remove_filter_list("mine")
    assert library.page_filters().names == ("default_filters.txt",)


def test_cli_adds_lists_and_uses_them(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "data")
    (tmp_path / "rules.txt").write_text(RULES, encoding="utf-8")
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "not-a-list.txt").write_text("<html><body>Hello</body></html>", encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([PYTHON, "-m", "newsreader", *args], env=env, capture_output=True, text=True, timeout=120)

    added = run("filters", "add", str(tmp_path / "rules.txt"), "--json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) == {"added": "rules.txt", "rules": 5}
    listed = json.loads(run("filters", "--json").stdout)
    assert [item["name"] for item in listed["lists"]] == ["default_filters.txt", "rules.txt"]
    page = json.loads(run("page", str(tmp_path / "page.html"), "--json").stdout)
    assert "Great offer on boats" in [item["text"] for item in page["sponsored"]]
    wrong = run("filters", "add", str(tmp_path / "not-a-list.txt"))
    assert wrong.returncode == 1 and "is not an ad-blocking filter list" in wrong.stderr
    assert run("filters", "remove", "rules").returncode == 0
    assert run("filters", "remove", "rules").returncode == 1

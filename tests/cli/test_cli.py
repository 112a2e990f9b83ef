"""The real ``newsreader`` process, end to end, against the loopback server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import cli_env
from tests.support.feeds import HTML_PAGE_ONE_FEED, HTML_PAGE_WITH_FEEDS, simple_rss
from tests.support.httpserver import FeedServer

FEED_KEYS = {"id", "url", "title", "folder", "unread", "last_error", "last_updated"}
STORY_KEYS = {"id", "feed", "title", "link", "published", "read", "starred", "sponsored"}


class Cli:
    def __init__(self, data: Path, env_extra: dict[str, str] | None = None) -> None:
        self.env = {**cli_env(data), **(env_extra or {})}

    def __call__(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "newsreader", *args],
            env=self.env,
            capture_output=True,
            text=True,
            input=input,
            timeout=120,
            check=False,
        )

    def json(self, *args: str) -> object:
        result = self(*args, "--json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "data")


def test_subscribe_refresh_read_offline(cli: Cli, server: FeedServer) -> None:
    url = server.add("/news.xml", simple_rss(4, title="Zebra Times"))
    added = cli("add", url, "--folder", "Animals")
    assert added.returncode == 0, added.stderr
    assert "Subscribed to Zebra Times" in added.stdout
    feeds = cli.json("feeds")
    assert isinstance(feeds, list) and set(feeds[0]) >= FEED_KEYS
    assert (feeds[0]["title"], feeds[0]["folder"], feeds[0]["unread"]) == ("Zebra Times", "Animals", 4)

    server.close()  # offline from here on: everything reads from the cache
    stories = cli.json("stories", "--limit", "2")
    assert isinstance(stories, list) and len(stories) == 2 and set(stories[0]) >= STORY_KEYS
    story_id = stories[0]["id"]
    shown = cli.json("show", str(story_id))
    # the story's own verdict keeps the type `stories --json` gives it; the pane is a list of its own
    assert shown["sponsored"] is False and isinstance(shown["sponsored_items"], list)
    assert isinstance(shown, dict) and "zebras" in shown["summary_html"]
    assert "zebras" in cli("show", str(story_id)).stdout
    nothing = cli("search", "zzzzqq")
    assert nothing.stdout == "" and "No story matches “zzzzqq”." in nothing.stderr
    found = cli.json("search", "zebras", "story")
    assert isinstance(found, list) and len(found) == 4
    assert cli("read", str(story_id)).returncode == 0
    assert cli("star", str(story_id)).returncode == 0
    unread = cli.json("stories", "--unread", "--limit", "100")
    assert isinstance(unread, list) and story_id not in [s["id"] for s in unread]
    starred = cli.json("stories", "--starred")
    assert isinstance(starred, list) and [s["id"] for s in starred] == [story_id]
    assert cli("unread", str(story_id)).returncode == 0
    assert cli("unstar", str(story_id)).returncode == 0
    assert cli.json("stories", "--starred") == []

    refresh = cli("refresh")
    assert refresh.returncode == 3  # the server is gone: a partial failure
    assert "refused the connection" in refresh.stderr
    assert cli.json("feeds")[0]["last_error"]  # type: ignore[index]


def test_refresh_json_and_progress_lines(cli: Cli, server: FeedServer) -> None:
    for i in range(3):
        cli("add", server.add(f"/f{i}.xml", simple_rss(2, f"f{i}")))
    result = cli.json("refresh", "--workers", "2")
    assert isinstance(result, dict) and {r["status"] for r in result["feeds"]} == {"not_modified"}
    stages = {s["stage"]: s for s in result["stages"]}
    assert list(stages) == ["feeds", "pages", "images", "icons"] and result["offline"] is False
    assert stages["feeds"]["done"] == stages["feeds"]["total"] == 3 and stages["feeds"]["added"] == 0
    assert stages["feeds"]["summary"] == "Feeds: 3 of 3 refreshed, 0 new stories, 0 failed."


def test_several_feeds_on_a_page_are_listed(cli: Cli, server: FeedServer) -> None:
    result = cli("add", server.add("/", HTML_PAGE_WITH_FEEDS, content_type="text/html"))
    assert result.returncode == 1
    assert "offers 2 feeds" in result.stderr and server.url("/comments.atom") in result.stderr


def test_import_export_round_trip(cli: Cli, tmp_path: Path) -> None:
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="T"><outline text="a" xmlUrl="https://a.example/f"/>'
        "</outline></body></opml>"
    )
    report = cli.json("import", str(opml))
    assert report == {"added": ["https://a.example/f"], "skipped": [], "folders_created": ["T"]}
    again = cli.json("import", str(opml))
    assert again["skipped"] == [{"url": "https://a.example/f", "reason": "already subscribed"}]  # type: ignore[index]
    out = tmp_path / "out.opml"
    assert cli("export", str(out)).returncode == 0
    assert 'xmlUrl="https://a.example/f"' in out.read_text()
    assert 'xmlUrl="https://a.example/f"' in cli("export").stdout


def test_feed_management_commands(cli: Cli, server: FeedServer, tmp_path: Path) -> None:
    cli("add", server.add("/m.xml", simple_rss(1)))
    feed_id = str(cli.json("feeds")[0]["id"])  # type: ignore[index]
    assert cli("rename", feed_id, "Mine").returncode == 0
    assert cli("move", feed_id, "--folder", "Later").returncode == 0
    assert cli("rename-folder", "Later", "Soon").returncode == 0
    assert cli("set", feed_id, "--interval", "7200", "--keep-days", "30", "--disable").returncode == 0
    feed = cli.json("feeds")[0]  # type: ignore[index]
    assert (feed["title"], feed["folder"], feed["update_interval"], feed["enabled"]) == (
        "Mine",
        "Soon",
        7200,
        False,
    )
    assert cli.json("folders") == [{"id": 1, "name": "Soon"}]
    assert cli("delete-folder", "Soon").returncode == 0
    assert cli.json("feeds")[0]["folder"] is None  # type: ignore[index]
    moved = server.add("/moved.xml", simple_rss(1))
    refused = cli("set", feed_id, "--url", moved.replace("http://", "http://ann:pw@"))
    assert refused.returncode == 1 and "keyring" in refused.stderr and "pw@" not in refused.stderr  # none here
    assert cli("set", feed_id, "--url", moved).returncode == 0
    assert cli.json("feeds")[0]["url"] == moved  # type: ignore[index]
    assert cli("remove", feed_id).returncode == 0
    assert cli.json("feeds") == []


def test_auth_password_goes_to_the_keyring(tmp_path: Path, server: FeedServer) -> None:
    keyring_file = tmp_path / "keyring.json"
    cli = Cli(
        tmp_path / "data",
        {
            "PYTHON_KEYRING_BACKEND": "tests.support.memory_keyring.FileKeyring",
            "NEWSREADER_TEST_KEYRING": str(keyring_file),
        },
    )
    cli("add", server.add("/p.xml", simple_rss(1)))
    result = cli("set", "1", "--auth-user", "ann", input="hunter2\n")
    assert result.returncode == 0, result.stderr
    assert "hunter2" in keyring_file.read_text()
    assert "hunter2" not in (tmp_path / "data" / "library.sqlite3").read_bytes().decode("latin-1")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["show", "12345"], 1, "There is no story with id 12345."),
        (["show", "abc"], 2, "is not a story id"),
        (["read", "1", "2"], 1, "There is no story with id 1."),
        (["remove", "7"], 1, "There is no feed with id 7."),
        (["stories", "--feed", "9"], 1, "There is no feed with id 9."),
        (["stories", "--limit", "-3"], 2, "cannot be negative"),
        (["refresh", "--workers", "0"], 2, "must be at least 1"),
        (["import", "/nonexistent/x.opml"], 1, "could not be read"),
        (["add", "gopher://x.example/"], 1, "is not an http or https address"),
        (["search", "!!!"], 1, "Search for at least one word."),
        (["frobnicate"], 2, "invalid choice"),
    ],
)
def test_bad_input_gives_one_sentence_and_an_exit_code(cli: Cli, args: list[str], code: int, message: str) -> None:
    result = cli(*args)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreadable_library_is_reported_and_set_aside(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "library.sqlite3").write_bytes(b"garbage" * 1000)
    result = Cli(data)("feeds")
    assert result.returncode == 0
    assert "was damaged or not a newsreader library, so it was moved to" in result.stderr
    [aside] = list(data.glob("library.sqlite3.unusable-*"))
    assert aside.read_bytes() == b"garbage" * 1000


def test_help_lists_the_commands(cli: Cli) -> None:
    result = cli("--help")
    assert result.returncode == 0
    assert "COMMAND" in result.stdout and "gui" in result.stdout


def test_related_and_sponsored_commands(cli: Cli, server: FeedServer) -> None:
    from tests.support.feeds import rss

    day = "Tue, 14 Oct 2025"
    a = rss(
        [
            {
                "title": "Magnitude 7 earthquake strikes Japan coast, tsunami warning",
                "guid": "a1",
                "description": "Tsunami warning for Miyagi after the earthquake.",
                "pubDate": f"{day} 09:00:00 GMT",
            },
            {"title": "Sponsor: Acme cloud", "guid": "a2", "pubDate": f"{day} 08:00:00 GMT"},
        ],
        title="A",
    )
    b = rss(
        [
            {
                "title": "Tsunami warning after strong earthquake hits Japan",
                "guid": "b1",
                "description": "Miyagi told to expect a tsunami after the earthquake.",
                "pubDate": f"{day} 09:30:00 GMT",
            }
        ],
        title="B",
    )
    cli("add", server.add("/a.xml", a))
    cli("add", server.add("/b.xml", b))
    stories = cli.json("stories")
    assert isinstance(stories, list) and [s["title"] for s in stories] == [
        "Tsunami warning after strong earthquake hits Japan",
        "Magnitude 7 earthquake strikes Japan coast, tsunami warning",
    ]
    first = stories[0]["id"]
    related = cli.json("related", str(first))
    assert isinstance(related, dict)
    assert set(related) == {"prev", "next", "more_from_source", "same_story", "related", "from_page"}
    assert [i["id"] for i in related["same_story"]] == [stories[1]["id"]]
    assert set(related["same_story"][0]) == {"id", "title", "link", "feed", "feed_title", "published", "reason"}
    assert "same event" in cli("related", str(first)).stdout
    collapsed = cli.json("stories", "--collapse")
    assert isinstance(collapsed, list) and len(collapsed) == 1 and collapsed[0]["group_size"] == 2
    assert cli("stories", "--collapse").stdout.rstrip().endswith("(+1 more report)")
    assert cli.json("mark-group-read", str(first)) == {"changed": 2}

    sponsored = cli.json("stories", "--only-sponsored")
    assert isinstance(sponsored, list) and sponsored[0]["title"] == "Sponsor: Acme cloud"
    assert sponsored[0]["sponsored_reason"] == "The title is labelled “Sponsor”."
    overruled = cli.json("sponsored", str(sponsored[0]["id"]), "--no")
    assert isinstance(overruled, dict) and overruled["sponsored"] is False
    assert cli.json("reclassify") == {"changed": 0}
    assert cli.json("stories", "--only-sponsored") == []
    feed_a = next(f["id"] for f in cli.json("feeds") if f["title"] == "A")  # type: ignore[union-attr, index]
    result = cli("set", str(feed_a), "--sponsored-title", "[unclosed")
    assert result.returncode == 1 and "not a valid regular expression" in result.stderr


def test_adding_a_page_whose_feed_answers_404_fails_and_subscribes_nothing(cli: Cli, server: FeedServer) -> None:
    page = server.add("/", HTML_PAGE_ONE_FEED, content_type="text/html")
    result = cli("add", page)
    assert result.returncode == 1
    assert result.stderr.startswith(f"newsreader: Not subscribed: {page} announces the feed")
    assert "404" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert cli.json("feeds") == []


def test_import_of_an_opml_file_with_bare_ampersands(cli: Cli) -> None:
    from tests.support.cases import CASES

    result = cli("import", str(CASES / "opml-bare-ampersand" / "podcasts.opml"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Imported 3 feeds, skipped 0.")
    titles = {feed["title"]: feed["url"] for feed in cli.json("feeds")}  # type: ignore[attr-defined]
    assert titles["Drums and Bass"] == "http://127.0.0.1:19118/feed.php?show=drums&format=rss"
    assert set(titles) == {"Science & Society Weekly", "Drums and Bass", "Plain Talk"}


def test_show_json_lists_media_rss_enclosures(cli: Cli, server: FeedServer) -> None:
    from tests.support.cases import serve_case

    url = serve_case(server, "media-content-enclosures")["/feeds/videos/de.xml"]
    assert cli("add", url).returncode == 0
    stories = cli.json("stories")
    assert isinstance(stories, list)
    concert = next(s for s in stories if s["title"] == "Concert: Autumn strings")
    shown = cli.json("show", str(concert["id"]))
    assert isinstance(shown, dict)
    assert shown["enclosures"] == [
        {"url": "http://127.0.0.1:19119/video/051234-001.mp4", "type": "video/mp4", "length": None}
    ]
    text = cli("show", str(concert["id"])).stdout
    assert "Attachments:\n  http://127.0.0.1:19119/video/051234-001.mp4  (video/mp4)" in text


def test_a_library_folder_that_is_a_file_or_cannot_exist_is_one_plain_sentence(cli: Cli, tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    result = cli("--data-dir", str(a_file), "feeds")
    assert result.returncode == 1
    assert result.stderr == f"newsreader: The library folder {a_file} is a file, not a folder; choose another.\n"
    under_a_file = a_file / "library"
    result = cli("--data-dir", str(under_a_file), "feeds")
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert f"The library folder {under_a_file} could not be created (" in result.stderr
    assert "Errno" not in result.stderr and "Traceback" not in result.stderr
    assert a_file.read_text() == "mine"


def test_an_unknown_feed_is_said_before_its_values_are_judged(cli: Cli) -> None:
    result = cli("set", "99", "--interval", "10")
    assert result.returncode == 1 and result.stderr == "newsreader: There is no feed with id 99.\n"


def test_the_pages_line_names_the_servers_that_did_not_answer() -> None:
    from newsreader.cli.main import stage_summary
    from newsreader.core.models import Stage, StageProgress

    waiting = ("a.test:80", "b.test:8080", "c.test:443", "d.test:80", "e.test:80")
    step = StageProgress(Stage.PAGES, 10, 30, 2, 8, finished=True, left=20, waiting_hosts=waiting)
    assert stage_summary(step) == (
        "Article pages: 8 downloaded, 2 failed, 20 left for the next refresh: "
        "a.test, b.test:8080, c.test and 2 more did not answer lately."
    )
    one = StageProgress(Stage.PAGES, 3, 3, 0, 0, finished=True, left=3, waiting_hosts=("a.test:80",))
    assert stage_summary(one).endswith("3 left for the next refresh: a.test did not answer lately.")
    two = StageProgress(Stage.PAGES, 3, 3, 0, 0, finished=True, left=3, waiting_hosts=("a.test:80", "b.test:80"))
    assert stage_summary(two).endswith(": a.test and b.test did not answer lately.")
    late = StageProgress(Stage.IMAGES, 110, 1064, 0, 0, finished=True, left=954, out_of_time=True)
    assert stage_summary(late) == "Images: 0 cached for 110 stories, 954 left for the next refresh: time ran out."
    both = StageProgress(Stage.PAGES, 3, 9, 0, 1, finished=True, left=8, out_of_time=True, waiting_hosts=("a.test:80",))
    assert stage_summary(both).endswith("8 left for the next refresh: time ran out; a.test did not answer lately.")

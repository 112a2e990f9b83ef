"""The desktop integration files are complete and well-formed."""

from __future__ import annotations

import configparser
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parent.parent


def test_desktop_entry_launches_the_app() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(REPO / "resources" / "newsreader.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"].split()[0] == "newsreader-gui"
    assert section["Icon"] == "newsreader"
    assert "Feed" in section["Categories"].split(";")


def test_metainfo_and_icon_are_well_formed() -> None:
    meta = etree.parse(str(REPO / "resources" / "io.github.newsreader.newsreader.metainfo.xml"))
    assert meta.findtext("launchable") == "newsreader.desktop"
    assert meta.findtext("project_license") == "GPL-3.0-or-later"
    icon = etree.parse(str(REPO / "resources" / "newsreader.svg"))
    assert icon.getroot().tag.endswith("svg")
    assert not icon.getroot().findall(".//{http://www.w3.org/2000/svg}script")

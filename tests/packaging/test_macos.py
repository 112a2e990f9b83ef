"""The macOS app's Info.plist (generated here, used by the build on a Mac) says what macOS needs."""

from __future__ import annotations

import plistlib
import sys
from pathlib import Path

from newsreader import __version__

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "packaging"))
from macos import BUNDLE_ID, info_plist


def test_info_plist_names_the_app_its_version_icon_and_retina_support() -> None:
    plist = plistlib.loads(plistlib.dumps(info_plist(__version__)))
    assert plist["CFBundleIdentifier"] == BUNDLE_ID == "io.github.newsreader.newsreader"
    assert plist["CFBundleShortVersionString"] == plist["CFBundleVersion"] == __version__
    assert plist["CFBundleIconFile"] == "newsreader.icns"
    assert plist["CFBundleExecutable"] == "newsreader-gui"
    assert plist["CFBundlePackageType"] == "APPL"
    assert plist["NSHighResolutionCapable"] is True


def test_the_bundle_id_is_the_appstream_id() -> None:
    metainfo = Path(__file__).resolve().parent.parent.parent / "resources" / f"{BUNDLE_ID}.metainfo.xml"
    assert f"<id>{BUNDLE_ID}</id>" in metainfo.read_text(encoding="utf-8")

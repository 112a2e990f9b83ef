"""The macOS parts of the build: the app's Info.plist, the .dmg, and signing when credentials exist.

Runs on a Mac (CI's macos runner); :func:`info_plist` is plain data and is tested everywhere.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

BUNDLE_ID = "io.github.newsreader.newsreader"
"""The reverse-DNS id, the same as the AppStream id in resources/."""

SIGNING_VARIABLES = ("MACOS_SIGNING_IDENTITY",)
NOTARY_VARIABLES = ("APPLE_ID", "APPLE_TEAM_ID", "APPLE_APP_PASSWORD")


def info_plist(version: str) -> dict[str, Any]:
    """The keys PyInstaller writes into ``newsreader.app/Contents/Info.plist``."""
    return {
        "CFBundleName": "newsreader",
        "CFBundleDisplayName": "newsreader",
        "CFBundleIdentifier": BUNDLE_ID,
        "CFBundleExecutable": "newsreader-gui",
        "CFBundleIconFile": "newsreader.icns",
        "CFBundlePackageType": "APPL",
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "LSMinimumSystemVersion": "11.0",
        "LSApplicationCategoryType": "public.app-category.news",
        "NSHighResolutionCapable": True,
        "NSHumanReadableCopyright": "GPL-3.0-or-later",
    }


def sign(app: Path) -> bool:
    """Sign *app* when ``$MACOS_SIGNING_IDENTITY`` names a certificate in the keychain; returns whether it did."""
    identity = os.environ.get("MACOS_SIGNING_IDENTITY")
    if not identity:
        print("macOS: not signed (no MACOS_SIGNING_IDENTITY); Gatekeeper will ask users to confirm the first start")
        return False
    subprocess.run(
        ["codesign", "--deep", "--force", "--options", "runtime", "--timestamp", "--sign", identity, str(app)],
        check=True,
    )
    return True


def dmg(app: Path, target: Path) -> Path:
    """A compressed disk image holding *app* and a link to /Applications (dmgbuild)."""
    import dmgbuild  # type: ignore[import-not-found]  # macOS only

    settings = {
        "files": [str(app)],
        "symlinks": {"Applications": "/Applications"},
        "format": "UDZO",
        "icon_size": 128,
        "icon_locations": {app.name: (140, 120), "Applications": (500, 120)},
        "window_rect": ((100, 100), (640, 280)),
    }
    dmgbuild.build_dmg(str(target), "newsreader", settings=settings)
    return target


def notarise(image: Path) -> None:
    """Notarise and staple *image* when the Apple account variables are set; one line otherwise."""
    if not all(os.environ.get(name) for name in NOTARY_VARIABLES):
        print(f"macOS: not notarised (set {', '.join(NOTARY_VARIABLES)} to notarise)")
        return
    subprocess.run(
        [
            "xcrun",
            "notarytool",
            "submit",
            str(image),
            "--apple-id",
            os.environ["APPLE_ID"],
            "--team-id",
            os.environ["APPLE_TEAM_ID"],
            "--password",
            os.environ["APPLE_APP_PASSWORD"],
            "--wait",
        ],
        check=True,
    )
    subprocess.run(["xcrun", "stapler", "staple", str(image)], check=True)

"""Build a packaged newsreader for this platform and check that it starts.

    .venv/bin/python packaging/build.py [--deb] [--smoke]

Always: a PyInstaller one-folder bundle in ``dist/newsreader/`` and ``dist/newsreader-VERSION-PLATFORM.tar.gz``.
``--deb`` (Debian/Ubuntu): ``dist/newsreader_VERSION_ARCH.deb`` (bundle in /opt/newsreader, ``newsreader``
and ``newsreader-gui`` in /usr/bin, desktop entry, icon, AppStream metadata).
``--smoke``: run the built program: ``--version``, a CLI command on a new library, and the window
painted offscreen to a screenshot.
Needs PyInstaller (``pip install pyinstaller``); Windows installers and macOS bundles are built on
those systems.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
sys.path.insert(0, str(ROOT / "src"))
from newsreader import __version__  # noqa: E402


def bundle() -> Path:
    """Run PyInstaller; returns the bundle folder."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--distpath",
            str(DIST),
            "--workpath",
            str(ROOT / "build" / "pyinstaller"),
            str(ROOT / "packaging" / "pyinstaller" / "newsreader.spec"),
        ],
        check=True,
    )
    return DIST / "newsreader"


def tarball(folder: Path) -> Path:
    target = DIST / f"newsreader-{__version__}-{sys.platform}-{platform.machine()}.tar.gz"
    with tarfile.open(target, "w:gz") as archive:
        archive.add(folder, arcname="newsreader")
    return target


def deb(folder: Path) -> Path:
    """A Debian package around the bundle."""
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "pkg"
        shutil.copytree(folder, root / "opt" / "newsreader")
        (root / "usr" / "bin").mkdir(parents=True)
        (root / "usr" / "bin" / "newsreader").symlink_to("/opt/newsreader/newsreader")
        gui = root / "usr" / "bin" / "newsreader-gui"
        gui.write_text('#!/bin/sh\nexec /opt/newsreader/newsreader gui "$@"\n')
        gui.chmod(0o755)
        share = root / "usr" / "share"
        (share / "applications").mkdir(parents=True)
        shutil.copy(ROOT / "resources" / "newsreader.desktop", share / "applications")
        icons = share / "icons" / "hicolor" / "scalable" / "apps"
        icons.mkdir(parents=True)
        shutil.copy(ROOT / "resources" / "newsreader.svg", icons)
        (share / "metainfo").mkdir(parents=True)
        shutil.copy(ROOT / "resources" / "io.github.newsreader.newsreader.metainfo.xml", share / "metainfo")
        (root / "DEBIAN").mkdir()
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) // 1024
        depends = "libgl1, libegl1, libxkbcommon0, libfontconfig1, libglib2.0-0, libdbus-1-3, libxcb-cursor0"
        (root / "DEBIAN" / "control").write_text(
            f"Package: newsreader\nVersion: {__version__}\nArchitecture: {arch}\nMaintainer: newsreader developers\n"
            f"Installed-Size: {size}\nDepends: {depends}\nSection: net\nPriority: optional\n"
            "Description: offline-first feed reader\n"
            " Reads RSS, Atom and JSON Feed offline and splits article pages into the story,\n"
            " the related stories and the sponsored content.\n"
        )
        target = DIST / f"newsreader_{__version__}_{arch}.deb"
        subprocess.run(["dpkg-deb", "--build", "--root-owner-group", "-Zxz", str(root), str(target)], check=True)
    return target


def smoke(folder: Path) -> None:
    """The built program does what a user asks of it (``packaging/smoke.py``)."""
    from smoke import smoke as run_smoke

    run_smoke([str(folder / ("newsreader.exe" if sys.platform == "win32" else "newsreader"))])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--deb", action="store_true", help="also build a Debian package")
    ap.add_argument("--smoke", action="store_true", help="run the built program")
    args = ap.parse_args()
    folder = bundle()
    print(f"bundle: {folder}")
    print(f"archive: {tarball(folder)}")
    if args.deb:
        print(f"debian package: {deb(folder)}")
    if args.smoke:
        smoke(folder)


if __name__ == "__main__":
    main()

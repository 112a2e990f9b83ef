"""Build newsreader for the system this runs on, with its installers, and smoke-test what was built.

    .venv/bin/python packaging/build.py [--fast] [--no-smoke]

Needs ``pip install -e ".[package]"``. Everything goes to ``dist/``; VERSION is ``newsreader.__version__``.

- every system: ``dist/newsreader/``, a PyInstaller folder with ``newsreader`` (command line; the app when
  run without a command) and ``newsreader-gui`` (the app), every data file, the icon;
- Linux: ``newsreader-VERSION-linux-ARCH.tar.gz`` (portable: a ``portable`` marker keeps the library beside
  the program) and ``newsreader_VERSION_ARCH.deb`` (in /opt/newsreader, commands in /usr/bin, desktop entry,
  icon, AppStream metadata; under 80 MB; checked with desktop-file-validate and appstreamcli when present);
- Windows: ``newsreader-VERSION-windows-ARCH.zip`` (portable) and ``newsreader-VERSION-win64.exe``, an NSIS
  installer (``packaging/windows/newsreader.nsi``; ``makensis`` on PATH);
- macOS: ``newsreader.app`` in ``newsreader-VERSION-macos-ARCH.dmg`` (dmgbuild), signed and notarised only
  when the credentials in ``packaging/macos.py`` are set.

Then, unless ``--no-smoke``: ``packaging/smoke.py`` on the folder (and on the .deb's files extracted with
``dpkg-deb -x``), and portable mode checked from the extracted archive. ``--fast`` compresses quickly
(CI: the .deb with xz -1, whose size bounds the release's xz -6; the installer uncompressed).
A table of sizes and times ends the output.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
ICONS = ROOT / "build" / "icons"
RESOURCES = ROOT / "resources"
DEB_LIMIT = 80 * 1024 * 1024
sys.path.insert(0, str(ROOT / "src"))
from newsreader import __version__  # noqa: E402
from newsreader.core.paths import PORTABLE_MARKER  # noqa: E402

ARCH = {"x86_64": "x64", "amd64": "x64", "AMD64": "x64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
EXE = ".exe" if sys.platform == "win32" else ""


@dataclass
class Row:
    artefact: str
    path: str
    bytes: int
    seconds: float


class Report:
    """Each artefact with its size and the seconds it took, for the closing table and build/artefacts.json."""

    def __init__(self) -> None:
        self.rows: list[Row] = []

    def timed(self, what: str, build: Callable[[], Path]) -> Path:
        started = time.monotonic()
        path = build()
        seconds = time.monotonic() - started
        size = folder_size(path) if path.is_dir() else path.stat().st_size
        self.rows.append(Row(what, path.name, size, seconds))
        print(f"built {what}: {path} ({size / 2**20:.1f} MiB, {seconds:.0f} s)", flush=True)
        return path

    def write(self) -> None:
        (ROOT / "build").mkdir(exist_ok=True)
        (ROOT / "build" / "artefacts.json").write_text(json.dumps([asdict(row) for row in self.rows], indent=1))
        print("| artefact | file | size | time |\n|---|---|---|---|")
        for row in self.rows:
            size = f"{row.bytes / 2**20:.1f} MiB" if row.bytes else ""
            print(f"| {row.artefact} | {row.path} | {size} | {row.seconds:.0f} s |")


def folder_size(folder: Path) -> int:
    """Bytes of the files in *folder*, symbolic links not followed (PyInstaller links some libraries)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def icons() -> Path:
    """Render resources/newsreader.svg to the PNG, ICO and ICNS the bundles and installers use (Qt)."""

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    ICONS.mkdir(parents=True, exist_ok=True)
    renderer = QSvgRenderer(str(RESOURCES / "newsreader.svg"))
    for name, size in (("newsreader.png", 512), ("newsreader.ico", 256), ("newsreader.icns", 1024)):
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        if not image.save(str(ICONS / name)):
            raise SystemExit(f"build: Qt could not write the icon {ICONS / name}")
    return ICONS


def bundle() -> Path:
    """Run PyInstaller; returns the folder (on macOS the .app beside it is built too)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(DIST),
            "--workpath",
            str(ROOT / "build" / "pyinstaller"),
            str(ROOT / "packaging" / "pyinstaller" / "newsreader.spec"),
        ],
        check=True,
        # a cache of its own: --clean empties the shared ~/.cache/pyinstaller under any other build running
        env={**os.environ, "PYINSTALLER_CONFIG_DIR": str(ROOT / "build" / "pyinstaller-cache")},
    )
    return DIST / "newsreader"


def tarball(folder: Path, fast: bool) -> Path:
    """The portable archive for Linux: the folder with a ``portable`` marker."""
    target = DIST / f"newsreader-{__version__}-linux-{ARCH}.tar.gz"
    with tempfile.TemporaryDirectory() as tmp:
        marker = Path(tmp) / PORTABLE_MARKER
        marker.write_text("The library, cache, settings and logs live in data/ beside this file.\n")
        with tarfile.open(target, "w:gz", compresslevel=1 if fast else 9) as archive:
            archive.add(folder, arcname="newsreader")
            archive.add(marker, arcname=f"newsreader/{PORTABLE_MARKER}")
    return target


def portable_zip(folder: Path, fast: bool) -> Path:
    """The portable archive for Windows: the folder with a ``portable`` marker."""
    target = DIST / f"newsreader-{__version__}-windows-{ARCH}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1 if fast else 9) as archive:
        for path in sorted(folder.rglob("*")):
            archive.write(path, f"newsreader/{path.relative_to(folder).as_posix()}")
        archive.writestr(f"newsreader/{PORTABLE_MARKER}", "The library, cache, settings and logs live in data\\.\n")
    return target


def deb(folder: Path, fast: bool) -> Path:
    """A Debian package around the folder; fails when it is 80 MB or more or its metadata does not validate."""
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "pkg"
        shutil.copytree(folder, root / "opt" / "newsreader", symlinks=True)
        (root / "usr" / "bin").mkdir(parents=True)
        for name in ("newsreader", "newsreader-gui"):
            (root / "usr" / "bin" / name).symlink_to(f"/opt/newsreader/{name}")
        share = root / "usr" / "share"
        for source, where in (
            ("newsreader.desktop", "applications"),
            ("newsreader.svg", "icons/hicolor/scalable/apps"),
            ("io.github.newsreader.newsreader.metainfo.xml", "metainfo"),
        ):
            (share / where).mkdir(parents=True)
            shutil.copy(RESOURCES / source, share / where)
        validate(share)
        (root / "DEBIAN").mkdir()
        size = folder_size(root) // 1024
        depends = "libgl1, libegl1, libxkbcommon0, libfontconfig1, libglib2.0-0, libdbus-1-3, libxcb-cursor0"
        (root / "DEBIAN" / "control").write_text(
            f"Package: newsreader\nVersion: {__version__}\nArchitecture: {arch}\n"
            "Maintainer: newsreader developers <newsreader@users.noreply.github.com>\n"
            f"Installed-Size: {size}\nDepends: {depends}\nRecommends: fonts-noto-core\n"
            "Section: net\nPriority: optional\n"
            "Description: offline-first feed reader\n"
            " Reads RSS, Atom and JSON Feed offline and splits article pages into the story,\n"
            " the related stories and the sponsored content.\n"
        )
        target = DIST / f"newsreader_{__version__}_{arch}.deb"
        level = ["-z1"] if fast else []
        subprocess.run(
            ["dpkg-deb", "--build", "--root-owner-group", "-Zxz", *level, str(root), str(target)], check=True
        )
    if target.stat().st_size >= DEB_LIMIT:
        raise SystemExit(f"build: {target.name} is {target.stat().st_size / 2**20:.0f} MiB, over the 80 MB limit")
    return target


def validate(share: Path) -> None:
    """desktop-file-validate and appstreamcli validate, when installed (CI installs them)."""
    checks = [
        ["desktop-file-validate", str(share / "applications" / "newsreader.desktop")],
        [
            "appstreamcli",
            "validate",
            "--no-net",
            str(share / "metainfo" / "io.github.newsreader.newsreader.metainfo.xml"),
        ],
    ]
    for check in checks:
        if shutil.which(check[0]) is None:
            print(f"build: {check[0]} is not installed, so {Path(check[-1]).name} was not validated")
            continue
        result = subprocess.run(check, capture_output=True, text=True, check=False)
        if result.returncode != 0 or (check[0] == "desktop-file-validate" and result.stdout.strip()):
            raise SystemExit(f"build: {' '.join(check)} failed:\n{result.stdout}{result.stderr}")
        print(f"build: {check[0]} passed on {Path(check[-1]).name}")


def nsis_installer(folder: Path, fast: bool, target: Path | None = None) -> Path:
    """The NSIS installer around *folder* (``makensis`` from NSIS 3; runs on Windows and on Linux)."""
    makensis = shutil.which("makensis")
    if makensis is None:
        raise SystemExit("build: makensis is not installed (NSIS 3: 'choco install nsis' or 'apt-get install nsis')")
    target = target or DIST / f"newsreader-{__version__}-win64.exe"
    target.parent.mkdir(parents=True, exist_ok=True)
    size_kb = folder_size(folder) // 1024
    defines = [
        f"-DVERSION={__version__}",
        f"-DSOURCE={folder}",
        f"-DOUTFILE={target.resolve()}",
        f"-DICON={ICONS / 'newsreader.ico'}",
        f"-DSIZE_KB={size_kb}",
        *(["-DFAST"] if fast else []),
    ]
    script = ROOT / "packaging" / "windows" / "newsreader.nsi"
    subprocess.run([makensis, "-V2", "-WX", *defines, str(script)], check=True)
    return target


def macos_dmg(fast: bool) -> Path:
    """Sign the .app when credentials exist, put it in a .dmg, notarise when credentials exist."""
    import macos

    app = DIST / "newsreader.app"
    macos.sign(app)
    image = macos.dmg(app, DIST / f"newsreader-{__version__}-macos-{ARCH}.dmg")
    macos.notarise(image)
    return image


def smoke_all(folder: Path, report: Report) -> None:
    """The folder, the .deb's files and the portable archive, each as a user runs them."""
    from smoke import check_portable, smoke

    started = time.monotonic()
    smoke([str(folder / f"newsreader{EXE}")], [str(folder / f"newsreader-gui{EXE}")])
    for package in DIST.glob(f"newsreader_{__version__}_*.deb"):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["dpkg-deb", "-x", str(package), tmp], check=True)
            installed = Path(tmp) / "opt" / "newsreader"
            smoke([str(installed / "newsreader")], [str(installed / "newsreader-gui")])
    for archive in [*DIST.glob(f"newsreader-{__version__}-*.tar.gz"), *DIST.glob(f"newsreader-{__version__}-*.zip")]:
        with tempfile.TemporaryDirectory() as tmp:
            shutil.unpack_archive(archive, tmp)
            check_portable(Path(tmp) / "newsreader", EXE)
    report.rows.append(Row("smoke tests of the above", "", 0, time.monotonic() - started))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fast", action="store_true", help="compress quickly (CI)")
    ap.add_argument("--no-smoke", action="store_true", help="build only")
    args = ap.parse_args()
    report = Report()
    icons()
    folder = report.timed("PyInstaller folder", bundle)
    if sys.platform.startswith("linux"):
        report.timed("portable tar.gz", lambda: tarball(folder, args.fast))
        if shutil.which("dpkg-deb"):
            report.timed(".deb", lambda: deb(folder, args.fast))
    elif sys.platform == "win32":
        report.timed("portable zip", lambda: portable_zip(folder, args.fast))
        report.timed("NSIS installer", lambda: nsis_installer(folder, args.fast))
    elif sys.platform == "darwin":
        report.timed(".dmg", lambda: macos_dmg(args.fast))
    if not args.no_smoke:
        smoke_all(folder, report)
    report.write()
    built = [row.path for row in report.rows if row.path]
    print(f"build passed: {', '.join(built)}{'' if args.no_smoke else ', each smoke-tested'}")


if __name__ == "__main__":
    main()

"""The Windows installer's script, built here and run under Wine: install, upgrade in place, uninstall.

    .venv/bin/python packaging/wine_check.py [FOLDER]

PyInstaller cannot build Windows executables on Linux, so the payload is a stand-in: the Linux bundle in
FOLDER (default ``dist/newsreader``). What is checked is the installer itself (``packaging/windows/
newsreader.nsi``, built by ``makensis`` with the same defines as on Windows, run silently with ``/S`` by
Debian's ``wine``): a per-user install without administrator rights puts every payload file in
%LOCALAPPDATA%\\Programs\\newsreader, a Start menu shortcut, and an Apps & Features entry (the HKCU
Uninstall key); installing again (an upgrade) replaces the program files and keeps the library in
%LOCALAPPDATA%\\newsreader; the uninstaller removes files, shortcut and key and keeps the library.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from build import DIST, ROOT, icons, nsis_installer

KEY = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\newsreader"


class Wine:
    """A new Wine prefix of its own, without display, Mono or Gecko prompts."""

    def __init__(self, prefix: Path) -> None:
        self.wine = shutil.which("wine") or shutil.which("wine64")
        if self.wine is None:
            raise SystemExit("wine_check: wine is not installed (apt-get install wine wine64)")
        shutil.rmtree(prefix, ignore_errors=True)
        prefix.mkdir(parents=True)
        self.env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        self.env.update(WINEPREFIX=str(prefix), WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml=")
        self.run("wineboot", "--init")
        users = [p for p in (prefix / "drive_c" / "users").iterdir() if p.name.lower() != "public"]
        self.home = users[0]

    def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        """Run a Windows program (or ``wineboot``) and wait until every Wine process has ended."""
        command = [argv[0], *argv[1:]] if argv[0] == "wineboot" else [str(self.wine), *argv]
        result = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=600, check=False)
        subprocess.run(["wineserver", "-w"], env=self.env, check=True, timeout=600)
        return result

    def key(self) -> dict[str, str]:
        """The Uninstall key's values, or {} when the key is absent."""
        result = self.run("reg", "query", KEY)
        values = {}
        for line in result.stdout.splitlines():
            parts = line.split(None, 2)
            if len(parts) == 3 and parts[1].startswith("REG_"):
                values[parts[0]] = parts[2].strip()
        return values if result.returncode == 0 else {}


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"wine_check FAILED: {what}")
    print(f"ok: {what}")


def main() -> None:
    payload = Path(sys.argv[1]) if len(sys.argv) > 1 else DIST / "newsreader"
    if not (payload / "_internal").is_dir():
        raise SystemExit(f"wine_check: {payload} is not a PyInstaller folder; run packaging/build.py first")
    work = ROOT / "build" / "wine"
    icons()
    installer = nsis_installer(payload, fast=True, target=work / "newsreader-standin-win64.exe")
    wine = Wine(work / "prefix")
    local = wine.home / "AppData" / "Local"
    installed = local / "Programs" / "newsreader"
    shortcut = wine.home / "AppData" / "Roaming" / "Microsoft" / "Windows" / "Start Menu" / "Programs"
    shortcut = shortcut / "newsreader.lnk"
    expected = sorted(p.relative_to(payload).as_posix() for p in payload.rglob("*") if p.is_file())

    result = wine.run(str(installer), "/S")
    check(result.returncode == 0, f"the installer exits 0 (got {result.returncode})")
    got = sorted(p.relative_to(installed).as_posix() for p in installed.rglob("*") if p.is_file())
    check(got == sorted([*expected, "uninstall.exe"]), f"all {len(expected)} payload files and the uninstaller")
    check(shortcut.is_file(), "the Start menu shortcut")
    key = wine.key()
    check(key.get("DisplayName") == "newsreader", "the Apps & Features entry (HKCU Uninstall key)")
    check(key.get("DisplayVersion") == installer_version(), "its version")
    check(key.get("UninstallString", "").endswith('uninstall.exe"'), "its uninstall command")

    library = local / "newsreader" / "library.sqlite3"
    library.parent.mkdir(parents=True)
    library.write_bytes(b"SQLite format 3\x00 the user's library")
    stale = installed / "_internal" / "left-by-the-old-version.so"
    stale.write_bytes(b"old")
    result = wine.run(str(installer), "/S")
    check(result.returncode == 0, "installing again (an upgrade in place) exits 0")
    check(not stale.exists() and (installed / "uninstall.exe").is_file(), "the upgrade replaced the program files")
    check(library.read_bytes().endswith(b"the user's library"), "the upgrade kept the library")

    uninstaller = "C:\\" + str((installed / "uninstall.exe").relative_to(wine.home.parent.parent)).replace("/", "\\")
    wine.run(uninstaller, "/S")
    check(not installed.exists(), "the uninstaller removed the program folder")
    check(not shortcut.exists(), "and the shortcut")
    check(not wine.key(), "and the Apps & Features entry")
    check(library.is_file(), "and kept the library")
    print(f"wine check passed: {installer.name} ({installer.stat().st_size / 2**20:.0f} MiB, uncompressed)")


def installer_version() -> str:
    sys.path.insert(0, str(ROOT / "src"))
    from newsreader import __version__

    return __version__


if __name__ == "__main__":
    main()

"""Build the wheel and sdist, install the wheel into a new, empty venv, and use it as a user would.

    .venv/bin/python packaging/check_wheel.py

Catches what an editable install hides: a data file the wheel lacks, an entry point that does not start.
The venv (``build/wheel-venv``) gets the wheel and its dependencies from the package index, nothing from
this checkout; then ``packaging/smoke.py`` runs its ``newsreader`` and ``newsreader-gui``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

from smoke import SmokeError, smoke

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"


def main() -> None:
    started = time.monotonic()
    out = ROOT / "build" / "python-dist"
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], check=True, capture_output=True)
    DIST.mkdir(exist_ok=True)
    wheel = Path(shutil.copy2(next(out.glob("*.whl")), DIST))
    sdist = Path(shutil.copy2(next(out.glob("*.tar.gz")), DIST))
    built = time.monotonic()
    target = ROOT / "build" / "wheel-venv"
    shutil.rmtree(target, ignore_errors=True)
    venv.create(target, with_pip=True)
    bin_dir = target / ("Scripts" if sys.platform == "win32" else "bin")
    python = bin_dir / ("python.exe" if sys.platform == "win32" else "python")
    subprocess.run([python, "-m", "pip", "install", "-q", str(wheel)], check=True)
    installed = time.monotonic()
    where = subprocess.run(
        [python, "-c", "import newsreader, pathlib; print(pathlib.Path(newsreader.__path__[0]).resolve())"],
        capture_output=True,
        text=True,
        check=True,
        cwd=target,
    ).stdout.strip()
    if not where.startswith(str(target.resolve())):
        sys.exit(f"check_wheel: the venv imports newsreader from {where}, not from the installed wheel")
    exe = ".exe" if sys.platform == "win32" else ""
    try:
        smoke([str(bin_dir / f"newsreader{exe}")], [str(bin_dir / f"newsreader-gui{exe}")])
    except SmokeError as exc:
        sys.exit(f"check_wheel: the installed wheel FAILED: {exc}")
    print(
        f"wheel {wheel.name} ({wheel.stat().st_size // 1024} KiB), sdist {sdist.name} "
        f"({sdist.stat().st_size // 1024} KiB): built in {built - started:.0f} s, installed into a new venv in "
        f"{installed - built:.0f} s, smoke-tested in {time.monotonic() - installed:.0f} s"
    )


if __name__ == "__main__":
    main()

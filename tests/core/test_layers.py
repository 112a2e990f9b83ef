"""The dependency arrows point one way: core and cli never import Qt, and reading stays light."""

import subprocess
import sys


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


def test_core_and_cli_do_not_import_qt() -> None:
    result = run_python(
        "import sys, newsreader.core, newsreader.core.update, newsreader.core.fetch, newsreader.cli.main;"
        "import newsreader.core.parse.normalize, newsreader.core.parse.universal;"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'PyQt', 'newsreader.app'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_reading_commands_do_not_import_the_network_or_parsers() -> None:
    result = run_python(
        "import sys, tempfile; from newsreader.cli.main import main;"
        "main(['--data-dir', tempfile.mkdtemp(), 'stories']);"
        "heavy = [m for m in ('requests', 'feedparser', 'lxml') if m in sys.modules];"
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_window_shows_without_loading_the_page_analyser() -> None:
    """The first paint waits for every module the window imports; the analyser (trafilatura and the
    page-splitting rules) is needed only once a page is analysed."""
    result = run_python(
        "import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen';"
        "import newsreader.app.application;"
        "heavy = [m for m in ('newsreader.core.pages.analyze', 'trafilatura') if m in sys.modules];"
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    assert result.returncode == 0, result.stdout + result.stderr

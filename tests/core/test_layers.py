"""The dependency arrows point one way: core and cli never import Qt."""

import subprocess
import sys


def test_core_and_cli_do_not_import_qt() -> None:
    code = (
        "import sys, newsreader.core, newsreader.core.update, newsreader.core.fetch, newsreader.cli.main;"
        "import newsreader.core.parse.normalize, newsreader.core.parse.universal;"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'PyQt', 'newsreader.app'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_reading_commands_do_not_import_the_network_or_parsers() -> None:
    code = (
        "import sys; from newsreader.cli.main import main;"
        "import tempfile; d = tempfile.mkdtemp();"
        "main(['--data-dir', d, 'stories']);"
        "heavy = [m for m in ('requests', 'feedparser', 'lxml') if m in sys.modules];"
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr

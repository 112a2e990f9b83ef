"""Fixtures shared by every test: a loopback HTTP server, a library in a temp dir, the shared corpus."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsreader.core.library import Library, open_library
from tests.support.httpserver import FeedServer

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NEWSREADER_SHARED", REPO.parent / "shared"))
"""The shared folder (seed, corpus, cases): ``$NEWSREADER_SHARED``, else ``../shared`` beside the checkout."""


def pytest_report_header() -> str:
    """Say where the shared folder is, and loudly when it is absent (its tests then skip)."""
    if SHARED.is_dir():
        return f"shared folder: {SHARED}"
    return f"shared folder: {SHARED} is ABSENT: the seed and corpus tests will skip (set NEWSREADER_SHARED)"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    srv = FeedServer()
    yield srv
    srv.close()


@pytest.fixture
def keyring_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Route the keyring to a test backend (in this process and in CLI subprocesses)."""
    import keyring

    from tests.support.memory_keyring import FileKeyring

    path = tmp_path / "keyring.json"
    monkeypatch.setenv("NEWSREADER_TEST_KEYRING", str(path))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.support.memory_keyring.FileKeyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    yield path
    keyring.set_keyring(previous)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = open_library(tmp_path / "data", parse_processes=0)
    yield lib
    lib.close()


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when the shared folder is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


def cli_env(data_dir: Path) -> dict[str, str]:
    """Environment for running the real ``newsreader`` process in tests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSREADER_DATA")}
    env["NEWSREADER_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(REPO / "src"), env.get("PYTHONPATH", "")])
    env["PYTHONWARNINGS"] = "ignore"
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)  # no window can open by accident: the app says so and exits
    return env


PYTHON = sys.executable

"""Where the library, cache and logs live: command line, environment, portable mode, platform folders."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from newsreader.core import paths

Freeze = Callable[[Path], None]


@pytest.fixture
def frozen_at(monkeypatch: pytest.MonkeyPatch) -> Freeze:
    """Pretend to be a frozen program whose executable is the given path (no environment override)."""
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)

    def freeze(executable: Path) -> None:
        monkeypatch.setattr(sys, "frozen", True, raising=False)
        monkeypatch.setattr(sys, "executable", str(executable))

    return freeze


def test_a_portable_marker_keeps_library_cache_and_logs_beside_the_executable(
    tmp_path: Path, frozen_at: Freeze
) -> None:
    stick = tmp_path / "stick" / "newsreader"
    stick.mkdir(parents=True)
    (stick / "portable").touch()
    frozen_at(stick / "newsreader.exe")
    assert paths.portable_root() == stick.resolve()
    assert paths.data_dir() == stick.resolve() / "data"
    assert paths.database_path() == stick.resolve() / "data" / "library.sqlite3"
    assert paths.cache_dir() == stick.resolve() / "data" / "cache"
    assert paths.log_dir() == stick.resolve() / "data" / "logs"


def test_without_the_marker_the_platform_folders_are_used(tmp_path: Path, frozen_at: Freeze) -> None:
    (tmp_path / "newsreader").mkdir()
    frozen_at(tmp_path / "newsreader" / "newsreader")
    assert paths.portable_root() is None
    assert not paths.data_dir().is_relative_to(tmp_path)
    assert not paths.cache_dir().is_relative_to(tmp_path)
    assert not paths.log_dir().is_relative_to(tmp_path)


def test_a_folder_named_portable_is_not_the_marker(tmp_path: Path, frozen_at: Freeze) -> None:
    (tmp_path / "portable").mkdir()
    frozen_at(tmp_path / "newsreader")
    assert paths.portable_root() is None


def test_a_macos_app_is_portable_with_the_marker_beside_the_bundle(tmp_path: Path, frozen_at: Freeze) -> None:
    macos = tmp_path / "newsreader.app" / "Contents" / "MacOS"
    macos.mkdir(parents=True)
    (tmp_path / "portable").touch()
    frozen_at(macos / "newsreader-gui")
    assert paths.data_dir() == tmp_path.resolve() / "data"


def test_the_command_line_and_environment_win_over_portable_mode(
    tmp_path: Path,
    frozen_at: Freeze,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "portable").touch()
    frozen_at(tmp_path / "newsreader")
    assert paths.data_dir(tmp_path / "given") == tmp_path / "given"
    assert paths.cache_dir(tmp_path / "given") == tmp_path / "given" / "cache"
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "env"))
    assert paths.log_dir() == tmp_path / "env" / "logs"


def test_python_itself_is_never_portable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "portable").touch()
    monkeypatch.setattr(sys, "frozen", False, raising=False)
    assert paths.portable_root(tmp_path / "python") is None
    assert paths.portable_root(tmp_path / "python", frozen=True) == tmp_path.resolve()

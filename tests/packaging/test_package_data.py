"""The wheel and sdist carry every file the code reads at run time, and a missing one is one sentence.

The files are found, not listed: every ``read_text(package, name)`` call in the source (the one way the
code opens its own data files) is resolved from the syntax tree and looked up in the built archives.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from newsreader.core.errors import MissingDataError
from newsreader.core.package_data import read_text

REPO = Path(__file__).resolve().parent.parent.parent
PACKAGE = REPO / "src" / "newsreader"


def data_files_the_code_reads() -> set[str]:
    """``newsreader/…`` paths named by ``read_text(package, name)`` calls, constants resolved."""
    found: set[str] = set()
    for source in PACKAGE.rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "read_text":
                parts = []
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        parts.append(arg.value)
                    elif isinstance(arg, ast.Name) and arg.id in constants:
                        parts.append(constants[arg.id])
                    else:
                        pytest.fail(f"{source}: read_text({ast.unparse(node)}) names its file indirectly")
                package, name = parts
                found.add(f"{package.replace('.', '/')}/{name}")
    return found


def package_files() -> set[str]:
    """Every file under src/newsreader that is not Python source or bytecode, as ``newsreader/…``."""
    return {
        p.relative_to(PACKAGE.parent).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[set[str], set[str]]:
    """The file names in the wheel and in the sdist (sdist names without their ``newsreader-V/src/`` prefix)."""
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
        cwd=out,  # not the checkout: its build/ folder (packaging output) would shadow the build module
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with zipfile.ZipFile(next(out.glob("*.whl"))) as wheel:
        in_wheel = set(wheel.namelist())
    with tarfile.open(next(out.glob("*.tar.gz"))) as sdist:
        in_sdist = {name.split("/src/", 1)[1] for name in sdist.getnames() if "/src/" in name}
    return in_wheel, in_sdist


def test_the_code_reads_its_data_through_one_helper() -> None:
    named = data_files_the_code_reads()
    assert "newsreader/core/classify/default_rules.json" in named
    assert "newsreader/core/pages/default_filters.txt" in named
    for path in named:
        assert (PACKAGE.parent / path).is_file(), f"the code reads {path}, which does not exist"
    for source in PACKAGE.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        if source.name != "package_data.py":
            assert "importlib import resources" not in text and "__file__" not in text, (
                f"{source.relative_to(REPO)} opens package files itself: use newsreader.core.package_data.read_text"
            )


def test_wheel_and_sdist_carry_every_data_file(built: tuple[set[str], set[str]]) -> None:
    in_wheel, in_sdist = built
    needed = data_files_the_code_reads() | package_files()
    assert not needed - in_wheel, f"missing from the wheel: {sorted(needed - in_wheel)}"
    assert not needed - in_sdist, f"missing from the sdist: {sorted(needed - in_sdist)}"
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in in_wheel | in_sdist)


def test_a_missing_data_file_raises_one_sentence() -> None:
    with pytest.raises(MissingDataError, match=r"^newsreader is installed incompletely: its data file "):
        read_text("newsreader.core.classify", "no-such-file.json")


@pytest.mark.parametrize(
    ("removed", "command"),
    [
        ("core/classify/default_rules.json", "classify"),
        ("core/pages/default_filters.txt", "page"),
    ],
)
def test_the_cli_names_a_missing_data_file_without_a_traceback(tmp_path: Path, removed: str, command: str) -> None:
    """A broken install (here: a copy of the package without one data file) stops with one sentence."""
    shutil.copytree(PACKAGE, tmp_path / "site" / "newsreader", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "site" / "newsreader" / removed).unlink()
    words = " ".join(["The story goes on."] * 60)
    document = tmp_path / "input"
    document.write_text(
        '<rss version="2.0"><channel><title>T</title><item><title>Sponsored: a deal</title><guid>1</guid>'
        "</item></channel></rss>"
        if command == "classify"
        else f"<html><body><article><h1>Title</h1><p>{words}</p></article></body></html>"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from newsreader.cli.main import main; sys.exit(main())",
            command,
            str(document),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(tmp_path / "site"), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"newsreader: newsreader is installed incompletely: its data file newsreader/{removed} is missing or "
        "unreadable; reinstall newsreader."
    ]

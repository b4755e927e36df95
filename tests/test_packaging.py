"""An IT officer installs the bot the way a container image does (`pip install .`, no editable
install), then asks it a question from another directory: the answer must come back whole.

The wheel is built from a copy of the tree, offline (`--no-build-isolation`, the running
environment's setuptools), and installed with `--target` into a folder that becomes the only
place `bot` can be imported from; dependencies come from the running environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "knowledge")
# Settings that would point the installed bot back at this checkout or at Telegram.
SETTINGS = ("ENV_FILE", "DATA_DIR", "DATABASE_PATH", "KNOWLEDGE_DIR", "PYTHONPATH", "TZ")


def _pip(*args: str, cwd: Path) -> None:
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INDEX="1")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the wheel, the folder it was installed into)."""
    root = tmp_path_factory.mktemp("packaging")
    src = root / "src"
    shutil.copytree(
        PROJECT,
        src,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "data",
            "build",
            "dist",
            "*.egg-info",
            "__pycache__",
            ".*_cache",
            ".env",
        ),
    )
    _pip(
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        str(root / "dist"),
        str(src),
        cwd=root,
    )
    (wheel,) = (root / "dist").glob("*.whl")
    _pip("install", "--no-deps", "-q", "--target", str(root / "site"), str(wheel), cwd=root)
    return wheel, root / "site"


def _run(args: list[str], site: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {
        k: v for k, v in os.environ.items() if k not in SETTINGS and not k.startswith("TELEGRAM_")
    }
    env.update(PYTHONPATH=str(site), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        args,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_the_wheel_carries_every_file_the_bot_reads_at_run_time(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    data_files = {
        path.relative_to(PROJECT).as_posix()
        for package in PACKAGES
        for path in (PROJECT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert data_files - names == set()
    assert any(name.endswith("labels.yaml") for name in names)
    assert any(name.startswith("knowledge/entries/") for name in names)
    assert not any(name.startswith("tests/") for name in names)


def test_an_installed_bot_answers_a_question_asked_from_another_directory(installed, tmp_path):
    _, site = installed
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run([sys.executable, "-c", "import bot; print(bot.__file__)"], site, elsewhere)
    assert where.stdout.strip().startswith(str(site)), where.stdout + where.stderr

    proc = _run(
        [sys.executable, "-m", "bot", "ask", "Bolehkah PNS jadi pengurus partai politik?"],
        site,
        elsewhere,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    # The verdict and the rule it rests on, rendered from the packaged templates.
    assert "Dilarang" in proc.stdout and "<b>" not in proc.stdout
    # With no .env, an installed bot keeps its data in ./data of the directory it runs in.
    assert (elsewhere / "data" / "bot.db").is_file()


def test_the_console_script_runs_from_the_installed_package(installed, tmp_path):
    _, site = installed
    script = site / "bin" / "netralitas-bot"
    assert script.is_file()
    proc = _run([sys.executable, str(script), "kb", "validate"], site, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok: ") and "entries" in proc.stdout

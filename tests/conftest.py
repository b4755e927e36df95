"""Shared fixtures: the real knowledge base, a core on a temporary database, no local settings."""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import fields
from pathlib import Path

import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core import Core

PROJECT = Path(__file__).resolve().parent.parent
# The environment variables `Settings.load` reads (TELEGRAM_RATE_LIMIT is under the prefix).
SETTINGS_VARIABLES = {f.name.upper() for f in fields(Settings)}


@pytest.fixture(autouse=True)
def _no_local_configuration(tmp_path, monkeypatch) -> None:
    """Every test runs in an empty folder without the maintainer's settings.

    `Settings.load` reads `.env` from the working directory and the process environment; the
    README has maintainers create a `.env` with a real token in the project root, which would
    make the CLI (in-process or a `bot.py` subprocess) try to reach Telegram.
    """
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name in SETTINGS_VARIABLES or name.startswith("TELEGRAM_"):
            monkeypatch.delenv(name)


def copy_database(source: Path, target: Path) -> Path:
    """Copy the SQLite database `source` to `target` (a consistent copy: SQLite's backup)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    # The matcher model built beside it (a bot started on the copy then need not train).
    if (source.parent / "models").is_dir():
        shutil.copytree(source.parent / "models", target.parent / "models", dirs_exist_ok=True)
    return target


@pytest.fixture(scope="session")
def built_database(tmp_path_factory) -> Path:
    """A database with the project's knowledge base compiled in, built once per session by
    `Core.open` on an empty file (so the first build from the files stays covered).

    Parsing and compiling the YAML files is most of what opening a new database costs; tests
    start from a copy of this one instead (`database`), and the bot then finds it up to date.
    """
    path = tmp_path_factory.mktemp("built") / "bot.db"
    Core.open(Settings(database_path=path)).db.close()
    return path


@pytest.fixture(autouse=True)
def _prebuilt_matcher_model(_no_local_configuration, built_database, monkeypatch) -> None:
    """A bot started as a process (`python bot.py`, CLI stories) finds the matcher model built
    once for the session instead of training its own: MODEL_DIR points at it."""
    monkeypatch.setenv("MODEL_DIR", str(built_database.parent / "models"))


@pytest.fixture
def database(built_database, tmp_path) -> Path:
    """This test's own database, `tmp_path / "bot.db"`, with the knowledge base compiled in."""
    return copy_database(built_database, tmp_path / "bot.db")


@pytest.fixture(scope="session")
def shared_core(built_database, tmp_path_factory) -> Core:
    """One core over the project's knowledge base, for read-only answering tests."""
    db = copy_database(built_database, tmp_path_factory.mktemp("core") / "bot.db")
    return Core.open(Settings(database_path=db))


@pytest.fixture
def core(database) -> Core:
    """A fresh core with its own database, for tests that write."""
    return Core.open(Settings(database_path=database))


@pytest.fixture
def kb_copy(tmp_path) -> Path:
    """A writable copy of the knowledge folder, for tests that break it on purpose."""
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target

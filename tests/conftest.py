"""Shared fixtures: the real knowledge base, a core on a temporary database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core import Core

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared_core(tmp_path_factory) -> Core:
    """One core over the project's knowledge base, for read-only answering tests."""
    db = tmp_path_factory.mktemp("core") / "bot.db"
    return Core.open(Settings(database_path=db))


@pytest.fixture
def core(tmp_path) -> Core:
    """A fresh core with its own database, for tests that write."""
    return Core.open(Settings(database_path=tmp_path / "bot.db"))


@pytest.fixture
def kb_copy(tmp_path) -> Path:
    """A writable copy of the knowledge folder, for tests that break it on purpose."""
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target

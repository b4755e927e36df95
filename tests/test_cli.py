"""The command line: the JSON contract scorers rely on, and the console chat over stdin."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_database

BOT_PY = Path(__file__).resolve().parent.parent / "bot.py"


@pytest.fixture(autouse=True)
def _cli_db(built_database, tmp_path) -> None:
    """The CLI finds its database with the knowledge base already compiled, as after a first
    run, instead of compiling it in every subprocess."""
    copy_database(built_database, tmp_path / "cli.db")


def _run(args: list[str], tmp_path: Path, stdin: str = "") -> subprocess.CompletedProcess:
    """`python bot.py args` in `tmp_path`, so no `.env` of the project root is read."""
    env = {**os.environ, "DATABASE_PATH": str(tmp_path / "cli.db")}
    return subprocess.run(
        [sys.executable, str(BOT_PY), *args],
        cwd=tmp_path,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_ask_json_gives_one_object_per_question_with_the_contract_fields(tmp_path):
    stdin = "boleh share postingan paslon di grup WA kantor?\nresep soto ayam\n\n"
    proc = _run(["ask", "--json"], tmp_path, stdin)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == 2
    answered, declined = lines
    assert set(answered) == {"question", "band", "topic", "id", "score", "reply", "candidates"}
    assert answered["band"] == "answer" and answered["topic"] == "media-sosial"
    assert answered["candidates"][0]["id"] == answered["id"]
    assert 0 <= answered["score"] <= 100
    assert declined["band"] == "decline"
    assert declined["topic"] is None and declined["id"] is None
    assert len(declined["candidates"]) <= 3


def test_ask_with_arguments_prints_plain_text(tmp_path):
    proc = _run(["ask", "Bolehkah PNS jadi pengurus partai politik?"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Dilarang" in proc.stdout and "<b>" not in proc.stdout


def test_console_chat_answers_and_follows_numbered_buttons(tmp_path):
    stdin = "boleh pakai kaos partai pas kampanye?\n1\n/topik\n/keluar\n"
    proc = _run(["chat"], tmp_path, stdin)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Atribut" in out or "atribut" in out
    assert "Dasar hukum" in out  # option [1] of the answer opened the legal basis
    assert "Topik netralitas ASN" in out


def test_bare_bot_py_without_token_at_a_terminal_starts_the_console_chat(tmp_path):
    # A person at a terminal (stdin is a tty) gets the console; without one, see
    # tests/test_startup_failures.py: a service manager must see a failure instead.
    keyboard, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env["DATABASE_PATH"] = str(tmp_path / "cli.db")
    proc = subprocess.Popen(
        [sys.executable, str(BOT_PY)],
        cwd=tmp_path,
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    os.close(terminal)
    try:
        os.write(keyboard, b"boleh nyoblos?\n/keluar\n")
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(keyboard)
    assert proc.returncode == 0, err
    assert "No TELEGRAM_BOT_TOKEN" in out.splitlines()[0]
    assert "asisten Netralitas ASN" in out
    assert "Boleh" in out  # the answer to the question typed


def test_kb_commands_validate_stats_and_export(tmp_path):
    assert "ok:" in _run(["kb", "validate"], tmp_path).stdout
    stats = _run(["kb", "stats"], tmp_path).stdout
    assert "media-sosial" in stats and "total:" in stats
    tsv = _run(["kb", "export", "--format", "tsv"], tmp_path).stdout.splitlines()
    assert tsv[0].startswith("id\ttopic\tverdict")
    exported = _run(["kb", "export", "--to", str(tmp_path / "out")], tmp_path)
    assert (tmp_path / "out" / "entries" / "sanksi.yaml").is_file(), exported.stderr

"""`python bot.py` as a process of its own, reporting each handled update to the fake server.

Each bot is a child of a fork server that has already imported what `bot.py` imports (Python,
python-telegram-bot, the bot's modules: most of a start-up's CPU time). The child then does
everything `python bot.py args` does: it takes the given environment and working folder, runs
`bot.py` as `__main__`, opens the database, builds and runs the Application; a SIGKILL kills
exactly that process. The only addition: `handlers.app.build_application` is wrapped so the
Application reports handled updates and crashes through the fake server's harness methods
(`tests.telegram.reporting`), and tests wait for exactly the update they sent.
"""

from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.forkserver
import os
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio._backends._asyncio  # noqa: F401 - what httpx imports lazily, for the fork server
import httpcore  # noqa: F401

import handlers.app
from bot import cli  # noqa: F401 - what bot.py imports, for the fork server
from bot.answering.training_data import examples, normalizer_for, read_extra
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.kb.model import load_directory
from tests.telegram.reporting import report_handling, report_over_the_api

PROJECT = Path(__file__).resolve().parents[2]
BOT_PY = PROJECT / "bot.py"
_FORKS = multiprocessing.get_context("forkserver")
_FORKS.set_forkserver_preload([__name__])
# Stemming the knowledge base's words (Sastrawi, memoised per process by `stem`) is most of a
# start-up after the imports; done once here, every bot forked later finds it memoised. (The
# matcher model itself comes with the test's database: tests/conftest.py copies it along.)
_KB = load_directory(DEFAULT_KNOWLEDGE_DIR)
_NORMALIZER = normalizer_for(_KB)
for _text in examples(_KB, read_extra(DEFAULT_KNOWLEDGE_DIR)).texts:
    _NORMALIZER.tokens(_text)


class BotProcess:
    """A running bot process: what the stories use of `subprocess.Popen`."""

    def __init__(self, process: multiprocessing.process.BaseProcess) -> None:
        self._process = process

    @property
    def pid(self) -> int:
        """The process id."""
        return self._process.pid or 0

    @property
    def returncode(self) -> int | None:
        """The exit code, minus the signal number if a signal ended it; None while running."""
        return self._process.exitcode

    def send_signal(self, sig: int) -> None:
        """Send `sig` to the process."""
        os.kill(self.pid, sig)

    def terminate(self) -> None:
        """SIGTERM: the bot stops gracefully."""
        self._process.terminate()

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the process to end; its return code."""
        self._process.join(timeout)
        if self._process.exitcode is None:
            raise subprocess.TimeoutExpired(str(BOT_PY), timeout or 0)
        return self._process.exitcode


def _start_fork_server() -> None:
    """Start the fork server (once) able to import the project: Python 3.11's does not take
    the parent's sys.path, only its environment."""
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT), before) if p)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before


def start_bot_process(
    api: Any, db: Path, *args: str, log: Path | None = None, **env: str
) -> BotProcess:
    """Start `python bot.py args` against the fake server `api` with database `db`, in the
    database's folder (so no `.env` of the project is read); stderr is appended to `log`
    (default: `bot.log` beside the database). `env` adds environment variables."""
    environ = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.url,
        "DATABASE_PATH": str(db),
        "TELEGRAM_RATE_LIMIT": "0",
        "BENCHMARK": "1",  # the fake server has no flood limit: the limiter is off on purpose
        **env,
    }
    api.expect_reports()
    _start_fork_server()
    log = log or db.parent / "bot.log"
    process = _FORKS.Process(target=_run, args=(list(args), environ, db.parent, log), daemon=True)
    process.start()
    return BotProcess(process)


def _run(args: list[str], environ: dict[str, str], cwd: Path, log: Path) -> None:
    """In the child: become `python bot.py args` (environment, folder, stdout, stderr)."""
    os.environ.clear()
    os.environ.update(environ)
    os.chdir(cwd)
    with open(log, "ab") as err, open(os.devnull, "wb") as out:
        os.dup2(err.fileno(), 2)
        os.dup2(out.fileno(), 1)
    sys.path.insert(0, str(PROJECT))  # as `python bot.py` has it
    build = handlers.app.build_application

    @functools.wraps(build)
    def build_reporting(*a: Any, **kw: Any):
        app = build(*a, **kw)
        report_handling(app, functools.partial(report_over_the_api, app))
        return app

    handlers.app.build_application = build_reporting
    sys.argv = [str(BOT_PY), *args]
    runpy.run_path(str(BOT_PY), run_name="__main__")

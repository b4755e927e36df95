"""The real `python bot.py` as a process, reporting each handled update to the fake server.

`start_bot_process` runs this file, which runs `bot.py` unchanged (same arguments, same
`__main__`) after wrapping `handlers.app.build_application` so the Application it builds
reports handled updates and crashes through the fake server's harness methods
(`tests.telegram.reporting`). Tests then wait for exactly the update they sent.
"""

from __future__ import annotations

import functools
import os
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[2]
BOT_PY = PROJECT / "bot.py"


def start_bot_process(
    api: Any, db: Path, *args: str, log: Path | None = None, **env: str
) -> subprocess.Popen:
    """Start `python bot.py args` against the fake server `api` with database `db`, in the
    database's folder (so no `.env` of the project is read); stderr is appended to `log`
    (default: `bot.log` beside the database). `env` adds environment variables."""
    environ = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.url,
        "DATABASE_PATH": str(db),
        "TELEGRAM_RATE_LIMIT": "0",
        **env,
    }
    api.expect_reports()
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), *args],
        cwd=db.parent,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=(log or db.parent / "bot.log").open("a"),
        text=True,
    )


def _main() -> None:
    sys.path[0] = str(PROJECT)  # as if `python bot.py` had been run
    import handlers.app
    from tests.telegram.reporting import report_handling, report_over_the_api

    build = handlers.app.build_application

    @functools.wraps(build)
    def build_reporting(*args: Any, **kwargs: Any):
        app = build(*args, **kwargs)
        report_handling(app, functools.partial(report_over_the_api, app))
        return app

    handlers.app.build_application = build_reporting
    sys.argv[0] = str(BOT_PY)
    runpy.run_path(str(BOT_PY), run_name="__main__")


if __name__ == "__main__":
    _main()

"""Error notices for the admin chat: one per kind of error per window, with a count.

A bug hit by every user, or a stranger sending forged updates on purpose, must not flood the
admin chat. Each kind (exception type and the project function it came from) is posted at most
once per window; the next notice after a quiet spell says how many were held back meanwhile.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

WINDOW_SECONDS = 600.0
_PROJECT = Path(__file__).resolve().parent.parent
_CODE = ("bot", "handlers")  # where a bug of ours can be; tests and libraries are not named


@dataclass
class _Kind:
    posted_at: float
    held: int = 0


class NoticeThrottle:
    """Decides which error notices reach the admin chat."""

    def __init__(
        self, window: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window, self.clock = window, clock
        self._kinds: dict[str, _Kind] = {}

    def admit(self, kind: str) -> int | None:
        """None to stay silent, else how many errors of this kind the notice stands for."""
        now = self.clock()
        seen = self._kinds.get(kind)
        if seen is not None and now - seen.posted_at < self.window:
            seen.held += 1
            return None
        self._kinds[kind] = _Kind(posted_at=now)
        return 1 + (seen.held if seen else 0)


def error_kind(error: BaseException) -> str:
    """`TypeError in handlers/tips.py:on_button`: the type and the deepest project frame."""
    where = ""
    for frame in traceback.extract_tb(error.__traceback__):
        path = Path(frame.filename)
        if path.is_relative_to(_PROJECT) and path.relative_to(_PROJECT).parts[0] in _CODE:
            where = f"{path.relative_to(_PROJECT).as_posix()}:{frame.name}"
    return f"{type(error).__name__} in {where}" if where else type(error).__name__

"""What an id may look like: ids ride in button data (64 bytes) and deep links (/start payloads
allow letters, digits, '_' and '-'), so they are lowercase words of letters and digits joined
by single dashes, and short enough for the widest action that carries them."""

from __future__ import annotations

import re

from bot.ui import actions

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_ENTRY_ID = actions.room_for("entry")
# Topics and report categories ride in the same places (topic:, lapor:, rp:cat:, deep links).
MAX_TOPIC_ID = min(actions.room_for("topic"), actions.room_for("category"))


def id_problem(value: str, limit: int | None = None) -> str:
    """Why `value` cannot be an id ('' when it can); `limit` is its longest length."""
    if not value:
        return "missing field 'id'"
    if not ID_PATTERN.match(value):
        return (
            f"id {value!r} may hold only lowercase letters, digits and single dashes "
            "between them (no spaces, dots or colons)"
        )
    if limit is not None and len(value) > limit:
        return (
            f"id {value!r} has {len(value)} characters, at most {limit}: it rides in the "
            "buttons' data, which Telegram limits to 64 bytes"
        )
    return ""

"""What an operator's log may hold: ids of updates and handler names, never users or secrets."""

from __future__ import annotations

import logging

import pytest
from telegram import Update

from bot.logsafe import Redactor, redact

TOKEN = "7312345678:AAHk3xQ9_vZpL0mN4rT8sW2yB6cD1eF5gJ7"
USER = {"id": 987654321, "is_bot": False, "first_name": "Wahyuningsih", "username": "saksi_rr"}
TEXT = "Sekdes Sukamaju membagikan kupon berlogo partai kepada guru honorer saat apel."
UPDATE = {
    "update_id": 700123456,
    "message": {
        "message_id": 42,
        "date": 1700000000,
        "chat": {"id": 987654321, "type": "private", "first_name": "Wahyuningsih"},
        "from": USER,
        "text": TEXT,
    },
}
SECRETS = ("987654321", "Wahyuningsih", "saksi_rr", "Sukamaju", TOKEN, TOKEN.split(":")[1])


def logged(msg, *args, exc_info=None, name="telegram.ext.Application") -> str:
    """The line a formatter writes for this record, after redaction."""
    record = logging.LogRecord(name, logging.DEBUG, __file__, 1, msg, args, exc_info)
    redact(record, Redactor([TOKEN]))
    return logging.Formatter("%(message)s").format(record)


def assert_clean(line: str) -> None:
    for secret in SECRETS:
        assert secret not in line, (secret, line)


def test_a_whole_update_is_logged_as_its_id_and_kind():
    update = Update.de_json(UPDATE, None)
    line = logged("Processing update %s", update)
    assert line == "Processing update <Update 700123456 message>"


def test_api_parameters_and_results_keep_their_keys_not_their_values():
    params = {"chat_id": 987654321, "text": TEXT, "parse_mode": "HTML", "message_id": 42}
    line = logged("Calling Bot API endpoint `%s` with parameters `%s`", "sendMessage", params)
    assert_clean(line)
    assert "sendMessage" in line and "'HTML'" in line and "message_id: 42" in line
    line = logged("Call to Bot API endpoint `%s` finished with return value `%s`", "x", [UPDATE])
    assert_clean(line)
    assert "update_id: 700123456" in line and "text: <78 chars>" in line


def test_the_token_is_withheld_in_urls_and_in_the_librarys_own_error_message():
    url = f"https://api.telegram.org/bot{TOKEN}/getMe"
    assert_clean(logged('HTTP Request: POST %s "HTTP/1.1 200 OK"', url, name="httpx"))
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError as exc:
        line = logged("start failed", exc_info=(type(exc), exc, exc.__traceback__))
    assert_clean(line)
    assert "rejected by the server" in line and "Traceback" in line
    # Any other bot's token too, and a secret half alone.
    assert "<token>" in logged("x %s", "123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi")


def test_a_users_text_in_an_exception_or_a_repr_is_withheld():
    try:
        int(TEXT)
    except ValueError as exc:
        line = logged("update %s failed", 12, exc_info=(type(exc), exc, exc.__traceback__))
    assert_clean(line)
    assert line.startswith("update 12 failed") and "ValueError" in line
    assert_clean(logged("user %s", "User(first_name='Wahyuningsih', id=987654321)"))
    # (Text put into the message itself by an f-string cannot be told from the library's own
    # words: ruff's G rules forbid formatting log messages in this project's code.)
    assert_clean(logged(f"a message with {USER}"))


def test_ids_are_withheld_but_update_ids_and_small_numbers_stay():
    assert logged("update %s failed", 700123456) == "update 700123456 failed"
    assert logged("Getting updates: %s", [700123456, 700123457]).endswith("700123457]")
    assert "987654321" not in logged("chat %s and update %s", 987654321, 700123456)
    assert logged("took %.1f ms for %d items", 12.5, 3) == "took 12.5 ms for 3 items"
    assert "<hash>" in logged("conversation %s", "('" + "ab" * 32 + "',)")


@pytest.mark.parametrize("level", [logging.DEBUG, logging.INFO, logging.ERROR])
def test_every_level_is_redacted(level):
    record = logging.LogRecord("x", level, __file__, 1, "%s", (UPDATE,), None)
    redact(record, Redactor([TOKEN]))
    assert_clean(record.getMessage())


def test_what_a_user_sent_is_withheld_wherever_it_turns_up():
    redactor = Redactor([TOKEN])
    redactor.remember([987654321, "Wahyuningsih", TEXT, "saksi_rr"])
    args = ("saksi_rr", TEXT)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "from %s: %s", args, None)
    assert redact(record, redactor).getMessage() == "from <user>: <user>"
    try:
        int(TEXT)
    except ValueError as exc:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "%s", (str(exc),), None)
    assert_clean(redact(record, redactor).getMessage())
    # Diagnostics stay readable: the admin chat of the configuration, a port, a reason.
    redactor.public.add(-1001234567890)
    text = "admin chat -1001234567890 at 127.0.0.1:45313 unreachable (Chat not found)"
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, text, None, None)
    assert redact(record, redactor).getMessage() == text

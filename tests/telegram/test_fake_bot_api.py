"""End-to-end tests of FakeBotApi driven by a real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import html
import json
import urllib.error
import urllib.request
from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.telegram.fake_bot_api import Call, FakeBotApi, parse_html


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Ya", callback_data="yes"),
                InlineKeyboardButton("Tidak", callback_data="no"),
            ],
            [InlineKeyboardButton("Situs", url="https://example.org")],
        ]
    )
    await update.effective_message.reply_text(
        f"<b>Echo:</b> {html.escape(update.effective_message.text)}",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
        do_quote=True,
    )


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"Halo! args={context.args}")


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(f"Dipilih: {query.data}")
    await query.edit_message_text(f"Pilihan: <i>{query.data}</i>", parse_mode=ParseMode.HTML)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
async def app(api: FakeBotApi) -> AsyncIterator[Application]:
    application = (
        ApplicationBuilder()
        .token(api.token)
        .base_url(f"{api.url}/bot")
        .base_file_url(f"{api.url}/file/bot")
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    application.add_handler(CallbackQueryHandler(_button))
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        yield application
        await application.updater.stop()
        await application.stop()


async def test_echo_reply_with_keyboard(api: FakeBotApi, app: Application) -> None:
    user = api.user(id=42, first_name="Siti", username="siti")
    api.inject_message("halo & <dunia>", user=user)
    (call,) = await api.wait_for("sendMessage")
    assert call.params["chat_id"] == 42
    assert call.params["text"] == "<b>Echo:</b> halo &amp; &lt;dunia&gt;"
    assert call.text == "Echo: halo & <dunia>"
    assert call.result["entities"] == [{"type": "bold", "offset": 0, "length": 5}]
    assert call.result["from"]["username"] == "netralitas_test_bot"
    assert call.result["reply_to_message"]["text"] == "halo & <dunia>"
    assert api.sent_texts(42) == ["Echo: halo & <dunia>"]
    assert api.last_reply(42) is call
    assert api.buttons(call) == [("Ya", "yes"), ("Tidak", "no"), ("Situs", "https://example.org")]
    assert api.errors == []


async def test_command_and_callback(api: FakeBotApi, app: Application) -> None:
    api.inject_command("/start topik1")
    (start,) = await api.wait_for("sendMessage")
    assert start.text == "Halo! args=['topik1']"
    api.inject_message("tanya")
    echo = (await api.wait_for("sendMessage", count=2))[-1]
    api.inject_callback("yes", message=echo)
    (answer,) = await api.wait_for("answerCallbackQuery")
    assert answer.params["text"] == "Dipilih: yes"
    (edit,) = await api.wait_for("editMessageText")
    assert edit.result["message_id"] == echo.result["message_id"]
    assert edit.text == "Pilihan: yes" and "reply_markup" not in edit.result
    assert api.sent_texts(1001)[-1] == "Pilihan: yes"
    assert api.errors == []


async def test_offset_confirms_updates(api: FakeBotApi, app: Application) -> None:
    first = api.inject_message("satu")
    await api.wait_for("sendMessage")
    api.inject_message("dua")
    await api.wait_for("sendMessage", count=2)
    await api.wait_fetched()  # every update handed out and confirmed by a later offset
    assert api.pending_updates == 0
    with api._lock:
        remaining = [u["update_id"] for u in api._updates]
    assert first["update_id"] not in remaining
    assert len(api.calls("sendMessage")) == 2  # never redelivered
    assert api.get_updates_count >= 2
    assert all(c.method != "getUpdates" for c in api.calls())


async def test_invalid_html_and_long_message_rejected(api: FakeBotApi, app: Application) -> None:
    bot = app.bot
    for bad, reason in [
        ("<b>unclosed", "Can't find end tag"),
        ("<blink>x</blink>", 'Unsupported start tag "blink"'),
        ("1 < 2", "Unsupported start tag"),
        ("Tom & Jerry", "unescaped"),
        ("<b><i>x</b></i>", "Unmatched end tag"),
    ]:
        with pytest.raises(BadRequest, match="(?i)can't parse entities") as exc:
            await bot.send_message(1001, bad, parse_mode=ParseMode.HTML)
        assert reason.lower() in str(exc.value).lower()
    with pytest.raises(BadRequest, match="[Mm]essage is too long"):
        await bot.send_message(1001, "x" * 4097)
    assert len(api.errors) == 6
    assert api.errors[-1].error == "Bad Request: message is too long"
    ok = await bot.send_message(1001, "x" * 4096)  # the limit itself is fine
    assert ok.message_id == 1
    assert api.sent_texts(1001) == ["x" * 4096]


def test_parse_html_entities() -> None:
    text, ents = parse_html(
        '<a href="https://t.me">tautan</a> <pre><code class="language-python">x</code></pre> '
        "<tg-spoiler>s</tg-spoiler> &#x1F600;<u>ü</u> <blockquote expandable>q</blockquote>"
    )
    assert text == "tautan x s 😀ü q"
    types = [(e["type"], e["offset"], e["length"]) for e in ents]
    assert types == [
        ("text_link", 0, 6),
        ("pre", 7, 1),
        ("spoiler", 9, 1),
        ("underline", 13, 1),
        ("expandable_blockquote", 15, 1),
    ]
    assert ents[1]["language"] == "python"


async def test_get_file_and_download(api: FakeBotApi, app: Application) -> None:
    api.add_file("doc-1", b"%PDF-1.4 isi", "documents/laporan.pdf")
    tg_file = await app.bot.get_file("doc-1")
    assert tg_file.file_path == f"{api.url}/file/bot{api.token}/documents/laporan.pdf"
    assert bytes(await tg_file.download_as_bytearray()) == b"%PDF-1.4 isi"
    with pytest.raises(BadRequest, match="(?i)invalid file_id"):
        await app.bot.get_file("missing")


async def test_uploads_commands_and_misc(api: FakeBotApi, app: Application) -> None:
    bot = app.bot
    msg = await bot.send_document(
        1001, b"a,b\n1,2\n", filename="data.csv", caption="<b>CSV</b>", parse_mode="HTML"
    )
    assert msg.document is not None and msg.caption == "CSV"
    (call,) = api.calls("senddocument")
    assert call.params["document"].content == b"a,b\n1,2\n"
    downloaded = await (await bot.get_file(msg.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"a,b\n1,2\n"
    photo = await bot.send_photo(-100555, "photo-file-id", caption="foto")
    assert photo.chat.type == "supergroup" and photo.photo[-1].file_id == "photo-file-id"
    await bot.set_my_commands([("start", "Mulai"), ("bantuan", "Bantuan")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "bantuan"]
    assert api.calls("setMyCommands")[0].params["commands"][0] == {
        "command": "start",
        "description": "Mulai",
    }
    await bot.send_chat_action(1001, "typing")
    assert await bot.delete_message(1001, msg.message_id)
    with pytest.raises(BadRequest, match="(?i)not found"):
        await bot.delete_message(1001, msg.message_id)
    update = api.inject_inline_query("netralitas")
    assert update["inline_query"]["query"] == "netralitas"


def _get_json(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> dict:
    """POST/GET with urllib; returns the JSON body plus "status", even for HTTP errors."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as response:
            return {"status": response.status, **json.loads(response.read())}
    except urllib.error.HTTPError as err:
        with err:
            return {"status": err.code, **json.loads(err.read())}


def test_raw_http_errors_and_threaded_server() -> None:
    with FakeBotApi.run_in_thread() as api:
        root = f"{api.url}/bot{api.token}"
        body = _get_json(f"{api.url}/bot999:WRONG/getMe")
        assert body == {
            "status": 401,
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
        assert _get_json(f"{root}/noSuchMethod")["status"] == 404
        assert _get_json(f"{root}/GETME")["result"]["username"] == "netralitas_test_bot"
        api.inject_message("hai")
        data = json.dumps({"offset": 0, "timeout": 0}).encode()
        body = _get_json(f"{root}/getUpdates", data, {"Content-Type": "application/json"})
        assert [u["message"]["text"] for u in body["result"]] == ["hai"]
        form = f"chat_id=7&text=ok&reply_markup={json.dumps({'inline_keyboard': []})}"
        assert _get_json(f"{root}/sendMessage", form.encode())["ok"]
        (call,) = api.wait_for("sendMessage", predicate=lambda c: c.params["chat_id"] == 7)
        assert isinstance(call, Call) and call.params["reply_markup"] == {"inline_keyboard": []}
        with pytest.raises(TimeoutError, match="recent calls"):
            api.wait_for("sendPhoto", timeout=0.1)
        assert api.pending_updates == 0 and not api.fetched()  # handed out, not confirmed
        confirm = json.dumps({"offset": body["result"][-1]["update_id"] + 1, "timeout": 0})
        _get_json(f"{root}/getUpdates", confirm.encode(), {"Content-Type": "application/json"})
        api.wait_fetched(timeout=1)


async def test_long_poll_wakes_on_inject_and_clean_stop() -> None:
    api = FakeBotApi(response_delay=0.01)
    await api.start()
    app = ApplicationBuilder().token(api.token).base_url(api.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, _start))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await api.wait_until(api.polling, "the bot to park in a long poll")
        loop = asyncio.get_running_loop()
        started = loop.time()
        api.inject_message("cepat")
        await api.wait_for("sendMessage")
        assert loop.time() - started < 0.5  # woke up instead of waiting for the timeout
        await app.updater.stop()
        await app.stop()
    stop_started = loop.time()
    await api.stop()
    assert loop.time() - stop_started < 1.0
    assert api.errors == []

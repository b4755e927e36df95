"""The console chat: the same views as Telegram, with buttons shown as numbered options.

A chosen option runs through `bot.press`, exactly like a Telegram button.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from bot.answering.answers import REPORT_OFFER
from bot.core import Core
from bot.press import Presser, press
from bot.privacy import privacy_view
from bot.ui.render import html_to_text
from bot.ui.views import View

COMMANDS = {
    "/topik": "topics",
    "/topics": "topics",
    "/bantuan": "help",
    "/help": "help",
    "/privasi": "privacy",
    "/privacy": "privacy",
}


class ConsoleChat:
    """One console conversation: remembers the language and the last view's choices."""

    def __init__(self, core: Core, out: TextIO, lang: str | None = None):
        self.core = core
        self.answers = core.answers
        self.out = out
        # The console's counterpart of Telegram's user_data: the chosen language, for now.
        self.session: dict[str, Any] = {} if lang is None else {"lang": lang}
        self.last: View | None = None
        # The message last answered with an offer to report, for "It is a question".
        self.held = ""

    @property
    def lang(self) -> str | None:
        """The language the user chose (None: follow each question's language)."""
        return self.session.get("lang")

    def show(self, view: View) -> None:
        """Print a view: plain text, then its buttons as numbered options."""
        self.last = view
        self.out.write(html_to_text(view.text) + "\n")
        for number, button in enumerate(view.choices, 1):
            self.out.write(f"  [{number}] {html_to_text(button.label)}\n")
        self.out.write("\n")
        self.out.flush()

    def act(self, action: str) -> View:
        """Run a button's action through the same use case as Telegram's button handler."""
        lang = self.lang or "id"
        who = Presser(0, lang, console=True, bot_username="console", quoted=self.held)
        self.held = ""
        pressed = press(self.core, who, action, self.session)
        return pressed.view or self.answers.topics_view(self.lang or "id")

    def handle(self, line: str) -> View:
        """One line typed by the user: a choice number, a command or a question."""
        line = line.strip()
        lang = self.lang or "id"
        if line.isdigit() and self.last and 1 <= int(line) <= len(self.last.choices):
            button = self.last.choices[int(line) - 1]
            return self.act(button.action)
        command = line.split()[0].lower() if line.startswith("/") else ""
        if command in ("/bahasa", "/language"):
            self.session["lang"] = new = "en" if lang == "id" else "id"
            return self.answers.page("language", new, changed=True)
        if command == "/start":
            return self.answers.welcome_view(lang)
        if command in COMMANDS:
            page = COMMANDS[command]
            if page == "topics":
                return self.answers.topics_view(lang)
            if page == "privacy":
                return privacy_view(self.answers.renderer, self.core.settings, lang)
            return self.answers.page(page, lang, name="", bot_username="console")
        view = self.answers.ask(line, self.lang, channel="console")
        self.held = line if view.band == REPORT_OFFER else ""
        return view

    def run(self, lines: Iterable[str], prompt: bool) -> None:
        """The loop: greet, then answer each line until /keluar or end of input."""
        self.show(self.answers.welcome_view(self.lang or "id"))
        self.out.write(
            html_to_text(self.answers.renderer.render("console_hint", self.lang or "id")) + "\n\n"
        )
        if prompt:
            self.out.write("> ")
            self.out.flush()
        for line in lines:
            if line.strip().lower() in ("/keluar", "/exit", "/quit"):
                break
            self.show(self.handle(line))
            if prompt:
                self.out.write("> ")
                self.out.flush()

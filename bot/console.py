"""The console chat: the same views as Telegram, as text that fits the terminal.

Answers are wrapped to the terminal's width (never inside a word); buttons are numbered
choices, picked by typing the number, and a picked choice runs through `bot.press` exactly like
a Telegram button. Commands come from `bot.ui.commands`: what only Telegram can do (tips, the
admin tools, /id) is answered with where to do it, never taken for a question.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from typing import Any, TextIO

from bot.answering.answers import REPORT_OFFER
from bot.core import Core
from bot.press import ALERT, TOAST, Presser, press
from bot.privacy import privacy_view
from bot.ui import commands
from bot.ui.plain import choice_lines, without_listed, wrap
from bot.ui.render import html_to_text
from bot.ui.views import View

EXIT = ("/keluar", "/exit", "/quit")
# Lines longer than this are hard to read even on a wide terminal.
MAX_WIDTH = 100
MIN_WIDTH = 30


def terminal_width() -> int:
    """The width to wrap to: the terminal's (or $COLUMNS), within readable bounds."""
    columns = shutil.get_terminal_size(fallback=(80, 24)).columns
    return max(MIN_WIDTH, min(MAX_WIDTH, columns))


class ConsoleChat:
    """One console conversation: remembers the language and the last view's choices."""

    def __init__(self, core: Core, out: TextIO, lang: str | None = None, width: int | None = None):
        self.core = core
        self.answers = core.answers
        self.out = out
        self.width = width or terminal_width()
        # The console's counterpart of Telegram's user_data: the chosen language, for now.
        self.session: dict[str, Any] = {} if lang is None else {"lang": lang}
        self.last: View | None = None
        # The message last answered with an offer to report, for "It is a question".
        self.held = ""

    @property
    def lang(self) -> str | None:
        """The language the user chose (None: follow each question's language)."""
        return self.session.get("lang")

    def show(self, view: View, keep_choices: bool = False) -> None:
        """Print a view wrapped to the width, then its buttons as numbered choices.

        With `keep_choices` (a short notice such as the thanks for a 👍) the previous choices
        stay valid, as the message keeps its buttons on Telegram.
        """
        labels = [html_to_text(button.label) for button in view.choices]
        text = without_listed(html_to_text(view.text), labels)
        self.out.write(wrap(text, self.width) + "\n")
        for line in choice_lines(labels, self.width):
            self.out.write(line + "\n")
        self.out.write("\n")
        self.out.flush()
        if not keep_choices:
            self.last = view

    def act(self, action: str) -> tuple[View, bool]:
        """Run a button's action through the same use case as Telegram's button handler.

        Returns the view and whether it is a passing notice (the choices before it stay).
        """
        lang = self.lang or "id"
        who = Presser(0, lang, console=True, bot_username="console", quoted=self.held)
        self.held = ""
        pressed = press(self.core, who, action, self.session)
        if pressed.view is None:
            return self.answers.topics_view(self.lang or "id"), False
        return pressed.view, pressed.show in (TOAST, ALERT)

    def command(self, line: str) -> View | None:
        """The view for a slash command, or None when the line is no command of the bot."""
        lang = self.lang or "id"
        command = commands.find(line)
        if command is None:
            return None
        name = command.name
        if name == "bahasa":
            self.session["lang"] = new = "en" if lang == "id" else "id"
            return self.answers.page("language", new, changed=True)
        if name == "start":
            return self.answers.welcome_view(lang)
        if name == "topik":
            return self.answers.topics_view(lang)
        if name == "bantuan":
            return self.answers.help_view(lang, "console")
        if name == "privasi":
            return privacy_view(self.answers.renderer, self.core.settings, lang)
        if name == "lapor":
            return self.answers.page("console_report", lang)
        return self.answers.page(
            "console_telegram_only",
            lang,
            command=name,
            admin=command.admin_only,
        )

    def handle(self, line: str) -> tuple[View, bool]:
        """One line typed by the user: a choice number, a command or a question.

        Returns the view to show and whether the choices shown before stay valid.
        """
        line = line.strip()
        choices = self.last.choices if self.last else []
        if line.isdigit() and choices:
            if 1 <= int(line) <= len(choices):
                return self.act(choices[int(line) - 1].action)
            hint = self.answers.page("console_choice", self.lang or "id", count=len(choices))
            return hint, True
        view = self.command(line)
        if view is not None:
            return view, False
        asked = self.answers.ask(line, self.lang, channel="console")
        self.held = line if asked.band == REPORT_OFFER else ""
        return asked, False

    def greet(self) -> None:
        """The welcome with its choices, and how the console works."""
        self.show(self.answers.welcome_view(self.lang or "id"))
        hint = html_to_text(self.answers.renderer.render("console_hint", self.lang or "id"))
        self.out.write(wrap(hint, self.width) + "\n\n")
        self.out.flush()

    def step(self, line: str) -> bool:
        """Answer one typed line; False when the user wants to leave."""
        if line.strip().lower() in EXIT:
            return False
        if line.strip():
            view, passing = self.handle(line)
            self.show(view, keep_choices=passing)
        return True

    def run(self, lines: Iterable[str], prompt: bool) -> None:
        """The loop: greet, then answer each line until /keluar or end of input."""
        self.greet()
        if prompt:
            self.out.write("> ")
            self.out.flush()
        for line in lines:
            if not self.step(line):
                break
            if prompt:
                self.out.write("> ")
                self.out.flush()

"""The console chat: the same views as Telegram, with buttons shown as numbered options."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from bot.answering.answers import REPORT_OFFER, Answers
from bot.config import Settings
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
    "/start": "welcome",
}


class ConsoleChat:
    """One console conversation: remembers the language and the last view's choices."""

    def __init__(
        self,
        answers: Answers,
        out: TextIO,
        lang: str | None = None,
        settings: Settings | None = None,
    ):
        self.answers = answers
        self.settings = settings or Settings()
        self.out = out
        self.lang = lang
        self.last: View | None = None
        # The message last answered with an offer to report, for "It is a question".
        self.held = ""

    def show(self, view: View) -> None:
        """Print a view: plain text, then its buttons as numbered options."""
        self.last = view
        self.out.write(html_to_text(view.text) + "\n")
        for number, button in enumerate(view.choices, 1):
            self.out.write(f"  [{number}] {html_to_text(button.label)}\n")
        self.out.write("\n")
        self.out.flush()

    def act(self, action: str) -> View:
        """Run a button's action, as the Telegram callback handler would."""
        lang = self.lang or "id"
        kind, _, arg = action.partition(":")
        a = self.answers
        if kind == "ans":
            return a.entry_view(arg, lang)
        if kind == "basis":
            return a.basis_view(arg, lang)
        if kind == "rel":
            return a.related_view(arg, lang)
        if kind == "topic":
            return a.topic_view(arg, lang)
        if kind == "fb":
            return a.feedback(arg, lang)
        if kind == "lapor":
            return a.page("console_report", lang)
        if kind == "askit":
            held, self.held = self.held, ""
            if not held:
                return a.page("report_offer", lang, kind="gone")
            return a.ask(held, self.lang, channel="console", triage=False)
        return a.topics_view(lang)

    def handle(self, line: str) -> View:
        """One line typed by the user: a choice number, a command or a question."""
        line = line.strip()
        lang = self.lang or "id"
        if line.isdigit() and self.last and 1 <= int(line) <= len(self.last.choices):
            button = self.last.choices[int(line) - 1]
            return self.act(button.action)
        command = line.split()[0].lower() if line.startswith("/") else ""
        if command in ("/bahasa", "/language"):
            self.lang = "en" if lang == "id" else "id"
            return self.answers.page("language", self.lang, changed=True)
        if command in COMMANDS:
            page = COMMANDS[command]
            if page == "topics":
                return self.answers.topics_view(lang)
            if page == "privacy":
                return privacy_view(self.answers.renderer, self.settings, lang)
            return self.answers.page(page, lang, name="", bot_username="console")
        view = self.answers.ask(line, self.lang, channel="console")
        self.held = line if view.band == REPORT_OFFER else ""
        return view

    def run(self, lines: Iterable[str], prompt: bool) -> None:
        """The loop: greet, then answer each line until /keluar or end of input."""
        self.show(self.answers.page("welcome", self.lang or "id", name=""))
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

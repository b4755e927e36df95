"""The bot's static pages: welcome, language picker, help, /id, and any page from a template.

A base class of `Answers` (which holds the renderer), kept apart because these pages only
render templates: nothing here reads the knowledge base or the model.
"""

from __future__ import annotations

from bot.ui import actions, commands
from bot.ui.render import Renderer
from bot.ui.views import Button, View


class Pages:
    """Views that are pages of text and buttons rendered from templates."""

    renderer: Renderer

    def welcome_view(self, lang: str, name: str = "") -> View:
        """The /start greeting with its four doors: ask, topics, report, privacy."""
        r = self.renderer
        rows = [
            [
                Button(r.label("ask", lang), actions.PAGE("help")),
                Button(r.label("topics", lang), actions.TOPICS()),
            ],
            [
                Button(r.label("report", lang), actions.REPORT("")),
                Button(r.label("privacy", lang), actions.PAGE("privacy")),
            ],
        ]
        return View(r.render("welcome", lang, name=name), rows, lang=lang)

    def language_view(self, lang: str, changed: bool) -> View:
        """The language picker (or the confirmation of a switch)."""
        r = self.renderer
        rows = [
            [
                Button(r.label("lang_id", lang), actions.LANGUAGE("id")),
                Button(r.label("lang_en", lang), actions.LANGUAGE("en")),
            ]
        ]
        return View(r.render("language", lang, changed=changed), [] if changed else rows, lang=lang)

    def help_view(self, lang: str, bot_username: str, admin: bool = False) -> View:
        """/bantuan: how to ask and the commands; an admin also sees the admin commands.

        `admin` is for an admin in a private chat only: strangers and groups never see them.
        """
        admin_lines = [
            (c.name, self.renderer.label(c.label, lang)) for c in commands.admin_commands()
        ]
        return self.page(
            "help", lang, bot_username=bot_username, admin_commands=admin_lines if admin else []
        )

    def id_view(self, lang: str, user_id: int | None, chat_id: int | None, admin: bool) -> View:
        """/id: the sender's Telegram user id and, in a group, the chat's id (for the settings)."""
        return self.page("your_id", lang, user_id=user_id, chat_id=chat_id, is_admin=admin)

    def page(self, template: str, lang: str, /, **context) -> View:
        """A static page (help, privacy, ...) rendered from its template."""
        return View(self.renderer.render(template, lang, **context), lang=lang)

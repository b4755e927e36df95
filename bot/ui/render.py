"""Jinja2 rendering of every reply, in Telegram HTML, per language.

Templates live in `bot/ui/templates/<lang>/`; short button labels in
`bot/ui/templates/labels.yaml`.
Autoescape is on, so user text can never break Telegram's HTML; StrictUndefined turns a missing
variable into an error in tests rather than a silently empty reply.
"""

from __future__ import annotations

import html
import re
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from bot.ui.times import local_time

TEMPLATE_DIR = Path(__file__).parent / "templates"
LANGUAGES = ("id", "en")
_TAG = re.compile(r"<[^>]+>")


class Renderer:
    """Renders `<lang>/<name>.j2` templates and looks up button labels."""

    def __init__(
        self,
        template_dir: Path = TEMPLATE_DIR,
        tz: ZoneInfo | None = None,
        org: dict[str, str] | None = None,
    ):
        self.template_dir = template_dir
        self.tz = tz
        self.env = Environment(
            loader=FileSystemLoader(str(template_dir)),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            # Templates ship with the code: no mtime check on every reply.
            auto_reload=False,
        )
        # The deploying organisation (ORG_NAME, ORG_CONTACT), for every template that names it.
        self.env.globals["org"] = {"name": "", "contact": ""} | (org or {})
        # Every stored time is UTC; templates show it local: `{{ at | when }}`, `{{ at | day }}`.
        self.env.filters["when"] = pass_context(
            lambda ctx, value: local_time(value, self.tz, _lang(ctx))
        )
        self.env.filters["day"] = pass_context(
            lambda ctx, value: local_time(value, self.tz, _lang(ctx), with_time=False)
        )

    @cached_property
    def labels(self) -> dict[str, dict[str, str]]:
        """Button and short labels: {key: {lang: text}}."""
        text = (self.template_dir / "labels.yaml").read_text(encoding="utf-8")
        # libyaml's parser when installed: the same data, ten times faster than pure Python.
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))

    def label(self, key: str, lang: str, **fmt: Any) -> str:
        """One short label in a language (falls back to Indonesian)."""
        texts = self.labels[key]
        return texts.get(lang, texts["id"]).format(**fmt)

    def render(self, template: str, lang: str, /, **context: Any) -> str:
        """Render `<lang>/<template>.j2` to Telegram HTML, squeezing runs of blank lines."""
        lang = lang if lang in LANGUAGES else "id"
        text = self.env.get_template(f"{lang}/{template}.j2").render(lang=lang, **context)
        return re.sub(r"\n{3,}", "\n\n", text).strip()


def _lang(context: Context) -> str:
    return context.get("lang") or "id"


def html_to_text(text: str) -> str:
    """Telegram HTML to plain text, for the console and the CLI."""
    return html.unescape(_TAG.sub("", text))

"""Telegram HTML parsing, as strict as the Bot API (a message the bot formats wrong fails)."""

from __future__ import annotations

import html
import re

from tests.telegram.fakeapi.wire import ApiError, Json

_T = "bold bold italic italic underline underline strikethrough strikethrough strikethrough "
_T += "text_link code pre spoiler spoiler blockquote custom_emoji"
_TAGS = "b strong i em u ins s strike del a code pre tg-spoiler span blockquote tg-emoji"
TAGS = dict(zip(_TAGS.split(), _T.split(), strict=True))
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_VAL = r"(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?"
_ATTR = re.compile(r"([a-zA-Z_-]+)" + _VAL)
_NC_VAL = r"(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?"  # _VAL without groups
_START = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_-]+" + _NC_VAL + r")*)\s*(/?)>")
_PLAIN = re.compile(r"[^<&]+")
_END = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")


def _u16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def parse_html(text: str) -> tuple[str, list[Json]]:
    """Parse Telegram HTML like the Bot API: returns (plain text, entities) or raises ApiError.

    Stricter than Telegram in one respect: a bare ``&`` that is not an entity is an error.
    """
    out: list[str] = []
    pos, i, stack, ents = 0, 0, [], []  # pos counts UTF-16 code units of the plain text

    def fail(msg: str, j: int | None = None) -> ApiError:
        where = "" if j is None else f" at byte offset {len(text[:j].encode())}"
        return ApiError(f"Bad Request: can't parse entities: {msg}{where}")

    while i < len(text):
        c, chunk = text[i], ""
        if c == "&":
            if not (m := _ENTITY.match(text, i)):
                raise fail('Unsupported HTML entity or unescaped "&"', i)
            chunk, i = html.unescape(m.group()), m.end()
        elif c == "<" and text.startswith("</", i):
            if not (m := _END.match(text, i)):
                raise fail("Unclosed end tag", i)
            if not stack:
                raise fail("Unexpected end tag", i)
            tag, start, extra = stack.pop()
            if tag != (name := m.group(1).lower()):
                raise fail(
                    f"Unmatched end tag at byte offset {len(text[:i].encode())}, "
                    f'expected "</{tag}>", found "</{name}>"'
                )
            if pos > start and extra is not None:
                ents.append({"type": TAGS[tag], "offset": start, "length": pos - start, **extra})
            i = m.end()
        elif c == "<":
            if not (m := _START.match(text, i)):
                name = re.match(r"<([a-zA-Z0-9-]*)", text[i:]).group(1)  # type: ignore[union-attr]
                if name and ">" not in text[i:]:
                    raise fail("Unclosed start tag", i)
                raise fail(f'Unsupported start tag "{name}"', i)
            name = m.group(1).lower()
            attrs = {a[0].lower(): a[1] or a[2] or a[3] or "" for a in _ATTR.findall(m.group(2))}
            if name not in TAGS or m.group(3):
                raise fail(f'Unsupported start tag "{name}"', i)
            extra: Json | None = {}
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise fail('Tag "span" must have class "tg-spoiler"', i)
            if name == "a":
                extra = {"url": attrs["href"]} if attrs.get("href") else None
            if name == "tg-emoji":
                if "emoji-id" not in attrs:
                    raise fail('Tag "tg-emoji" must have attribute "emoji-id"', i)
                extra = {"custom_emoji_id": attrs["emoji-id"]}
            if name == "blockquote" and "expandable" in attrs:
                extra = {"type": "expandable_blockquote"}
            lang = attrs.get("class", "")
            if name == "code" and stack and stack[-1][0] == "pre" and lang.startswith("language-"):
                stack[-1][2]["language"], extra = lang[9:], None
            stack.append((name, pos, extra))
            i = m.end()
        else:  # a run of plain text at once: one character a step made the server the bottleneck
            end = _PLAIN.match(text, i).end()  # type: ignore[union-attr]
            chunk, i = text[i:end], end
        out.append(chunk)
        pos += _u16(chunk)
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), sorted(ents, key=lambda e: (e["offset"], -e["length"]))

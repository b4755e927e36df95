"""The one grammar of button data: every action declared once, encoded, checked and decoded.

A button carries `<prefix>[:<arg>...]`, at most 64 bytes (Telegram's limit for callback data).
Each action is declared once below with its prefix, its arguments and the feature that handles
it; views build their buttons with `encode` and `bot.press` routes what `decode` returns.

Versions: the data carries the version of the grammar it was made with. Version 1 (this one)
is written without a tag, which is also how every button already sitting in users' chats looks;
a later version writes `v<N>.` in front (`v2.ans:...`), and data of any other version than the
current one is refused as stale, politely, instead of being misread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = 1
MAX_BYTES = 64  # Telegram refuses longer callback data
SEP = ":"
_TAG = re.compile(r"^v(\d+)\.")

ANSWERING, TIPS, CURATION, OUTREACH = "answering", "tips", "curation", "outreach"


class ActionError(ValueError):
    """Button data that cannot be used: `kind` is 'unknown' (not this grammar) or 'stale'."""

    def __init__(self, kind: str, data: str):
        self.kind = kind
        super().__init__(f"{kind} button data: {data!r}")


@dataclass(frozen=True)
class Spec:
    """One kind of button: its prefix, the names of its arguments, who handles it.

    The last `optional` arguments may be left out.
    """

    prefix: str
    params: tuple[str, ...]
    feature: str
    optional: int = 0

    def __call__(self, *args: object) -> str:
        """This action's button data with `args` (shorthand for `encode`)."""
        return encode(self, *args)


@dataclass(frozen=True)
class Action:
    """A decoded button: what it is and its arguments, by name."""

    spec: Spec
    args: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> str:
        """An argument by its declared name ('' when an optional one was left out)."""
        index = self.spec.params.index(name)
        return self.args[index] if index < len(self.args) else ""

    def number(self, name: str, default: int = 0) -> int:
        """An argument as a whole number (`default` when it is not one)."""
        value = self[name]
        # Data can be forged: only plain digits, few enough for SQLite's integers, are a number.
        ok = value.isascii() and value.isdigit() and len(value) <= 18
        return int(value) if ok else default


def _spec(prefix: str, *params: str, feature: str, optional: int = 0) -> Spec:
    return Spec(prefix, params, feature, optional)


# -- answering: answers, their legal basis, topics, feedback, pages, language -------------------
ANSWER = _spec("ans", "entry", feature=ANSWERING)
# Page 0 (left out): the legal basis within one message; 1..n: its full text, page by page.
BASIS = _spec("basis", "entry", "page", feature=ANSWERING, optional=1)
RELATED = _spec("rel", "entry", feature=ANSWERING)
TOPIC = _spec("topic", "topic", feature=ANSWERING)
TOPICS = _spec("topics", feature=ANSWERING)
# The logged question's id rides along, so a rating is tied to the question, not the user.
FEEDBACK = _spec("fb", "entry", "vote", "question", feature=ANSWERING, optional=1)
PAGE = _spec("page", "page", feature=ANSWERING)
LANGUAGE = _spec("lang", "lang", feature=ANSWERING)
# "None of these" under the choices for a vague or unsure question: how to rephrase, whom to ask.
NONE_OF_THESE = _spec("none", feature=ANSWERING)
# "It is a question": under the offer to report a tip typed outside /lapor; the text is read
# back from the message the offer replies to, never stored.
ASK_IT = _spec("askit", feature=ANSWERING)

# -- tips: the reporter's steps, and the admins' desk (/laporan) -----------------------------------
# Start a tip; the category (of the answer it sat under) may be empty.
REPORT = _spec("lapor", "category", feature=TIPS)
TIP_GO = _spec("rp:go", feature=TIPS)
TIP_CATEGORY = _spec("rp:cat", "category", feature=TIPS)
TIP_SKIP = _spec("rp:skip", "step", feature=TIPS, optional=1)  # the step it skips
TIP_EDIT = _spec("rp:edit", "field", feature=TIPS, optional=1)  # no field: the edit menu
TIP_SEND = _spec("rp:send", "code", feature=TIPS, optional=1)  # the draft's random code
# A question-like message at a free-text step: part of the report, or a question?
TIP_HELD = _spec("rp:held", "choice", "step", feature=TIPS)
TIP_CANCEL = _spec("rp:cancel", feature=TIPS)
TIP_RESUME = _spec("rp:resume", feature=TIPS)
DESK_HOME = _spec("adm:rp:home", feature=TIPS)
DESK_LIST = _spec("adm:rp:l", "status", feature=TIPS)
DESK_OPEN = _spec("adm:rp:o", "ticket", feature=TIPS)
DESK_EVIDENCE = _spec("adm:rp:e", "ticket", feature=TIPS)
DESK_STATUS = _spec("adm:rp:s", "ticket", "status", feature=TIPS)  # then the note is asked
DESK_NO_NOTE = _spec("adm:rp:n", "ticket", "status", feature=TIPS)

# -- curation: entries (with the version the admin saw), review queue, wizard, import -----------
KB_OPEN = _spec("kb:v", "entry", feature=CURATION)
KB_HISTORY = _spec("kb:h", "entry", feature=CURATION)
KB_PHRASINGS = _spec("kb:pl", "entry", "page", feature=CURATION, optional=1)  # all, in pages
KB_PHRASING = _spec("kb:ph", "entry", "lang", "version", feature=CURATION)
KB_ANSWER = _spec("kb:an", "entry", "lang", "version", feature=CURATION)
KB_VERDICTS = _spec("kb:vd", "entry", "version", feature=CURATION)
KB_VERDICT = _spec("kb:vs", "entry", "verdict", "version", feature=CURATION)
KB_RETIRE_ASK = _spec("kb:rt", "entry", "version", feature=CURATION)
KB_RETIRE = _spec("kb:ry", "entry", "version", feature=CURATION)
KB_UNDO = _spec("kb:un", "change", feature=CURATION)
REVIEW_NEXT = _spec("rv:nx", "index", feature=CURATION)
REVIEW_ADD = _spec("rv:add", "key", "entry", feature=CURATION)
REVIEW_DISMISS = _spec("rv:dis", "key", feature=CURATION)
REVIEW_NEW = _spec("rv:new", "key", feature=CURATION)
REVIEW_PREVIEW = _spec("rv:pv", "key", "entry", feature=CURATION)  # the answer, before adding
REVIEW_PICK = _spec("rv:pick", "key", feature=CURATION)  # choose another entry: words or an id
NEW_START = _spec("na:start", feature=CURATION)
NEW_TOPIC = _spec("na:t", "index", feature=CURATION)
NEW_VERDICT = _spec("na:v", "verdict", feature=CURATION)
NEW_NEXT = _spec("na:next", feature=CURATION)  # enough phrasings
NEW_SOURCE = _spec("na:s", "index", feature=CURATION)  # -1: choose another source
NEW_ITEM = _spec("na:i", "index", feature=CURATION)  # toggle a cited item
NEW_DONE = _spec("na:done", feature=CURATION)  # citations chosen
NEW_SAVE = _spec("na:save", feature=CURATION)
IMPORT_APPLY = _spec("imp:ok", "token", feature=CURATION)
IMPORT_CANCEL = _spec("imp:no", feature=CURATION)

# -- outreach: quizzes and announcements (handled in handlers/outreach.py: they send to many
# chats and stop polls, which a synchronous `press` cannot) -------------------------------------
QUIZ_CLOSE = _spec("kuis:tutup", "series", feature=OUTREACH)
ANNOUNCE_SEND = _spec("umum:kirim", "announcement", feature=OUTREACH)
ANNOUNCE_CANCEL = _spec("umum:batal", "announcement", feature=OUTREACH)

SPECS: dict[str, Spec] = {
    value.prefix: value for value in list(globals().values()) if isinstance(value, Spec)
}

# The widest value each argument takes, to size what is left for ids. Entry and topic ids get
# whatever room the other arguments of their widest action leave (see `room_for`).
WIDEST = {
    "vote": "down",
    "question": "9" * 12,  # a trillion logged questions
    "page": "privacy",
    "lang": "en",
    "field": "evidence",
    "status": "diteruskan-bawaslu",
    "ticket": "NTR-7K3F-Q9M2",
    "version": "9" * 5,  # 99,999 edits of one entry
    "verdict": "belum-diatur",  # the longest verdict (checked against the model by a test)
    "change": "9" * 9,
    "index": "9999",
    "key": "0123456789",  # a review group's key
    "token": "0123456789",  # an import preview's token
    "series": "9" * 10,  # a quiz series
    "announcement": "9" * 10,
    "step": "evidence",  # the longest step a tip button names
    "code": "x" * 12,  # a draft's random code: secrets.token_urlsafe(9)
    "choice": "question",
}


def room_for(param: str) -> int:
    """How many bytes an argument named `param` may take so every action carrying it fits in
    Telegram's 64 bytes, the other arguments of that action being their widest."""
    rooms = []
    for spec in SPECS.values():
        if param not in spec.params:
            continue
        others = [WIDEST.get(p, "") if p != param else "" for p in spec.params]
        rooms.append(MAX_BYTES - len(encode_unchecked(spec, *others).encode("utf-8")))
    return min(rooms)


def encode(spec: Spec, *args: object) -> str:
    """The button data of an action; ValueError for a wrong arity, ':' in an argument, or data
    longer than Telegram's 64 bytes (a programming error, caught by the grammar's test)."""
    texts = [str(a) for a in args]
    low, high = len(spec.params) - spec.optional, len(spec.params)
    if not low <= len(texts) <= high:
        raise ValueError(f"{spec.prefix} takes {low}-{high} arguments, got {texts!r}")
    if any(SEP in t for t in texts):
        raise ValueError(f"{spec.prefix}: an argument holds {SEP!r}: {texts!r}")
    data = encode_unchecked(spec, *texts)
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"button data over {MAX_BYTES} bytes: {data!r}")
    return data


def encode_unchecked(spec: Spec, *args: object) -> str:
    """The button data of an action, without checks (for measuring)."""
    tag = "" if VERSION == 1 else f"v{VERSION}."
    return tag + SEP.join([spec.prefix, *(str(a) for a in args)])


def decode(data: str) -> Action:
    """The action behind button data; ActionError when it is unknown or of another version."""
    version = 1
    tagged = _TAG.match(data or "")
    if tagged:
        version, data = int(tagged.group(1)), data[tagged.end() :]
    parts = (data or "").split(SEP)
    # The longest declared prefix wins ("rp:edit:where" is rp:edit with a field).
    for cut in range(len(parts), 0, -1):
        spec = SPECS.get(SEP.join(parts[:cut]))
        if spec is None:
            continue
        args = tuple(parts[cut:])
        if version != VERSION:
            raise ActionError("stale", data)
        if not len(spec.params) - spec.optional <= len(args) <= len(spec.params):
            # The action exists but its arguments changed: a button from an older layout.
            raise ActionError("stale", data)
        return Action(spec, args)
    raise ActionError("unknown", data)


def pattern(*specs: Spec) -> str:
    """A regular expression matching the data of these actions (for Telegram's handlers)."""
    prefixes = "|".join(re.escape(s.prefix) for s in sorted(specs, key=lambda s: -len(s.prefix)))
    return rf"^({prefixes})(:|$)"


def of_feature(feature: str) -> list[Spec]:
    """Every action a feature handles."""
    return [s for s in SPECS.values() if s.feature == feature]

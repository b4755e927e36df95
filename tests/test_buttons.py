"""The one button grammar: every action fits Telegram's 64 bytes, comes back as itself, and
data the bot does not (or no longer) understand is refused politely, from any front end."""

from __future__ import annotations

import pytest

from bot.kb.model import MAX_ENTRY_ID, MAX_TOPIC_ID, VERDICTS
from bot.press import TOAST, Presser, press
from bot.tips.records import STATUSES
from bot.ui import actions
from bot.ui.actions import SPECS, Action, ActionError, decode, encode

# The longest value each argument can take: ids as long as validation allows.
LONGEST = actions.WIDEST | {
    "entry": "x" * MAX_ENTRY_ID,
    "topic": "x" * MAX_TOPIC_ID,
    "category": "x" * MAX_TOPIC_ID,
}


def test_the_widest_values_cover_what_the_model_allows():
    assert len(actions.WIDEST["verdict"]) == max(len(v) for v in VERDICTS)
    assert len(actions.WIDEST["status"]) == max(len(s) for s in STATUSES)


def test_every_action_fits_in_64_bytes_and_decodes_back_to_itself():
    for spec in SPECS.values():
        args = tuple(LONGEST[name] for name in spec.params)
        for keep in range(len(args) - spec.optional, len(args) + 1):
            data = encode(spec, *args[:keep])
            assert len(data.encode("utf-8")) <= actions.MAX_BYTES, data
            assert decode(data) == Action(spec, args[:keep]), data


def test_every_button_the_bot_shows_decodes(shared_core):
    answers = shared_core.answers
    views = [answers.entry_view(e, "id") for e in answers.kb.entries]
    views += [answers.related_view(e, "en") for e in answers.kb.entries]
    views += [answers.topic_view(t, "id") for t in answers.kb.topics]
    views += [answers.welcome_view("id"), answers.language_view("en", False)]
    views += [shared_core.admin.home("id"), shared_core.admin.entry("medsos-bagikan", "id")]
    views += [shared_core.reports.desk.overview_view("id")]
    data = [b.action for view in views for b in view.choices if b.action]
    assert len(data) > 300
    assert {decode(d).spec.feature for d in data} == {"answering", "tips", "curation"}


def test_bad_arguments_never_make_button_data():
    with pytest.raises(ValueError):
        encode(actions.ANSWER)  # an argument is missing
    with pytest.raises(ValueError):
        encode(actions.ANSWER, "a:b")  # the separator inside an argument
    with pytest.raises(ValueError):
        encode(actions.ANSWER, "x" * 80)  # over Telegram's 64 bytes


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ("zz:1", "unknown"),
        ("", "unknown"),
        ("ans", "stale"),  # the layout changed: an argument is missing
        ("kb:vs:medsos-bagikan:boleh", "stale"),
        ("v9.ans:medsos-bagikan", "stale"),  # made by another version of the grammar
    ],
)
def test_unknown_and_stale_buttons_are_refused_politely(shared_core, data, kind):
    with pytest.raises(ActionError) as err:
        decode(data)
    assert err.value.kind == kind
    for lang, polite in (("id", "tidak berlaku"), ("en", "out of date")):
        pressed = press(shared_core, Presser(user_id=1, lang=lang), data, {})
        assert pressed.show == TOAST and polite in pressed.view.text

"""The review queue offers, beside its suggestions, any other entry (by words or id), and shows
the answer a question would get before it is added."""

from __future__ import annotations

from bot.answering import store as questions
from bot.core import Core
from bot.ui.render import html_to_text

QUESTION = "saya pegang kas posko relawan paslon, aman?"


def queued(core: Core) -> str:
    questions.log_question(
        core.db, question=QUESTION, lang="id", band="suggest", entry_id=None, score=0.3,
        channel="test",
    )  # fmt: skip
    [group] = core.admin.review.groups()
    return group.key


def test_every_suggestion_leads_to_a_preview_and_another_entry_can_be_chosen(core: Core):
    key = queued(core)
    card = core.admin.review.view("en")
    actions = [b.action for b in card.choices]
    previews = [a for a in actions if a.startswith(f"rv:pv:{key}:")]
    assert previews and not [a for a in actions if a.startswith("rv:add:")]
    assert f"rv:pick:{key}" in actions
    entry_id = previews[0].rsplit(":", 1)[1]
    preview = core.admin.review.preview_view(key, entry_id, "en")
    shown = html_to_text(preview.text)
    entry = core.answers.kb.entries[entry_id]
    assert f"«{QUESTION}» will be answered with the entry {entry_id}" in shown
    assert entry.title["id"] in shown  # the answer as the (Indonesian) asker would see it
    assert preview.choices[0].action == f"rv:add:{key}:{entry_id}"
    assert core.admin.editor.history() == []  # previewing changes nothing


def test_searching_by_words_offers_entries_each_with_its_preview(core: Core):
    key = queued(core)
    found = core.admin.review.search_view(key, "tim kampanye", "en")
    previews = [b.action for b in found.choices if b.action.startswith(f"rv:pv:{key}:")]
    assert any(a.endswith(":timses-anggota") for a in previews)
    none = core.admin.review.search_view(key, "zzzz qqqq", "en")
    assert "No entry for «zzzz qqqq»" in html_to_text(none.text)


def test_a_question_already_handled_says_so(core: Core):
    key = queued(core)
    core.admin.review.dismiss(1, key)
    gone = core.admin.review.preview_view(key, "timses-anggota", "en")
    assert "no longer in the queue" in html_to_text(gone.text)

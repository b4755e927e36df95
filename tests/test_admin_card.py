"""An admin opening an entry gets one message with its buttons, however many phrasings it has;
every phrasing is a button away, in pages that each fit one message."""

from __future__ import annotations

import pytest

from bot.ui.render import html_to_text
from bot.ui.views import MESSAGE_LIMIT, message_length


def all_phrasing_pages(desk, entry_id: str, lang: str) -> list:
    pages, number = [desk.phrasings(entry_id, 1, lang)], 1
    while any(b.action == f"kb:pl:{entry_id}:{number + 1}" for b in pages[-1].choices):
        number += 1
        pages.append(desk.phrasings(entry_id, number, lang))
    return pages


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_entry_card_fits_one_message_with_its_buttons(shared_core, lang):
    desk = shared_core.admin
    for entry_id, entry in desk.editor.kb.entries.items():
        card = desk.entry(entry_id, lang)
        assert message_length(card.text) <= MESSAGE_LIMIT, entry_id
        total = len(entry.questions["id"]) + len(entry.questions["en"])
        assert f"kb:pl:{entry_id}" in [b.action for b in card.choices]
        assert any(f"({total})" in b.label for b in card.choices)


def test_the_card_shows_the_counts_and_the_newest_phrasings(shared_core):
    desk = shared_core.admin
    entry = desk.editor.kb.entries["medsos-bagikan"]
    card = html_to_text(desk.entry(entry.id, "en").text)
    assert f"Phrasings (ID): {len(entry.questions['id'])}, the 3 newest:" in card
    assert entry.questions["id"][-1] in card and entry.questions["id"][0] not in card


@pytest.mark.parametrize("lang", ["id", "en"])
def test_all_phrasings_are_listed_in_pages_that_each_fit_one_message(shared_core, lang):
    desk = shared_core.admin
    for entry_id, entry in desk.editor.kb.entries.items():
        pages = all_phrasing_pages(desk, entry_id, lang)
        listed = "\n".join(html_to_text(p.text) for p in pages)
        for x in ("id", "en"):
            for number, question in enumerate(entry.questions[x], 1):
                assert f"{number}. {question}" in listed, (entry_id, question)
        assert all(message_length(p.text) <= MESSAGE_LIMIT for p in pages)
        assert pages[-1].choices[-1].action == f"kb:v:{entry_id}"  # back to the card


def test_a_card_with_very_long_texts_still_fits(core):
    editor = core.admin.editor
    entry = editor.kb.entries["sanksi-pidana"]
    version = entry.version
    for n in range(6):
        question = f"pertanyaan panjang nomor {n} " + "tentang sanksi pidana " * 10
        editor.add_phrasing(1, entry.id, "id", question, version + n)
    long_answer = "Jawaban yang sangat panjang untuk uji. " * 60
    editor.set_answer(1, entry.id, "id", long_answer, version + 6)
    card = core.admin.entry(entry.id, "id")
    assert message_length(card.text) <= MESSAGE_LIMIT
    assert "Putusan" in " ".join(b.label for b in card.choices)

"""The legal basis of an answer arrives as one Telegram message, with the full text on request."""

from __future__ import annotations

import html

import pytest

from bot.ui.render import html_to_text
from bot.ui.views import MESSAGE_LIMIT, message_length


def basis_pages(answers, entry_id: str, lang: str) -> list:
    """The first page and every full-text page reached with the buttons, in order."""
    first = answers.basis_view(entry_id, lang)
    pages = [first]
    action = next((b.action for b in first.choices if b.action.startswith("basis:")), None)
    while action:
        entry, page = action.split(":")[1:]
        view = answers.basis_view(entry, lang, int(page))
        pages.append(view)
        forward = [b.action for b in view.choices if b.action == f"basis:{entry}:{int(page) + 1}"]
        action = forward[0] if forward else None
    return pages


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_legal_basis_of_every_entry_fits_one_message(shared_core, lang):
    answers = shared_core.answers
    too_long = {}
    for entry_id in answers.kb.entries:
        for number, view in enumerate(basis_pages(answers, entry_id, lang)):
            if message_length(view.text) > MESSAGE_LIMIT:
                too_long[(entry_id, number)] = message_length(view.text)
    assert too_long == {}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_cited_wording_is_reachable_and_the_first_citation_leads(shared_core, lang):
    answers = shared_core.answers
    for entry_id, entry in answers.kb.entries.items():
        pages = basis_pages(answers, entry_id, lang)
        everything = "\n".join(view.text for view in pages)
        for cite in entry.citations:
            item = answers.kb.sources[cite.source].items[cite.item]
            assert html.escape(item.text)[:60] in everything, (entry_id, cite)
        # The entry's first citation (national law first) is the first source on the first page.
        shorts = [answers.kb.sources[c.source].short for c in entry.citations]
        at = [pages[0].text.find(f"<b>{html.escape(short)}</b>") for short in shorts]
        assert at[0] == min(a for a in at if a >= 0), entry_id


def test_a_long_basis_names_what_it_leaves_out_and_pages_through_the_full_text(shared_core):
    answers = shared_core.answers
    first = answers.basis_view("kerahkan-pns", "id")
    text = html_to_text(first.text)
    assert "Juga dikutip (bunyinya di 📄 Teks lengkap):" in text
    assert "• Siaran pers Sekda Kabupaten Bima (Pemilu 2024) (hanya berlaku di" in text
    labels = [b.label for b in first.choices]
    assert labels == ["📄 Teks lengkap", "⬅️ Kembali ke jawaban"]
    pages = basis_pages(answers, "kerahkan-pns", "en")
    assert len(pages) > 2
    assert "(full text, 1/" in html_to_text(pages[1].text)
    assert [b.label for b in pages[1].choices] == ["Next ➡️", "⬅️ Back to the answer"]
    assert [b.label for b in pages[-1].choices] == ["⬅️ Previous", "⬅️ Back to the answer"]


def test_a_short_basis_is_shown_whole_without_a_full_text_button(shared_core):
    answers = shared_core.answers
    short = min(answers.kb.entries.values(), key=lambda e: len(e.citations))
    view = answers.basis_view(short.id, "id")
    assert "Juga dikutip" not in view.text
    assert [b.label for b in view.choices] == ["⬅️ Kembali ke jawaban"]

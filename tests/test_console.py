"""Stories of someone using the console chat in a terminal: answers that fit the screen, buttons
as numbered choices, and a clear word when something needs Telegram."""

from __future__ import annotations

from bot.ui.plain import choice_lines, width_of, without_listed, wrap

LONG = (
    "⛔ Dilarang · Ikut kampanye calon\n\n"
    "Tidak boleh. PP 94/2021 dan surat edaran netralitas melarang ASN mendukung calon presiden, "
    "calon kepala daerah atau calon anggota DPR, DPD dan DPRD dengan cara ikut kampanye.\n"
    "• SKB MenPAN-RB No. 2/2022, Mendagri No. 800-5474/2022, Kepala BKN No. 246/2022: "
    "Lampiran II huruf A angka 6\n"
    "https://example.org/a/very/long/address/that/is/wider/than/the/screen/and/stays/whole"
)


def test_wrapping_keeps_every_word_whole_and_every_line_within_the_width():
    for width in (30, 45, 72):
        wrapped = wrap(LONG, width)
        for line in wrapped.split("\n"):
            assert width_of(line) <= width or " " not in line.strip(), (width, line)
        assert wrapped.split() == LONG.split()  # nothing cut, nothing lost
        # A bullet's continuation lines stand under its text, not under the bullet.
        bullet = wrapped.split("\n").index(next(x for x in wrapped.split("\n") if x[:1] == "•"))
        assert wrapped.split("\n")[bullet + 1].startswith("  ")


def test_an_emoji_takes_two_columns():
    assert width_of("📜 Dasar hukum") == len("📜 Dasar hukum") + 1
    assert width_of("⚠️ abu-abu") == width_of("📜 abu-abu")  # drawn as an emoji: two columns


def test_many_choices_share_lines_in_columns_that_fit():
    labels = [f"Topik nomor {n}" for n in range(1, 25)]
    lines = choice_lines(labels, 80)
    assert len(lines) <= 12
    assert all(width_of(line) <= 80 for line in lines)
    assert [line.split()[0] for line in lines[:2]] == ["[1]", "[2]"]  # down, then across
    assert len(choice_lines(labels, 30)) == 24  # a narrow screen: one a line


def test_a_list_that_repeats_the_choices_is_left_to_the_choices():
    text = "Topik\nPilih topik:\n1. Sanksi\n2. Media sosial\nCatatan: 1. bukan pilihan"
    assert without_listed(text, ["Sanksi", "Media sosial"]) == (
        "Topik\nPilih topik:\nCatatan: 1. bukan pilihan"
    )

"""Stories of someone using the console chat in a terminal: answers that fit the screen, buttons
as numbered choices, and a clear word when something needs Telegram."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

from bot.console import ConsoleChat
from bot.ui.plain import choice_lines, width_of, without_listed, wrap
from bot.ui.render import html_to_text
from tests.conftest import PROJECT, copy_database

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


def chat(core, lines: list[str], width: int = 80, lang: str | None = None) -> list[str]:
    """Type `lines` into a console chat; what it printed for each (the greeting first)."""
    out = io.StringIO()
    console = ConsoleChat(core, out, lang=lang, width=width)
    console.greet()
    printed = [out.getvalue()]
    for line in lines:
        before = len(out.getvalue())
        console.step(line)
        printed.append(out.getvalue()[before:])
    return printed


def choices(printed: str) -> dict[int, str]:
    """The numbered choices shown: number -> label."""
    found = {}
    for line in printed.split("\n"):
        if not re.match(r"^\s+\[\s*\d+\]", line):
            continue  # not a line of choices (the console hint mentions "[1], [2]")
        for number, label in re.findall(r"\[\s*(\d+)\]\s+(.+?)(?=\s{2,}\[|$)", line):
            found[int(number)] = label.strip()
    return found


def test_start_offers_numbered_doors_and_typing_a_number_opens_one(core):
    greeting, start, topics, topic = chat(core, ["/start", "2", "4"])
    doors = choices(start)
    assert doors == {1: "❓ Tanya", 2: "📚 Topik", 3: "🚨 Laporkan pelanggaran", 4: "🔒 Privasi"}
    assert choices(greeting) == doors  # the console opens with the same welcome
    assert "Topik netralitas ASN" in topics
    assert choices(topics)[4] == "Ikut kampanye"
    assert "Pilih pertanyaan" in topic and "Ikut kampanye" in topic  # topic 4 opened


def test_topik_fits_a_screen_listing_each_topic_once(core):
    _, topics = chat(core, ["/topik"], width=80)
    lines = topics.strip("\n").split("\n")
    offered = choices(topics)
    assert len(offered) == len(core.answers.kb.topics) > 20
    assert len(lines) <= 16  # a 24-line terminal shows it whole, heading included
    assert topics.count("Sanksi") == 1  # no list above repeating the choices
    assert all(width_of(line) <= 80 for line in lines)


def test_a_long_answer_wraps_at_the_width_without_breaking_a_word(core):
    question = "boleh ikut kampanye caleg?"
    _, answer = chat(core, [question], width=50)
    lines = answer.rstrip("\n").split("\n")
    assert len(lines) > 20 and all(width_of(line) <= 50 for line in lines)
    text = "\n".join(line for line in lines if not re.match(r"^\s+\[\s*\d+\]", line))
    telegram = html_to_text(core.answers.ask(question, record=False).text)
    # The same words as on Telegram, in the same order, none cut: only line breaks moved.
    assert text.split() == telegram.split()
    assert max(width_of(line) for line in telegram.split("\n")) > 50  # there was wrapping


def test_the_thumbs_up_keeps_the_answer_choices_and_the_basis_follows(core):
    _, answer, thanks, basis = chat(core, ["boleh pakai mobil dinas kampanye?", "3", "1"])
    assert choices(answer)[3] == "👍"
    assert "Terima kasih" in thanks and not choices(thanks)
    assert "Dasar hukum" in basis and "Kembali ke jawaban" in basis  # [1] of the answer


def test_a_number_beyond_the_choices_says_which_numbers_there_are(core):
    _, start, wrong, topics = chat(core, ["/start", "9", "2"])
    assert "1 sampai 4" in wrong
    assert "Topik netralitas ASN" in topics  # the welcome's choices still count


def test_lapor_and_admin_commands_say_they_need_telegram(core):
    _, lapor, kb, laporan, status, ident = chat(
        core, ["/lapor", "/kb medsos", "/laporan", "/status NTR-7K3F-Q9M2", "/id"]
    )
    assert "Telegram" in lapor and "/lapor" in lapor
    for reply, command in ((kb, "/kb"), (laporan, "/laporan")):
        assert f"{command} hanya bisa dipakai di Telegram, oleh admin" in " ".join(reply.split())
    assert "/status hanya bisa dipakai di Telegram." in " ".join(status.split())
    assert "/id hanya bisa dipakai di Telegram." in " ".join(ident.split())
    assert not core.db.execute("SELECT count(*) FROM question_log").fetchone()[0]  # none asked


def test_the_report_door_of_start_points_to_telegram_too(core):
    _, _, report = chat(core, ["/start", "3"], lang="en")
    assert "sent in Telegram" in " ".join(report.split())


def test_the_console_over_stdin_wraps_to_columns_and_follows_choices(tmp_path, built_database):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.update(DATABASE_PATH=str(copy_database(built_database, tmp_path / "cli.db")), COLUMNS="44")
    proc = subprocess.run(
        [sys.executable, str(PROJECT / "bot.py"), "chat"],
        cwd=tmp_path,
        input="/lapor\nboleh like postingan caleg?\n1\n/keluar\nboleh nyoblos?\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.split("\n")
    assert all(width_of(line) <= 44 for line in lines), max(lines, key=width_of)
    out = " ".join(proc.stdout.split())
    assert "Di konsol ini laporan tidak bisa dikirim" in out
    assert "Dilarang" in out and "Dasar hukum ·" in out  # choice [1] of the answer
    assert "nyoblos" not in out  # nothing after /keluar

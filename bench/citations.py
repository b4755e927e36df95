"""List the entries whose first reply names no source a user can cite by number.

Usage, from the project root: python bench/citations.py

Two checks on every entry's answer, in Indonesian and English, exactly as the bot sends it:
- `no number`: the reply names no law, regulation, decree or circular by its number (only
  statements or reporting channels). Validation allows this for `info` entries alone.
- `no circular`: the entry's topic is one the regional circulars themselves answer, and the
  reply names none of them (nor the 2022 joint decree they carry out). Their numbers are read
  from knowledge/sources, so a circular added there counts at once.

Exit status 0 always: this is a list for a reviewer, not a gate (`kb validate` is the gate).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.answering.answers import Answers  # noqa: E402
from bot.config import DEFAULT_KNOWLEDGE_DIR  # noqa: E402
from bot.kb.model import KnowledgeBase, Source, load_directory  # noqa: E402
from bot.ui.render import Renderer  # noqa: E402

# The topics that the regional circulars (Sekadau, Kalimantan Tengah and Kotawaringin Timur,
# Batang) and the Bima release answer themselves: a reply on them should name a circular.
CIRCULAR_TOPICS = {
    "dasar-hukum", "surat-edaran", "waktu-berlaku", "kampanye-ikut",
    "kampanye-atribut", "kampanye-mengerahkan", "kampanye-fasilitas", "keputusan-berpihak",
    "kegiatan-berpihak", "dukungan-ktp", "media-sosial", "kepala-pd", "jiwa-korps",
    "pengawasan-bukti", "lapor-saluran", "kepala-desa",
}  # fmt: skip


def numbers(source: Source) -> list[str]:
    """The numbers a reply may name the source by (a joint decree has one per signatory)."""
    return [part.strip() for part in source.number.split(";") if part.strip()]


def circular_numbers(kb: KnowledgeBase) -> list[str]:
    """Numbers of the regional circulars and of the joint decree they carry out."""
    found = []
    for source in kb.sources.values():
        if (source.region and source.kind == "surat-edaran") or source.kind == "keputusan-bersama":
            found += numbers(source)
    return found


def main() -> int:
    kb = load_directory(DEFAULT_KNOWLEDGE_DIR)
    answers = Answers(kb, None, Renderer())  # type: ignore[arg-type]  # entry views need no matcher
    every_number = [n for s in kb.sources.values() for n in numbers(s)]
    circulars = circular_numbers(kb)
    missing = 0
    for entry in kb.entries.values():
        for lang in ("id", "en"):
            reply = answers.entry_view(entry.id, lang).text
            problems = []
            if not any(n in reply for n in every_number):
                problems.append("no number")
            if entry.topic in CIRCULAR_TOPICS and not any(n in reply for n in circulars):
                problems.append("no circular")
            if problems:
                missing += 1
                where = f"{entry.topic:20} {entry.id:38} {entry.verdict:12} {lang}"
                print(f"{where}  {', '.join(problems)}")
    print(f"{missing} replies of {2 * len(kb.entries)} lack a reference")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The knowledge base as exchange documents: YAML and TSV export (and the files of knowledge/)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml

from bot.kb.model import LANGS, Entry, KnowledgeBase

TSV_COLUMNS = [
    "id",
    "topic",
    "verdict",
    "title_id",
    "title_en",
    "questions_id",
    "questions_en",
    "answer_id",
    "answer_en",
    "citations",
    "sanction_id",
    "sanction_en",
    "related",
]
LIST_SEP = " | "  # between phrasings in one TSV cell


def entry_to_dict(e: Entry) -> dict[str, Any]:
    """An entry in the shape of `knowledge/entries/*.yaml`."""
    out: dict[str, Any] = {
        "id": e.id,
        "verdict": e.verdict,
        "title": dict(e.title),
        "questions": {lang: list(e.questions[lang]) for lang in LANGS},
        "answer": dict(e.answer),
        "citations": [{"source": c.source, "item": c.item} for c in e.citations],
    }
    if e.sanction:
        out["sanction"] = dict(e.sanction)
    out["related"] = list(e.related)
    return out


def topic_document(kb: KnowledgeBase, topic: str) -> dict[str, Any]:
    """One topic file's content."""
    return {"topic": topic, "entries": [entry_to_dict(e) for e in kb.entries_of(topic)]}


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def export_yaml(kb: KnowledgeBase) -> str:
    """Every entry as one YAML document: a list of topic documents."""
    return _dump([topic_document(kb, t) for t in kb.topics])


def export_tsv(kb: KnowledgeBase) -> str:
    """Every entry as one TSV row (phrasings joined by ' | ', citations as 'source#item; ...')."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="\t", lineterminator="\n")
    writer.writerow(TSV_COLUMNS)
    for e in kb.entries.values():
        writer.writerow(
            [
                e.id,
                e.topic,
                e.verdict,
                e.title["id"],
                e.title["en"],
                LIST_SEP.join(e.questions["id"]),
                LIST_SEP.join(e.questions["en"]),
                e.answer["id"],
                e.answer["en"],
                "; ".join(f"{c.source}#{c.item}" for c in e.citations),
                (e.sanction or {}).get("id", ""),
                (e.sanction or {}).get("en", ""),
                ", ".join(e.related),
            ]
        )
    return buf.getvalue()


def write_entry_files(kb: KnowledgeBase, directory: Path) -> list[Path]:
    """Write the live shipped entries back as `entries/<topic>.yaml` files a reviewer can diff.

    Entries of the deployment's local directory stay out: written into `knowledge/` they would
    clash with the local files on the next start (copy their edits into the local files).
    """
    target = Path(directory) / "entries"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for topic in kb.topics:
        entries = [entry_to_dict(e) for e in kb.entries_of(topic) if e.id not in kb.local]
        if not entries:
            continue
        path = target / f"{topic}.yaml"
        path.write_text(_dump({"topic": topic, "entries": entries}), encoding="utf-8")
        written.append(path)
    return written

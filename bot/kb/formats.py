"""The knowledge base as exchange documents, both ways: YAML and TSV export (and the files of
knowledge/), and parsing an exported YAML or TSV back into entry states.

A bad file raises FormatError, whose problems name the row (TSV line, or YAML topic and entry
number).
"""

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
MAX_BYTES = 2_000_000  # the largest file parse_file reads


class FormatError(ValueError):
    """A file that is not a knowledge-base export; `problems` names what and where."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


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
    # libyaml's emitter when installed: the same text, ten times faster than pure Python.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)


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


# -- reading exports back ------------------------------------------------------------------------


def _split(cell: str, sep: str) -> list[str]:
    return [part.strip() for part in (cell or "").split(sep.strip()) if part.strip()]


def _bilingual(row: dict[str, str], name: str) -> dict[str, str]:
    return {"id": row.get(f"{name}_id", ""), "en": row.get(f"{name}_en", "")}


def parse_tsv(text: str) -> list[dict[str, Any]]:
    """Rows of an exported TSV as entry states, each with `where` naming its line."""
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    missing = [c for c in TSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise FormatError([f"line 1: missing columns {', '.join(missing)}"])
    states = []
    for row in reader:
        row = {k: (v or "").strip() for k, v in row.items() if k}
        citations = []
        for cite in _split(row["citations"], ";"):
            source, _, item = cite.partition("#")
            citations.append({"source": source.strip(), "item": item.strip()})
        state: dict[str, Any] = {
            "where": f"line {reader.line_num}",
            "topic": row["topic"],
            "id": row["id"],
            "verdict": row["verdict"],
            "title": _bilingual(row, "title"),
            "questions": {
                "id": _split(row["questions_id"], LIST_SEP),
                "en": _split(row["questions_en"], LIST_SEP),
            },
            "answer": _bilingual(row, "answer"),
            "citations": citations,
            "related": _split(row["related"], ","),
        }
        if row["sanction_id"] or row["sanction_en"]:
            state["sanction"] = _bilingual(row, "sanction")
        states.append(state)
    return states


def parse_yaml(text: str) -> list[dict[str, Any]]:
    """Entries of an exported YAML (a list of topic documents), each with `where`."""
    try:
        # libyaml's parser when installed: the same data, ten times faster than pure Python.
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise FormatError([f"malformed YAML: {exc}".replace("\n", " ")]) from exc
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise FormatError(["expected a list of topics, each with 'topic' and 'entries'"])
    states = []
    for i, doc in enumerate(data, 1):
        if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
            raise FormatError([f"topic #{i}: expected 'topic' and a list of 'entries'"])
        topic = str(doc.get("topic", ""))
        for j, raw in enumerate(doc["entries"], 1):
            where = f"topic '{topic}' entry #{j}"
            if not isinstance(raw, dict):
                raise FormatError([f"{where}: an entry must be a mapping"])
            states.append({**raw, "topic": topic, "where": where})
    return states


def parse_file(name: str, data: bytes) -> list[dict[str, Any]]:
    """The entry states of an uploaded file, by its extension (.yaml/.yml or .tsv)."""
    if len(data) > MAX_BYTES:
        raise FormatError([f"the file is larger than {MAX_BYTES // 1_000_000} MB"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(["the file is not UTF-8 text"]) from exc
    lower = name.lower()
    if lower.endswith(".tsv"):
        return parse_tsv(text)
    if lower.endswith((".yaml", ".yml")):
        return parse_yaml(text)
    raise FormatError(["only .yaml, .yml and .tsv files can be imported"])

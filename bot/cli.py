"""Command line: argument parsing only; every command calls one core function."""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import sys
from pathlib import Path
from urllib.parse import urlparse

from bot import logsafe, memory, ops
from bot.answering.normalize import Normalizer
from bot.config import PUBLIC_BOT_API, ConfigError, Settings
from bot.core import Core
from bot.curation import cli as admin_cli
from bot.kb import formats as kbio
from bot.kb import model as knowledge
from bot.kb.extras import check_extras
from bot.outreach import cli as outreach_cli
from bot.ui.render import html_to_text


class _Parser(argparse.ArgumentParser):
    """argparse, but misuse is one line (no usage block), exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see: python {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    ap = _Parser(
        prog="bot.py", description="Netralitas ASN assistant: Telegram bot, console chat and tools."
    )
    sub = ap.add_subparsers(dest="command")
    run = sub.add_parser(
        "run", help="run the Telegram bot (polling, or webhook with --webhook-url)"
    )
    run.add_argument("--webhook-url", help="public HTTPS URL Telegram posts updates to")
    run.add_argument("--listen", default="127.0.0.1", help="address the webhook server binds")
    run.add_argument("--port", type=int, default=8443, help="port the webhook server binds")
    sub.add_parser("chat", help="chat with the bot in this terminal")
    ask = sub.add_parser("ask", help="answer questions given as arguments or one a line on stdin")
    ask.add_argument("--json", action="store_true", help="one JSON object a line")
    ask.add_argument("question", nargs="*")
    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    kb_sub.add_parser("validate", help="check every knowledge file, naming file and entry")
    build = kb_sub.add_parser("build", help="compile the files into the database")
    build.add_argument(
        "--force", action="store_true", help="rebuild even if unchanged, dropping admin edits"
    )
    export = kb_sub.add_parser("export", help="write the live knowledge base as YAML or TSV")
    export.add_argument("--format", choices=("yaml", "tsv"), default="yaml")
    export.add_argument("--to", type=Path, help="write entries/<topic>.yaml files into this folder")
    kb_sub.add_parser("stats", help="entries and phrasings per topic")
    admin_cli.add_commands(kb_sub)
    rp = sub.add_parser("reports", help="confidential tips (decryption needs the key)")
    rp_sub = rp.add_subparsers(dest="reports_command", required=True)
    rp_sub.add_parser("keygen", help="print a fresh REPORT_ENCRYPTION_KEY (last line)")
    rp_list = rp_sub.add_parser("list", help="tickets with category, status and dates")
    rp_list.add_argument("--status", help="only this status")
    rp_show = rp_sub.add_parser("show", help="one tip, decrypted, with its history")
    rp_show.add_argument("ticket")
    rp_export = rp_sub.add_parser("export", help="every tip, decrypted, as CSV")
    rp_export.add_argument("--out", type=Path, help="write to this file instead of stdout")
    rp_sub.add_parser("purge", help="delete closed tips past REPORT_RETENTION_DAYS, vacuum")
    backup = sub.add_parser("backup", help="consistent copy of the database, safe while it runs")
    backup.add_argument("file", type=Path, help="the new backup file (must not exist)")
    sub.add_parser("health", help="exit 0 when settings and database are usable (no network)")
    outreach_cli.add_commands(sub)
    return ap


def _reports(settings: Settings, args: argparse.Namespace) -> int:
    from bot.tips import cli as report_cli  # the tips' commands live beside their core

    return report_cli.run(settings, args)


def _ask(core: Core, args: argparse.Namespace) -> int:
    questions = args.question or (line.rstrip("\n") for line in sys.stdin)
    for question in questions:
        if not question.strip():
            continue
        view = core.answers.ask(question, channel="cli", record=False)
        if args.json:
            record = {
                "question": question,
                "band": view.band,
                "topic": view.topic,
                "id": view.entry_id,
                "score": view.score,
                "reply": view.text,
                "candidates": view.candidates,
            }
            print(json.dumps(record, ensure_ascii=False), flush=True)
        else:
            print(html_to_text(view.text) + "\n", flush=True)
    return 0


def _kb(settings: Settings, args: argparse.Namespace) -> int:
    if args.kb_command == "validate":
        kb = _validate_knowledge(settings)
        print(f"ok: {len(kb.entries)} entries, {len(kb.sources)} sources, {len(kb.topics)} topics")
        if kb.local:
            local = [i for i in kb.local if not i.startswith("source:")]
            print(f"of which local: {len(local)} entries, {len(kb.local) - len(local)} sources")
        return 0
    core = Core.open(settings)
    if args.kb_command in ("build", "history", "revert"):
        return admin_cli.run(core, args)
    if args.kb_command == "export":
        kb = core.answers.kb
        if args.to:
            for path in kbio.write_entry_files(kb, args.to):
                print(path)
        else:
            sys.stdout.write(kbio.export_yaml(kb) if args.format == "yaml" else kbio.export_tsv(kb))
    elif args.kb_command == "stats":
        kb = core.answers.kb
        print(f"{'topic':22} entries  id  en")
        for topic in kb.topics:
            entries = kb.entries_of(topic)
            n_id = sum(len(e.questions["id"]) for e in entries)
            n_en = sum(len(e.questions["en"]) for e in entries)
            print(f"{topic:22} {len(entries):7} {n_id:3} {n_en:3}")
        total = sum(len(e.questions["id"]) + len(e.questions["en"]) for e in kb.entries.values())
        print(f"total: {len(kb.entries)} entries, {total} phrasings, {len(kb.sources)} sources")
    return 0


def _validate_knowledge(settings: Settings) -> knowledge.KnowledgeBase:
    """Every knowledge file the bot reads to answer: the entries and their sources, and the
    matcher's other classes (`offtopic.yaml`, `intents.yaml`); KnowledgeError lists them all."""
    try:
        kb: knowledge.KnowledgeBase | None = knowledge.load_directory(
            settings.knowledge_dir, settings.local_knowledge_dir
        )
        problems: list[str] = []
    except knowledge.KnowledgeError as exc:
        kb, problems = None, list(exc.problems)
    # The matcher's own reading of a line (its words, before stemming), from the shipped lexicon.
    reading = Normalizer.from_lexicon(kb.lexicon if kb else {})
    problems += check_extras(
        settings.knowledge_dir, kb, key=lambda text: " ".join(reading.raw_tokens(text))
    )
    if problems or kb is None:
        raise knowledge.KnowledgeError(problems)
    return kb


def _chat(core: Core) -> int:
    from bot.console import ConsoleChat

    ConsoleChat(core, sys.stdout).run(sys.stdin, prompt=sys.stdin.isatty())
    return 0


def _run(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.telegram_bot_token:
        raise ConfigError(f"TELEGRAM_BOT_TOKEN is not set: {_where_to_set(settings)}")
    if args.webhook_url:
        _check_webhook_url(args.webhook_url, settings)
    from handlers.app import run_bot  # Telegram is only imported when the bot really runs

    memory.limit_arenas()  # before any thread starts (bot/memory.py says why)
    return run_bot(settings, webhook_url=args.webhook_url, listen=args.listen, port=args.port)


def _check_webhook_url(url: str, settings: Settings) -> None:
    # Telegram posts only over HTTPS, to these ports: say so now rather than never get updates.
    # A self-hosted Bot API server (the tests' fake one too) may post plain HTTP anywhere.
    parsed = urlparse(url)
    try:
        port = parsed.port
    except ValueError:
        port = -1
    public = settings.telegram_api_base_url.rstrip("/") == PUBLIC_BOT_API
    strict_ok = parsed.scheme == "https" and port in (None, 443, 80, 88, 8443)
    if not parsed.hostname or port == -1 or (public and not strict_ok):
        raise ConfigError(
            f"--webhook-url must be https://HOST/PATH on port 443, 80, 88 or 8443 (Telegram "
            f"accepts no other), got {url!r}; behind compose, set BOT_DOMAIN"
        )


def _where_to_set(settings: Settings) -> str:
    where = settings.env_file or "a .env file (see .env.example)"
    return f"put the token from @BotFather in {where} or the environment"


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    done = ops.backup(settings.database_path, args.file)
    print(
        f"backup written: {done.target} ({done.size_bytes // 1024} KB, {done.tips} tips, "
        f"integrity {done.integrity}); keep REPORT_ENCRYPTION_KEY elsewhere, not beside it"
    )
    return 0


def _setup_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Every record is redacted (no token, text or identity) whatever the level.
    logsafe.install(settings.secrets(), settings.public_numbers())
    if settings.log_level != "DEBUG":
        # A line per request (httpx) and per job run (APScheduler) at INFO: noise.
        for noisy in ("httpx", "apscheduler"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python bot.py` and the `netralitas-bot` script.

    Exit status: 0 done, 1 the command failed (e.g. nothing to revert), 2 the set-up must be
    fixed (configuration, token, database; one line on stderr saying what to do), 130 Ctrl-C.
    """
    args = _parser().parse_args(argv)
    settings: Settings | None = None
    try:
        settings = Settings.load()
        _setup_logging(settings)
        if args.command == "backup":
            return _backup(settings, args)
        if args.command == "health":
            print(ops.health(settings))
            return 0
        if args.command == "reports" and args.reports_command == "keygen":
            return _reports(settings, args)
        if not (args.command == "kb" and args.kb_command == "validate"):
            ops.check_database(settings.database_path)
        if args.command == "reports":
            return _reports(settings, args)
        if args.command == "kb":
            return _kb(settings, args)
        if args.command in ("calendar", "quiz"):
            return outreach_cli.run(settings, args)
        if args.command == "run":
            return _run(settings, args)
        if args.command is None:
            if settings.telegram_bot_token:
                return _run(settings, _parser().parse_args(["run"]))
            if not sys.stdin.isatty():
                # No token and nobody at a keyboard: a service manager must see a failure.
                raise ConfigError(
                    f"TELEGRAM_BOT_TOKEN is not set: {_where_to_set(settings)} "
                    "(python bot.py chat talks in this terminal instead)"
                )
        core = Core.open(settings)
        if args.command == "ask":
            return _ask(core, args)
        if args.command is None:
            print(
                "No TELEGRAM_BOT_TOKEN set: starting the console chat. "
                "Put a token from @BotFather in .env to run on Telegram.",
                flush=True,
            )
        return _chat(core)
    except knowledge.KnowledgeError as exc:
        print("The knowledge base is invalid:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    except ops.DatabaseProblem as exc:
        print(f"Database error: {exc}", file=sys.stderr)
        return 2
    except sqlite3.Error as exc:
        # Met after start-up checks passed (e.g. the disk filled up): still one line.
        path = settings.database_path if settings else Path("?")
        print(f"Database error: {ops.explain(path, exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130

"""The election calendar (`knowledge/calendar.yaml`): reading, validating, its reminders.

Three periods matter to a civil servant: the campaign period, the quiet period and voting day.
Each election in the file gives its dates with the source that fixed them; the period rules
(what each period is, its legal basis, which knowledge-base entries apply in it) are written once
for every election. A reminder goes out at 07:00 local time on the first day of each period and
stays worth sending until the period ends, so a bot that was down catches up after a restart but
never announces a period that is already over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from bot.kb.model import LANGS, KnowledgeBase, KnowledgeError

PERIODS = ("kampanye", "masa-tenang", "pemungutan")
KINDS = ("pemilu", "pilkada")
# Indonesia's three time zones; none observes daylight saving, so fixed offsets are exact.
ZONES = {"WIB": 7, "WITA": 8, "WIT": 9}
REMINDER_AT = time(7, 0)  # local time of day a reminder goes out
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class CalendarError(KnowledgeError):
    """The calendar file is invalid; `problems` lists each one with its election.

    A knowledge file like the others, so its problems are listed the same way.
    """


@dataclass(frozen=True)
class PeriodRule:
    """What one kind of period means, and the entries whose rules apply in it."""

    key: str
    title: dict[str, str]
    entries: list[str]
    basis: dict[str, str] | None = None  # the rule that fixes the period, when one does
    days_before_voting: int = 0  # the quiet period's length, when derived from voting day


@dataclass(frozen=True)
class Span:
    """A period's first and last day (inclusive) and the source that set them."""

    start: date
    end: date
    source: str
    derived: bool = False  # computed from a rule rather than written in the file


@dataclass(frozen=True)
class Election:
    """One election's dates in one time zone."""

    id: str
    kind: str
    name: dict[str, str]
    zone: str
    spans: dict[str, Span]  # period key -> span; a period without dates is absent

    @property
    def tz(self) -> timezone:
        """The election's fixed UTC offset."""
        return timezone(timedelta(hours=ZONES[self.zone]), self.zone)


@dataclass(frozen=True)
class Reminder:
    """One reminder: which election and period, when it goes out and until when it is due."""

    key: str
    election: Election
    period: str
    span: Span
    starts: datetime  # aware
    ends: datetime  # aware


@dataclass
class Calendar:
    """Every election and the period rules."""

    rules: dict[str, PeriodRule]
    elections: list[Election] = field(default_factory=list)

    def reminders(self) -> list[Reminder]:
        """Every reminder the calendar implies, in time order."""
        found = []
        for election in self.elections:
            for period, span in election.spans.items():
                starts = datetime.combine(span.start, REMINDER_AT, election.tz)
                ends = datetime.combine(span.end + timedelta(days=1), time(0), election.tz)
                key = f"{election.id}:{period}:{span.start.isoformat()}"
                found.append(Reminder(key, election, period, span, starts, ends))
        return sorted(found, key=lambda r: (r.starts, r.key))


def plan(calendar: Calendar, sent: set[str], now: datetime) -> list[tuple[Reminder, float]]:
    """Reminders still to send at `now` (aware), with the seconds to wait before each.

    A reminder already sent, or whose period is over, is left out; one whose time has come
    but whose period is still running waits 0 seconds (a restart catches up).
    """
    return [
        (r, max(0.0, (r.starts - now).total_seconds()))
        for r in calendar.reminders()
        if r.key not in sent and now < r.ends
    ]


# -- reading and validating ----------------------------------------------------------------------


def _bilingual(raw: Any, where: str, name: str, problems: list[str]) -> dict[str, str]:
    texts = {
        lang: " ".join(str(raw.get(lang) or "").split()) if isinstance(raw, dict) else ""
        for lang in LANGS
    }
    if not all(texts.values()):
        problems.append(f"{where}: field '{name}' needs non-empty 'id' and 'en' texts")
    return texts


def _date(raw: Any, where: str, problems: list[str]) -> date | None:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        problems.append(f"{where}: {raw!r} is not a date (YYYY-MM-DD)")
        return None


def _span(raw: Any, where: str, problems: list[str], single: bool = False) -> Span | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping with dates and 'source'")
        return None
    source = " ".join(str(raw.get("source") or "").split())
    if not source:
        problems.append(f"{where}: missing 'source' (where the date was fixed)")
    if single:
        day = _date(raw.get("date"), f"{where} date", problems)
        return Span(day, day, source) if day else None
    start = _date(raw.get("start"), f"{where} start", problems)
    end = _date(raw.get("end"), f"{where} end", problems)
    if start and end and end < start:
        problems.append(f"{where}: ends ({end}) before it starts ({start})")
    return Span(start, end, source) if start and end else None


def _rules(data: Any, problems: list[str]) -> dict[str, PeriodRule]:
    rules: dict[str, PeriodRule] = {}
    raw_rules = data if isinstance(data, dict) else {}
    for key in PERIODS:
        raw = raw_rules.get(key)
        where = f"calendar.yaml periods '{key}'"
        if not isinstance(raw, dict):
            problems.append(f"{where}: missing")
            continue
        entries = [str(e) for e in raw.get("entries") or []]
        if not entries:
            problems.append(f"{where}: 'entries' lists no entry")
        basis = raw.get("basis")
        rules[key] = PeriodRule(
            key=key,
            title=_bilingual(raw.get("title"), where, "title", problems),
            entries=entries,
            basis=_bilingual(basis, where, "basis", problems) if basis else None,
            days_before_voting=int(raw.get("days_before_voting") or 0),
        )
    for key in raw_rules:
        if key not in PERIODS:
            problems.append(f"calendar.yaml periods '{key}': unknown (use {', '.join(PERIODS)})")
    return rules


def _election(raw: Any, rules: dict[str, PeriodRule], problems: list[str]) -> Election | None:
    if not isinstance(raw, dict):
        problems.append("calendar.yaml: an election must be a mapping")
        return None
    eid = str(raw.get("id") or "")
    where = f"calendar.yaml election '{eid}'"
    if not ID_PATTERN.match(eid):
        problems.append(f"{where}: missing or malformed 'id' (lowercase, digits, dashes)")
    kind = str(raw.get("kind") or "")
    if kind not in KINDS:
        problems.append(f"{where}: kind '{kind}' is not one of {', '.join(KINDS)}")
    zone = str(raw.get("zone") or "WIB")
    if zone not in ZONES:
        problems.append(f"{where}: zone '{zone}' is not one of {', '.join(ZONES)}")
    name = _bilingual(raw.get("name"), where, "name", problems)
    spans: dict[str, Span] = {}
    voting = _span(raw.get("voting"), f"{where} voting", problems, single=True)
    if voting:
        spans["pemungutan"] = voting
    if raw.get("campaign") is not None:
        campaign = _span(raw.get("campaign"), f"{where} campaign", problems)
        if campaign:
            spans["kampanye"] = campaign
    quiet_rule = rules.get("masa-tenang")
    if raw.get("quiet") is not None:
        quiet = _span(raw.get("quiet"), f"{where} quiet", problems)
        if quiet:
            spans["masa-tenang"] = quiet
    elif voting and kind == "pemilu" and quiet_rule and quiet_rule.days_before_voting:
        # The Pemilu law fixes the quiet period from voting day; a Pilkada needs its own dates.
        days = quiet_rule.days_before_voting
        basis = (quiet_rule.basis or {}).get("id", "")
        spans["masa-tenang"] = Span(
            voting.start - timedelta(days=days), voting.start - timedelta(days=1), basis, True
        )
    _check_order(spans, where, problems)
    if zone not in ZONES or not voting:
        return None
    return Election(eid, kind, name, zone, spans)


def _check_order(spans: dict[str, Span], where: str, problems: list[str]) -> None:
    """Campaign, then quiet period, then voting day, without overlaps."""
    present = [p for p in PERIODS if p in spans]
    for a, b in zip(present, present[1:], strict=False):
        if spans[b].start <= spans[a].end:
            problems.append(
                f"{where}: '{b}' ({spans[b].start}) must start after '{a}' ends ({spans[a].end})"
            )


def parse_calendar(data: Any, kb: KnowledgeBase | None = None) -> Calendar:
    """Build a Calendar from the YAML data; raise CalendarError listing every problem.

    With `kb`, every entry a period names must exist in the knowledge base.
    """
    problems: list[str] = []
    if not isinstance(data, dict):
        raise CalendarError(["calendar.yaml: expected 'periods' and 'elections'"])
    rules = _rules(data.get("periods"), problems)
    elections: list[Election] = []
    seen: set[str] = set()
    for raw in data.get("elections") or []:
        election = _election(raw, rules, problems)
        if election is None:
            continue
        if election.id in seen:
            problems.append(f"calendar.yaml election '{election.id}': duplicate id")
        seen.add(election.id)
        elections.append(election)
    if kb is not None:
        for rule in rules.values():
            for eid in rule.entries:
                if eid not in kb.entries:
                    problems.append(f"calendar.yaml periods '{rule.key}': no entry '{eid}'")
    if problems:
        raise CalendarError(problems)
    return Calendar(rules, elections)


def calendar_from_text(text: str, kb: KnowledgeBase | None = None) -> Calendar:
    """Parse and validate the YAML text of a calendar (a file, or an admin's upload)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CalendarError([f"calendar.yaml: malformed YAML: {exc}".replace("\n", " ")]) from exc
    return parse_calendar(data, kb)


def load_calendar(path: Path, kb: KnowledgeBase | None = None) -> Calendar:
    """Read and validate `calendar.yaml`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CalendarError([f"calendar.yaml: cannot read: {exc}"]) from exc
    return calendar_from_text(text, kb)

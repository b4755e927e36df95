"""Usage statistics for admins: questions per day, bands, top topics, feedback, tips by status.

Days are the deployment's days (`TZ`, as every time the bot shows): a question asked at 23:30 UTC
counts on the next day in Jakarta. The log keeps UTC times; one query counts them per UTC minute,
and each minute is put on its local day.

The chart is drawn with matplotlib, imported only when a chart is asked for (with the Agg
backend, no display needed), so the bot's start-up does not pay for it.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from bot.answering import store as usage
from bot.answering.answers import Answers
from bot.config import DEFAULT_TIME_ZONE
from bot.tips import store as tips_store
from bot.ui.views import View

BANDS = ("answer", "suggest", "decline")
DAYS = 30


@dataclass(frozen=True)
class DayCount:
    """Questions of one day, per band."""

    day: date
    answer: int = 0
    suggest: int = 0
    decline: int = 0

    @property
    def total(self) -> int:
        return self.answer + self.suggest + self.decline


@dataclass
class Statistics:
    """Figures over the last `len(days)` days (today included)."""

    days: list[DayCount]
    top_topics: list[tuple[str, int]] = field(default_factory=list)  # topic id, answers
    up: int = 0
    down: int = 0
    tips: dict[str, int] | None = None  # None: tips are not set up

    @property
    def total(self) -> int:
        return sum(d.total for d in self.days)

    def rate(self, band: str) -> float:
        """Share of questions in a band, in percent."""
        return 100.0 * sum(getattr(d, band) for d in self.days) / self.total if self.total else 0.0


def collect(
    db: sqlite_utils.Database,
    answers: Answers,
    days: int = DAYS,
    today: date | None = None,
    tz: ZoneInfo | None = None,
) -> Statistics:
    """Count the last `days` local days (in `tz`, by default the deployment's zone), zero-filled,
    from the question log and feedback."""
    tz = tz or answers.renderer.tz or ZoneInfo(DEFAULT_TIME_ZONE)
    today = today or datetime.now(tz).date()
    first = today - timedelta(days=days - 1)
    since = _utc_start(first, tz)
    per_day: dict[date, Counter] = {}
    # One query by UTC minute; each minute falls on one local day.
    for minute, band, n in usage.bands_by_minute(db, since):
        moment = datetime.fromisoformat(minute).replace(tzinfo=UTC)
        per_day.setdefault(moment.astimezone(tz).date(), Counter())[band] += n
    series = []
    for i in range(days):
        day = first + timedelta(days=i)
        counts = per_day.get(day, Counter())
        series.append(DayCount(day, *(counts[b] for b in BANDS)))
    topics: Counter = Counter()
    for entry_id, n in usage.answered_entries(db, since):
        entry = answers.kb.entries.get(entry_id)
        topics[entry.topic if entry else "?"] += n
    up, down = usage.feedback_totals(db, since)
    return Statistics(series, topics.most_common(5), up, down, tips_store.count_by_status(db))


def _utc_start(day: date, tz: ZoneInfo) -> str:
    """The first moment of the local `day`, in the database's format (UTC ISO, seconds)."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    return start.isoformat(timespec="seconds")


def chart_png(stats: Statistics, labels: dict[str, str]) -> bytes:
    """Stacked bars of questions per day and band, as PNG bytes.

    `labels` gives the legend and title texts (from the templates' labels, per language).
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.dates import AutoDateFormatter, AutoDateLocator, date2num
    from matplotlib.ticker import MaxNLocator

    # Day numbers as matplotlib counts them, so the x axis is a date axis.
    xs = [float(date2num(d.day)) for d in stats.days]
    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=100)
    bottom = [0] * len(xs)
    colours = {"answer": "#2e7d32", "suggest": "#f9a825", "decline": "#c62828"}
    for band in BANDS:
        values = [getattr(d, band) for d in stats.days]
        ax.bar(xs, values, bottom=bottom, color=colours[band], label=labels[band], width=0.8)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_title(labels["title"])
    ax.legend(loc="upper left", fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(AutoDateFormatter(locator))
    fig.autofmt_xdate()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def statistics_view(
    db: sqlite_utils.Database, answers: Answers, lang: str, today: date | None = None
) -> tuple[View, bytes, Statistics]:
    """The statistics text, the chart of the last 30 days, and the figures behind both."""
    r = answers.renderer
    stats = collect(db, answers, today=today)
    kb = answers.kb
    votes = stats.up + stats.down
    text = r.render(
        "stats_summary",
        lang,
        days=len(stats.days),
        total=stats.total,
        today=stats.days[-1].total,
        per_day=[(d.day.isoformat(), d.total) for d in stats.days[-7:]],
        rates={b: round(stats.rate(b)) for b in BANDS},
        topics=[
            (kb.topics[t].title[lang] if t in kb.topics else t, n) for t, n in stats.top_topics
        ],
        up=stats.up,
        down=stats.down,
        up_share=round(100 * stats.up / votes) if votes else 0,
        tips=[
            (r.label(f"report_status_{k}", lang) if f"report_status_{k}" in r.labels else k, n)
            for k, n in sorted((stats.tips or {}).items())
        ],
        tips_enabled=stats.tips is not None,
    )
    labels = {b: r.label(f"admin_band_{b}", lang) for b in BANDS}
    labels["title"] = r.label("admin_chart_title", lang, days=len(stats.days))
    return View(text, lang=lang), chart_png(stats, labels), stats

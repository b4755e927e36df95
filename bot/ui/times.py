"""Times as people read them: in the deployment's time zone, e.g. "30 Nov 2026 12:55 WIB".

The database keeps UTC ISO strings (one format, sortable); conversion happens only here, when
a time is shown, so WIB, WITA and WIT deployments differ by one setting (`TZ`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.config import DEFAULT_TIME_ZONE

MONTHS = {
    "id": "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des".split(),
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
}


def _parse(value: str | datetime | date) -> datetime | date:
    if isinstance(value, datetime | date):
        return value
    text = value.strip()
    if len(text) == 10:  # a bare date, e.g. "2026-11-30": no time zone to convert
        return date.fromisoformat(text)
    return datetime.fromisoformat(text)


def local_time(
    value: str | datetime | date | None,
    tz: ZoneInfo | None = None,
    lang: str = "id",
    with_time: bool = True,
) -> str:
    """`value` (an ISO string or datetime, UTC when naive) as "30 Nov 2026 12:55 WIB".

    `with_time=False` gives the day alone ("30 Nov 2026"), still the local day. Empty values
    give "-"; a string that is not a date is returned as it is rather than failing a reply.
    """
    if value is None or value == "":
        return "-"
    try:
        moment = _parse(value)
    except ValueError:
        return str(value)
    months = MONTHS.get(lang, MONTHS["id"])
    if not isinstance(moment, datetime):
        return f"{moment.day} {months[moment.month - 1]} {moment.year}"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(tz or ZoneInfo(DEFAULT_TIME_ZONE))
    day = f"{moment.day} {months[moment.month - 1]} {moment.year}"
    if not with_time:
        return day
    zone = moment.tzname() or ""
    if zone[:1] in "+-":  # zones without a letter abbreviation: "+08" -> "UTC+08"
        zone = "UTC" + zone
    return f"{day} {moment:%H:%M} {zone}".rstrip()

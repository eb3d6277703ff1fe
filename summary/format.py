"""Locale formatting for the renderers: labels, dates, times, numbers, hours, percentages (Babel).

One `Formatter` per rendering, for the summary's language and zone. Hours show one decimal
("3.5 h", "3,5 h"); the JSON output keeps exact seconds.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton, format_time
from babel.numbers import format_decimal, format_percent

from summary.inputs import ConflictRecord
from summary.locales import LABELS
from summary.period import Period

MINUS = "\u2212"


class Formatter:
    def __init__(self, language: str, timezone: str) -> None:
        self.language = language
        self.locale = Locale.parse(language)
        self.zone = ZoneInfo(timezone)
        self.labels = LABELS[language]

    # -- labels ---------------------------------------------------------------------------------

    def t(self, key: str, **params: object) -> str:
        """The label `key`, filled in; a plural label takes the form for `params['count']`."""
        label = self.labels[key]
        count = params.get("count")
        if isinstance(count, (int, float)):
            if not isinstance(label, str):
                label = label.get(self.locale.plural_form(count), label["other"])
            params = {**params, "count": self.number(count)}
        if not isinstance(label, str):
            raise TypeError(f"label {key!r} has plural forms: give it a numeric count")
        return label.format(**params) if params else label

    @property
    def colon(self) -> str:
        """The colon and its spacing: ": " in English, " : " (a non-breaking space first) in French."""
        return self.t("colon")

    @property
    def list_separator(self) -> str:
        return self.t("list_separator")

    # -- numbers --------------------------------------------------------------------------------

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.locale)

    def hours(self, seconds: float) -> str:
        """Seconds as hours with one decimal: "3.5 h"."""
        return self.hours_of(seconds / 3600)

    def hours_of(self, hours: float) -> str:
        # Half up, as a person rounds (2 h 15 is 2.3 h); Babel alone would round half to even.
        value = Decimal(str(hours)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return self.t("hours_unit", value=format_decimal(value, format="#,##0.0", locale=self.locale))

    def signed(self, value: float, hours: bool = False) -> str:
        """A change with its sign: "+2", "−1.5 h"; no sign on what shows as zero."""
        text = self.hours(abs(value)) if hours else self.number(abs(value))
        if text == (self.hours(0) if hours else self.number(0)):
            return text
        return ("+" if value > 0 else MINUS) + text

    def percent(self, ratio: float) -> str:
        return format_percent(ratio, locale=self.locale)

    # -- dates and times ------------------------------------------------------------------------

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.zone)

    def date_long(self, day: date) -> str:
        """ "Monday, November 30, 2026", "lundi 30 novembre 2026"."""
        return format_date(day, "full", locale=self.locale)

    def date_short(self, day: date) -> str:
        """ "Mon, Nov 30", "lun. 30 nov."."""
        return format_skeleton("MMMEd", day, locale=self.locale)

    def day_label(self, day: date) -> str:
        """A chart's day: "Mon 30", "lun. 30"."""
        return format_date(day, "EEE d", locale=self.locale)

    def time(self, instant: datetime) -> str:
        return format_time(self.local(instant), "short", tzinfo=self.zone, locale=self.locale)

    def moment(self, instant: datetime) -> str:
        """ "Mon, Nov 30, 2:05 PM", "lun. 30 nov., 14:05"."""
        local = self.local(instant)
        return f"{self.date_short(local.date())}, {self.time(local)}"

    def due(self, due: date | datetime) -> str:
        """A due: its day, and its time when it has one."""
        if isinstance(due, datetime):
            return self.moment(due)
        return self.date_short(due)

    def field(self, name: str) -> str:
        """A task field's name as people say it in this language ("due" -> "échéance")."""
        key = f"field_{name}"
        return self.t(key) if key in self.labels else name

    def recorded(self, value: str) -> str:
        """A value the journal recorded as text: an ISO day or instant in this language and zone,
        anything else as it is."""
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        if len(value) == len("2026-11-30"):
            return self.date_short(parsed.date())
        return self.moment(parsed) if parsed.tzinfo is not None else value

    def conflict(self, c: ConflictRecord) -> str:
        """One settled conflict: the field and both values in this language, and who won."""
        return self.t(
            "conflict_line",
            item=c.item,
            field=self.field(c.field),
            left=self.recorded(c.left_value),
            left_service=c.left_service,
            right=self.recorded(c.right_value),
            right_service=c.right_service,
            winner=c.winner,
        )

    def period(self, period: Period) -> str:
        if period.kind == "day":
            return self.t("period_day", date=self.date_long(period.first))
        dates = format_interval(period.first, period.last, "yMMMd", locale=self.locale)
        if period.kind == "week":
            return self.t("period_week", week=period.first.isocalendar()[1], dates=dates)
        return self.t("period_range", dates=dates)

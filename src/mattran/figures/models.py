"""Entered totals: a unit's figure for a past period, typed once (issue 11 item 7).

A new office has no records of last year, so its first report would have an
empty previous-year column. Its editor enters last year's figures once, by
figure key (a form or an XLSX of the keys); the engine uses an entered total
for that unit and period in place of the (absent) records, and the report
marks the value as entered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .fields import FigureKeyField


class EnteredTotal(models.Model):
    unit = models.ForeignKey(
        "units.Unit", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="+"
    )
    key = FigureKeyField("mã số liệu")
    period_code = models.CharField("kỳ", max_length=30)
    period_start = models.DateField("từ ngày")
    period_end = models.DateField("đến ngày")
    value = models.BigIntegerField("giá trị")
    note = models.CharField("nguồn / ghi chú", max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField("nhập lúc", auto_now=True)

    class Meta:
        verbose_name = "số liệu nhập tổng"
        verbose_name_plural = "số liệu nhập tổng"
        ordering = ["unit", "period_start", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "key", "period_start", "period_end"],
                name="entered_total_unique",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="entered_total_period_ordered",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="entered_total_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.key} – {self.period_code}: {self.value}"


# ------------------------------------------------------------------ summaries
# Kept in step by database triggers in the writing transaction (see summaries.py);
# never written by application code except `summaries_rebuild`. No foreign keys:
# a unit id read off a record's path, checked by the records' own keys.


class _ActivitySums(models.Model):
    """What both activity summaries keep per unit (subtree or own office), type and time
    bucket (the subclass names the bucket: a month or a quarter)."""

    unit_id = models.BigIntegerField()
    own = models.BooleanField()
    type_id = models.BigIntegerField()
    n = models.BigIntegerField(default=0)
    attendance = models.BigIntegerField(default=0)
    no_attendance = models.BigIntegerField(default=0)
    no_subject = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class ActivitySummary(_ActivitySums):
    """Activity records of a unit's subtree (own=False) or own office (own=True),
    per month and activity type."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "month", "type_id", "own"], name="activity_summary_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}{'*' if self.own else ''} {self.month:%m/%Y} {self.type_id}"


class ActivityQuarterSummary(_ActivitySums):
    """The same sums as `ActivitySummary` per calendar quarter (its first day): a report
    over whole quarters (a 9-month, half-year or year review) reads a third of the rows."""

    quarter = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "quarter", "type_id", "own"], name="activity_quarter_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}{'*' if self.own else ''} {self.quarter:%m/%Y} {self.type_id}"


class MediationSummary(models.Model):
    """Mediation cases received and closed, per unit (subtree or own office) and month."""

    unit_id = models.BigIntegerField()
    own = models.BooleanField()
    month = models.DateField()
    received = models.BigIntegerField(default=0)
    closed = models.BigIntegerField(default=0)
    resolved = models.BigIntegerField(default=0)
    failed = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "month", "own"], name="mediation_summary_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}{'*' if self.own else ''} {self.month:%m/%Y}"


class AggregateSummary(models.Model):
    """Aggregate entries per unit (subtree or own office), data element and entry period."""

    unit_id = models.BigIntegerField()
    own = models.BooleanField()
    element_id = models.BigIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.BigIntegerField(default=0)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "own", "element_id", "period_start", "period_end"],
                name="aggregate_summary_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}{'*' if self.own else ''} {self.element_id} {self.period_start}"


class _LedgerSums(models.Model):
    """What both ledger summaries keep: the entries of the funds of a unit's subtree
    (own=False) or own office (own=True), per time bucket (the subclass names it: a month
    or a quarter), fund kind, entry kind and effective purpose.

    A reversal counts under the kind, effective purpose and quantity of the entry it
    reverses, negated; an entry's effective purpose is its newest "classify" annotation's,
    else its own (see `summaries._ledger_rel`). `lines` counts the entries whatever their
    sign (a figure has a value, possibly 0, once a line is booked); `net` is the signed
    amount every kind of entry adds to a balance."""

    unit_id = models.BigIntegerField()
    own = models.BooleanField()
    fund_kind = models.CharField(max_length=20)
    kind = models.CharField(max_length=20)
    purpose = models.CharField(max_length=20)
    amount = models.BigIntegerField(default=0)
    quantity = models.BigIntegerField(default=0)
    entries = models.BigIntegerField(default=0)
    lines = models.BigIntegerField(default=0)
    net = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class LedgerSummary(_LedgerSums):
    """Ledger entries per month of booking (see `_LedgerSums`)."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "month", "fund_kind", "kind", "purpose", "own"],
                name="ledger_summary_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}{'*' if self.own else ''} {self.month:%m/%Y} {self.fund_kind}"


class LedgerQuarterSummary(_LedgerSums):
    """The same sums per calendar quarter (its first day): a report over whole quarters
    (9 months, half-year, year) reads a third of the rows."""

    quarter = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "quarter", "fund_kind", "kind", "purpose", "own"],
                name="ledger_quarter_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}{'*' if self.own else ''} {self.quarter:%m/%Y} {self.fund_kind}"

"""Validation rules (data, `models.ValidationRule`), run on entry and on every report."""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass

from mattran.activities.models import ActivityType

from .figures import Figure, as_number
from .models import Operator, RuleKind, Severity, Source, ValidationRule
from .rollup import SELF, RawFigures

OPS = {
    Operator.LE: operator.le,
    Operator.LT: operator.lt,
    Operator.EQ: operator.eq,
    Operator.GE: operator.ge,
    Operator.GT: operator.gt,
}
FIELD_LABELS = {
    "attendance": "số người tham dự",
    "subject": "đề án / nội dung",
    "supervised_units": "đơn vị được giám sát",
}
_WORD = re.compile(r"\{(unit|left|right|left_value|right_value|type|count)\}")


def message_format(template: str, **values: object) -> str:
    """Fill {unit}, {left}… in a rule's message; nothing else is interpreted."""
    return _WORD.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)


def rules_active() -> list[ValidationRule]:
    return list(
        ValidationRule.objects.filter(active=True).select_related(
            "left", "right", "activity_type", "left__data_element", "right__data_element"
        )
    )


# ------------------------------------------------------------------ on entry


def activity_errors(
    *,
    rules: list[ValidationRule],
    type: ActivityType,
    attendance: int | None,
    subject: str,
    supervised_count: int,
) -> dict[str, list[str]]:
    """Field -> messages for one activity record about to be saved."""
    errors: dict[str, list[str]] = {}
    present = {
        "attendance": attendance is not None,
        "subject": bool(subject.strip()),
        "supervised_units": supervised_count > 0,
    }
    for rule in rules:
        if rule.kind == RuleKind.REQUIRED_FIELD and rule.activity_type_id == type.pk:
            if not present.get(rule.field, True):
                errors.setdefault(rule.field, []).append(
                    message_format(rule.message, type=type.name)
                )
        elif rule.kind == RuleKind.NON_NEGATIVE and attendance is not None and attendance < 0:
            errors.setdefault("attendance", []).append(
                message_format(rule.message, left="Số người tham dự")
            )
    return errors


def aggregate_errors(
    *,
    rules: list[ValidationRule],
    values: Mapping[str, int | None],
    names: Mapping[str, str],
    unit_name: str,
) -> dict[str, list[str]]:
    """Data element code -> messages for one aggregate entry form (values by element code)."""
    errors: dict[str, list[str]] = {}
    for rule in rules:
        if rule.kind == RuleKind.NON_NEGATIVE:
            for code, value in values.items():
                if value is not None and value < 0:
                    errors.setdefault(code, []).append(
                        message_format(rule.message, left=names.get(code, code))
                    )
        elif rule.kind == RuleKind.COMPARE:
            left, right = rule.left, rule.right
            if left.source != Source.AGGREGATE:
                continue
            lcode = left.data_element.code
            if lcode not in values:
                continue
            if right is not None:
                if right.source != Source.AGGREGATE or right.data_element.code not in values:
                    continue
                rvalue = values[right.data_element.code] or 0
                rname = right.name
            else:
                rvalue, rname = rule.right_constant, str(rule.right_constant)
            lvalue = values[lcode] or 0
            if not OPS[rule.operator](lvalue, rvalue):
                errors.setdefault(lcode, []).append(
                    message_format(
                        rule.message,
                        unit=unit_name,
                        left=left.name,
                        right=rname,
                        left_value=lvalue,
                        right_value=rvalue,
                    )
                )
    return errors


# ---------------------------------------------------------------- on reports


@dataclass(frozen=True)
class RuleFailure:
    rule: ValidationRule
    row: str  # unit name (or the report's unit for the total)
    bucket: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.rule.severity == Severity.ERROR


def report_failures(
    *,
    rules: list[ValidationRule],
    figures: Mapping[str, Figure],
    raw: RawFigures,
    rows: list[tuple[str, str]],  # (bucket key, label) including SELF
    total_label: str,
) -> list[RuleFailure]:
    """Check every rule on every row of the breakdown and on the total (current period)."""
    failures: list[RuleFailure] = []
    for rule in rules:
        if rule.kind == RuleKind.COMPARE:
            left = figures.get(rule.left.code)
            right = figures.get(rule.right.code) if rule.right_id else None
            if left is None or (rule.right_id and right is None):
                continue
            checks = [
                (b, label, left.cell(0, b), right.cell(0, b) if right else rule.right_constant)
                for b, label in rows
            ]
            if len(rows) > 1:  # with one row the total says the same again
                rtotal = right.totals.get(0) if right else rule.right_constant
                checks.append(("total", total_label, left.totals.get(0), rtotal))
            for bucket, label, lv, rv in checks:
                ln, rn = as_number(lv), as_number(rv)
                if ln is None or rn is None or OPS[rule.operator](ln, rn):
                    continue
                failures.append(
                    RuleFailure(
                        rule,
                        label,
                        bucket,
                        message_format(
                            rule.message,
                            unit=label,
                            left=rule.left.name,
                            right=rule.right.name if rule.right_id else rule.right_constant,
                            left_value=left.text(lv),
                            right_value=right.text(rv) if right else rv,
                        ),
                    )
                )
        elif rule.kind == RuleKind.REQUIRED_FIELD and rule.field in ("attendance", "subject"):
            column = 2 if rule.field == "attendance" else 3
            for bucket, label in rows:
                missing = raw.activity.get((0, bucket, rule.activity_type_id))
                n = missing[column] if missing else 0
                if n:
                    failures.append(
                        RuleFailure(
                            rule,
                            label,
                            bucket,
                            f"{label}: {n} hoạt động “{rule.activity_type.name}” chưa ghi "
                            f"{FIELD_LABELS[rule.field]}.",
                        )
                    )
    return failures


__all__ = ["SELF", "RuleFailure", "activity_errors", "aggregate_errors", "report_failures"]

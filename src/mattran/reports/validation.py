"""Validation rules (data, `models.ValidationRule`), run on entry and on every report."""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass

from mattran.activities.models import ActivityType
from mattran.figures.engine import FigureSet
from mattran.figures.keys import FigureKey, KeySyntaxError, key_make, key_parse
from mattran.figures.scope import SELF

from .figures import Figure, as_number
from .models import Indicator, Operator, RuleKind, Severity, ValidationRule

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
        ValidationRule.objects.filter(active=True).select_related("left", "right", "activity_type")
    )


def required_field_key(rule: ValidationRule) -> FigureKey | None:
    """The figure that counts records missing the field a REQUIRED_FIELD rule asks for."""
    if rule.kind != RuleKind.REQUIRED_FIELD or rule.field not in ("attendance", "subject"):
        return None
    return key_make(f"activities.missing_{rule.field}", {"types": rule.activity_type.code})


def _element(indicator: Indicator | None) -> str:
    """The data element code of an indicator entered as an aggregate, else ""."""
    if indicator is None:
        return ""
    try:
        key = key_parse(indicator.figure_key)
    except KeySyntaxError:
        return ""
    return key.get("element") if key.family == "aggregates.value" else ""


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
            lcode = _element(left)
            if not lcode or lcode not in values:
                continue
            if right is not None:
                rcode = _element(right)
                if not rcode or rcode not in values:
                    continue
                rvalue = values[rcode] or 0
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
    figure_set: FigureSet,
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
        elif (key := required_field_key(rule)) is not None:
            missing = figure_set.get(key)
            for bucket, label in rows:
                n = missing.cell(0, bucket) if missing else 0
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

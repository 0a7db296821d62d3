"""Plain-text rendering of a report (the console's `mattran report … --format text`).

An approved report prints the approved text and figures (`selectors.report_as_approved`),
says so, marks an indicator added later and lists the figures that differ now."""

from __future__ import annotations

from django.utils import timezone

from ..selectors import Report

NEW = "  (mới, sau khi duyệt)"


def report_text(report: Report) -> str:
    lines = [
        f"ỦY BAN MTTQ VIỆT NAM {report.unit_name.upper()}",
        "",
        "BÁO CÁO",
        report.title,
        f"({report.version.name})",
        "",
    ]
    if report.approved:
        sub = report.submission
        when = f" ngày {timezone.localtime(sub.decided_at):%d/%m/%Y}" if sub.decided_at else ""
        lines += [f"Số liệu và lời văn đã duyệt{when}.", ""]
    for i, (heading, paragraph) in enumerate(report.shown_sections, start=1):
        lines += [f"{i}. {heading}", paragraph, ""]
    lines.append(f"SỐ LIỆU ({report.period.label}; cùng kỳ {report.previous.label})")
    width = max((len(f.indicator.name) for f in report.table_figures), default=20)
    for f in report.table_figures:
        lines.append(
            f"  {f.indicator.name:<{width}}  {f.total_text:>16}  {f.previous_text:>16}"
            + (NEW if f.is_new else "")
        )
    changes = report.changes_since_approval()
    if changes:
        lines += ["", "SỐ LIỆU ĐÃ THAY ĐỔI SAU KHI PHÊ DUYỆT (báo cáo giữ số đã duyệt):"]
        lines += [f"  - {c.name}: đã duyệt {c.approved}, hiện nay {c.live}" for c in changes]
    if report.split_notes:
        lines += ["", "Không tính vào số liệu (đơn vị cũ chia tách cho nhiều đơn vị mới):"]
        for n in report.split_notes:
            lines.append(
                f"  {n.unit.name} ({n.unit.version.name}): {n.activities} hoạt động, "
                f"{n.mediation} vụ việc hòa giải → {', '.join(u.name for u in n.successors)}"
            )
    if report.failures:
        lines += ["", "KIỂM TRA SỐ LIỆU:"]
        lines += [f"  - {f.message}" for f in report.failures]
    return "\n".join(lines) + "\n"

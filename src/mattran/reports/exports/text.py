"""Plain-text rendering of a report (the console's `mattran report … --format text`)."""

from __future__ import annotations

from ..selectors import Report


def report_text(report: Report) -> str:
    lines = [
        f"ỦY BAN MTTQ VIỆT NAM {report.unit_name.upper()}",
        "",
        "BÁO CÁO",
        report.title,
        f"({report.version.name})",
        "",
    ]
    said = [s for s in report.sections if s.paragraph]
    for i, section in enumerate(said, start=1):
        lines += [f"{i}. {section.heading}", section.paragraph, ""]
    lines.append(f"SỐ LIỆU ({report.period.label}; cùng kỳ {report.previous.label})")
    width = max((len(f.indicator.name) for f in report.table_figures), default=20)
    for f in report.table_figures:
        lines.append(f"  {f.indicator.name:<{width}}  {f.total_text:>16}  {f.previous_text:>16}")
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

"""Draft a Vietnamese news article from a conference record or a period report.

The wording follows the Front's own news items (the seeds are two of them):
"Sáng 13/01/2023, Ủy ban MTTQ Việt Nam quận Thanh Xuân tổ chức Hội nghị …
Dự Hội nghị có đồng chí … Tại Hội nghị, … nhấn mạnh 09 nhiệm vụ trọng tâm …"
A draft is a starting point for an editor, never published as is without a
person pressing "publish". Pure functions: no database access here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mattran.core.periods import Period, PeriodKind
from mattran.emulation.wording import committee_name, split_kind


@dataclass(frozen=True)
class Draft:
    title: str
    lead: str
    body: str  # paragraphs separated by a blank line
    author_line: str


SESSIONS = {"morning": "Sáng", "noon": "Trưa", "afternoon": "Chiều", "evening": "Tối"}


def part_of_day(t: dt.time | None, session: str = "") -> str:
    if session in SESSIONS:
        return SESSIONS[session]
    if t is None:
        return "Ngày"
    if t.hour < 11:
        return "Sáng"
    if t.hour < 13:
        return "Trưa"
    if t.hour < 18:
        return "Chiều"
    return "Tối"


def count_word(n: int) -> str:
    """Counts as Front reports write them: "09", "16", "02"."""
    return f"{n:02d}"


def _comrade(name: str, title: str) -> str:
    name = name.strip()
    if not name:
        return title
    return f"đồng chí {name} – {title}" if title else f"đồng chí {name}"


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else text + "."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _join_items(items: list[str]) -> str:
    """Items of a list inside one sentence, separated as the seeds do: "a; b; c"."""
    cleaned = [i.strip().rstrip(".;") for i in items if i.strip()]
    return "; ".join(cleaned)


def author_line(unit) -> str:
    kind, _ = split_kind(unit.name)
    return f"Ủy ban MTTQ Việt Nam {kind.lower()}".strip() if kind else committee_name(unit)


def draft_from_conference(record) -> Draft:
    """A draft from `mattran.emulation.selectors.conference_record(...)`."""
    c = record.conference
    unit = c.unit
    committee = committee_name(unit)
    year = c.key_task_year or c.held_on.year
    paragraphs: list[str] = []

    # 1. Who met, when, and who attended.
    opening = (
        f"{part_of_day(c.starts_at, c.session)} {c.held_on:%d/%m/%Y}, {committee} tổ chức {c.title}"
        + (f" tại {c.place}" if c.place else "")
        + "."
    )
    guests = [a for a in record.attendees if a.is_guest and (a.headcount or 1) == 1]
    groups = [a for a in record.attendees if (a.headcount or 1) > 1]
    attendance = ""
    if guests:
        attendance = "Dự Hội nghị có " + ", ".join(_comrade(a.full_name, a.title) for a in guests)
    if groups:
        group_text = " và ".join(f"{count_word(a.headcount)} vị là {a.title}" for a in groups)
        attendance += (" cùng sự có mặt của " if attendance else "Dự Hội nghị có ") + group_text
    if attendance:
        opening += " " + attendance + "."
    paragraphs.append(opening)

    # 2. The key tasks launched.
    if record.key_tasks:
        who = (
            f"thay mặt Ban Thường trực {committee}, {_comrade(c.chair.full_name, c.chair_title)} "
            if c.chair
            else ""
        )
        paragraphs.append(
            f"Tại Hội nghị, {who}đã phát động thi đua, nhấn mạnh "
            f"{count_word(len(record.key_tasks))} nhiệm vụ trọng tâm cần tập trung trong năm "
            f"{year}, đó là: " + _join_items([t.text for t in record.key_tasks]) + "."
        )
    elif c.chair:
        paragraphs.append(
            _sentence(f"{_comrade(c.chair.full_name, c.chair_title)} chủ trì Hội nghị")
        )

    # 3. The pledges and their key targets.
    for pledge in record.pledges:
        criteria = record.criteria.get(pledge.pk, [])
        if not criteria:
            continue
        paragraphs.append(
            f"Đối với {_lower_first(pledge.title)}, Hội nghị thống nhất "
            f"{count_word(len(criteria))} chỉ tiêu trọng tâm cần tập trung phấn đấu trong năm "
            f"{pledge.year}, gồm: " + _join_items([cr.text for cr in criteria]) + "."
        )

    # 4. Speeches and other agenda items.
    for item in record.agenda:
        speaker = item.speaker.strip()
        if speaker:
            if not speaker.lower().startswith("đồng chí"):
                speaker = "đồng chí " + speaker
            paragraphs.append(_sentence(f"{speaker} {_lower_first(item.content)}"))
        else:
            paragraphs.append(_sentence(item.content))

    # 5. What was signed.
    signed = []
    if record.programs:
        signed.append(
            f"chương trình phối hợp công tác năm {year} giữa {committee} với "
            f"{count_word(len(record.programs))} tổ chức thành viên"
        )
    for pledge in record.pledges:
        members = record.pledge_members.get(pledge.pk, [])
        kinds = {split_kind(u.name)[0].lower() for u in members}
        kind = kinds.pop() if len(kinds) == 1 and "" not in kinds else "đơn vị"
        signed.append(f"giao ước thi đua năm {pledge.year} giữa Ủy ban MTTQ {len(members)} {kind}")
    if signed:
        paragraphs.append(
            "Dưới sự chứng kiến của các đồng chí lãnh đạo, Hội nghị đã tiến hành ký kết "
            + " và ".join(signed)
            + "."
        )

    # 6. Awards handed out.
    if record.decisions:
        awards = []
        collective = individual = 0
        years = set()
        for d in record.decisions:
            awards.append(d.award_type.name[0].lower() + d.award_type.name[1:])
            years.add(d.achievement_year)
            for r in record.commendations.get(d.pk, []):
                if r.is_collective:
                    collective += 1
                else:
                    individual += 1
        who = []
        if collective:
            who.append(f"{count_word(collective)} tập thể")
        if individual:
            who.append(f"{count_word(individual)} cá nhân")
        year_text = ", ".join(str(y) for y in sorted(years))
        paragraphs.append(
            f"Tại Hội nghị, {committee} đã biểu dương và trao "
            + ", ".join(dict.fromkeys(awards))
            + (f" cho {' và '.join(who)}" if who else "")
            + f" có thành tích xuất sắc trong công tác Mặt trận năm {year_text}."
        )

    if c.summary:
        paragraphs.extend(p.strip() for p in c.summary.split("\n") if p.strip())

    # A headline carries the conference's main title only (up to its first ";").
    title = f"{committee} tổ chức {c.title.split(';')[0].strip()}"
    return Draft(
        title=title,
        lead=paragraphs[0],
        body="\n\n".join(paragraphs),
        author_line=author_line(unit),
    )


def review_word(period: Period) -> str:
    return "tổng kết" if period.kind == PeriodKind.YEAR else "sơ kết"


def draft_from_report(
    *,
    unit,
    period: Period,
    paragraphs: list[str],
    held_on: dt.date | None = None,
    starts_at: dt.time | None = None,
    session: str = "",
    chair_name: str = "",
    chair_title: str = "",
) -> Draft:
    """A draft from a period report's narrative paragraphs (seed 003's shape)."""
    committee = committee_name(unit)
    word = review_word(period)
    title = f"{committee} {word} công tác Mặt trận {period.label}"
    if held_on is not None:
        lead = (
            f"{part_of_day(starts_at, session)} ngày {held_on.day}/{held_on.month}, {committee} "
            "đã tổ chức "
            f"Hội nghị {word.capitalize()} công tác Mặt trận {period.label}."
        )
    else:
        lead = f"{committee} {word} công tác Mặt trận {period.label}."
    if chair_name:
        lead += " " + _sentence(f"{_comrade(chair_name, chair_title)} chủ trì Hội nghị")
    body = [lead, *(p.strip() for p in paragraphs if p and p.strip())]
    return Draft(title=title, lead=lead, body="\n\n".join(body), author_line=author_line(unit))

"""How a criterion is judged and ranked (pure functions, no database).

`assess` turns what the data says about one unit (a measure value against its
target, whether evidence exists, the rating given by the level above) into a
status and the points the data supports. The unit's self-score starts from
these points; the organiser may change them, with a reason.

`rank` orders units by total points with standard competition ranking: units
with equal totals share a rank and the next rank skips ("1, 2, 2, 4"). Ties are
not broken by any hidden rule; the ranking page says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .models import CriterionKind, Rating

ZERO = Decimal(0)
STEP = Decimal("0.01")


class Status:
    NO_TARGET = "no_target"
    NO_DATA = "no_data"
    NOT_MET = "not_met"
    MET = "met"
    EXCEEDED = "exceeded"


STATUS_LABELS = {
    Status.NO_TARGET: "Chưa giao chỉ tiêu",
    Status.NO_DATA: "Chưa có dữ liệu",
    Status.NOT_MET: "Chưa đạt",
    Status.MET: "Đạt",
    Status.EXCEEDED: "Vượt",
}

STATUS_CSS = {
    Status.NO_TARGET: "secondary",
    Status.NO_DATA: "secondary",
    Status.NOT_MET: "warning",
    Status.MET: "success",
    Status.EXCEEDED: "primary",
}


@dataclass(frozen=True)
class Assessment:
    status: str
    points: Decimal | None
    ratio: Decimal | None = None  # value / target, for progress bars
    note: str = ""

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def css(self) -> str:
        return STATUS_CSS[self.status]

    @property
    def met(self) -> bool:
        return self.status in (Status.MET, Status.EXCEEDED)

    @property
    def percent(self) -> int | None:
        """Progress for a bar, capped at 100."""
        if self.ratio is None:
            return None
        return int(min(self.ratio * 100, Decimal(100)))


def _round(points: Decimal) -> Decimal:
    return points.quantize(STEP, rounding=ROUND_HALF_UP)


def _penalty(criterion) -> Decimal:
    return -criterion.penalty_points if criterion.penalty_points else ZERO


def assess(
    criterion,
    *,
    value=None,
    target: int | None = None,
    target_max: int | None = None,
    has_evidence: bool = False,
    rating: str | None = None,
) -> Assessment:
    """Judge one unit against one criterion."""
    kind = criterion.kind
    points = criterion.points
    if kind == CriterionKind.REQUIREMENT:
        if has_evidence:
            return Assessment(Status.MET, points, Decimal(1))
        return Assessment(Status.NOT_MET, _penalty(criterion), ZERO)

    if kind == CriterionKind.RATING:
        if rating is None:
            return Assessment(Status.NO_DATA, None)
        by_rating = {
            Rating.EXCELLENT: points,
            Rating.GOOD: criterion.points_good if criterion.points_good is not None else points,
            Rating.DONE: criterion.points_done if criterion.points_done is not None else ZERO,
            Rating.NOT_DONE: _penalty(criterion),
        }
        met = rating in (Rating.EXCELLENT, Rating.GOOD)
        return Assessment(
            Status.MET if met else Status.NOT_MET,
            _round(by_rating[rating]),
            Decimal(1) if met else ZERO,
            Rating(rating).label,
        )

    # Targets on a measure.
    if target is None:
        return Assessment(Status.NO_TARGET, None)
    if value is None:
        return Assessment(Status.NO_DATA, None)
    value = Decimal(value)
    tgt = Decimal(target)
    ratio = value / tgt if tgt > 0 else Decimal(1)
    if value >= tgt:
        if kind == CriterionKind.RANGE:
            note = ""
            if target_max is not None and value > target_max:
                note = f"vượt mức tối đa của kế hoạch ({target_max})"
            return Assessment(Status.MET, points, ratio, note)
        if value > tgt and criterion.bonus_points:
            return Assessment(Status.EXCEEDED, points + criterion.bonus_points, ratio)
        return Assessment(Status.EXCEEDED if value > tgt else Status.MET, points, ratio)
    if criterion.partial_credit and tgt > 0:
        return Assessment(Status.NOT_MET, _round(points * value / tgt), ratio)
    return Assessment(Status.NOT_MET, _penalty(criterion), ratio)


@dataclass(frozen=True)
class Ranked:
    unit_id: int
    total: Decimal
    rank: int
    tied: bool


def rank(totals: Iterable[tuple[int, Decimal]]) -> list[Ranked]:
    """Competition ranking ("1, 2, 2, 4"); order within a tie is by the given order."""
    items = sorted(totals, key=lambda t: -t[1])
    counts: dict[Decimal, int] = {}
    for _, total in items:
        counts[total] = counts.get(total, 0) + 1
    out: list[Ranked] = []
    current_rank = 0
    previous: Decimal | None = None
    for position, (unit_id, total) in enumerate(items, start=1):
        if total != previous:
            current_rank = position
            previous = total
        out.append(Ranked(unit_id, total, current_rank, counts[total] > 1))
    return out


def format_points(points: Decimal | None) -> str:
    """Points as Vietnamese print them: 100, 12,5, -2, "—" for none."""
    if points is None:
        return "—"
    points = _round(Decimal(points))
    if points == 0:
        return "0"
    text = format(points.normalize(), "f")
    return text.replace(".", ",")


def validate_points(criterion, points: Decimal) -> str | None:
    """A Vietnamese message if `points` is outside what the criterion allows."""
    low = -criterion.penalty_points
    high = criterion.points + criterion.bonus_points
    if points < low or points > high:
        return (
            f"Tiêu chí {criterion.code}: điểm phải từ {format_points(low)} "
            f"đến {format_points(high)}."
        )
    if _round(points) != points:
        return f"Tiêu chí {criterion.code}: điểm chỉ lấy tối đa 2 chữ số thập phân."
    return None

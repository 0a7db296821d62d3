"""Emulation's figure families, registered once in the figures layer (`AppConfig.ready`).

- ``emulation.ratings(rating=…, level=…, measure=count|rate)``: units rated by the
  level above for the year of the period's end (e.g. Front work boards of
  residential areas rated good or excellent, as a count or a share of them);
- ``emulation.programs_signed``: coordination programmes signed in the period;
- ``emulation.entries(item=…)``: figures entered by hand (`MeasureEntry`) for
  what no record yields;
- ``commendations.count(recipient=…, award=…, level=…)``: recipients of
  commendation decisions signed in the period, by collective/individual,
  award type and the level of the unit that keeps the decision;
- ``conferences.count(kind=…)``: conferences and congresses held in the period,
  with their names (``names``) for a narrative.

Each source is one grouped query over the scope, with the user's access.
Records of other structure versions are not carried over here (emulation
records are kept in the version in force when they are made).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, Q, Sum, Value, When

from mattran.figures.registry import Family, Param, family_register, source_register
from mattran.figures.scope import access_sql, paths_sql, scope_paths
from mattran.figures.values import FigureValues, Rate
from mattran.units.models import Level

LEVELS = {
    "province": Level.PROVINCE,
    "district": Level.DISTRICT,
    "commune": Level.COMMUNE,
    "residential_area": Level.RESIDENTIAL_AREA,
}
LEVEL_LABELS = {
    "province": "cấp tỉnh",
    "district": "cấp huyện",
    "commune": "cấp xã",
    "residential_area": "khu dân cư",
}
# Figures no record yields, entered by hand by the unit (`MeasureEntry`): label, unit.
MANUAL_ITEMS = {
    "mo_hinh_dien_hinh": ("Mô hình điển hình tiêu biểu, tổ tự quản xây dựng mới", "mô hình"),
}


def _ratings() -> dict[str, str]:
    from .models import Rating

    return dict(Rating.choices)


def _award_types() -> dict[str, str]:
    from .models import AwardType

    return dict(AwardType.objects.order_by("order", "name").values_list("code", "name"))


def _conference_kinds() -> dict[str, str]:
    from .models import ConferenceKind

    return dict(ConferenceKind.choices)


def _period_case(field_name: str, periods) -> SqlCase:
    return SqlCase(
        *[
            When(**{f"{field_name}__range": (p.start, p.end)}, then=Value(i))
            for i, p in enumerate(periods)
        ],
        output_field=IntegerField(),
    )


def _periods_q(field_name: str, periods) -> Q:
    q = Q(pk__in=[])
    for p in periods:
        q |= Q(**{f"{field_name}__range": (p.start, p.end)})
    return q


def _rows_sql(
    request, tail: str, day: str, *, select: str, group: str = "", order: str = ""
) -> tuple[str, list]:
    """A plain SQL statement of rows (period index, unit path, …) over the scope's units
    ("u") the user may see, in the periods (on the `day` column): `SELECT <pidx>, u.path,
    <select><tail> WHERE … <group> <order>`. Plain SQL: no ORM compile per report."""
    periods = request.periods
    days = [(p.start.isoformat(), p.end.isoformat()) for p in periods]
    flat = [d for pair in days for d in pair]
    inside, params = paths_sql("u.path", scope_paths(request.scope))
    where = [inside]
    access, more = access_sql(request.user, "u.path")
    if access:
        where.append(access)
        params += more
    where.append("(" + " OR ".join(f"{day} BETWEEN %s AND %s" for _ in days) + ")")
    params += flat
    pidx = " ".join(f"WHEN {day} BETWEEN %s AND %s THEN {i}" for i in range(len(days)))
    sql = (
        f"SELECT CASE {pidx} END, u.path, {select}{tail} "  # noqa: S608 - constants only
        f"WHERE {' AND '.join(where)} {group} {order}"
    )
    return sql, [*flat, *params]


def _fill(fv: FigureValues, request, cells: dict) -> FigureValues:
    for pidx in range(len(request.periods)):
        for b in request.scope.bucket_keys:
            fv.cells[(pidx, b)] = cells.get((pidx, b), 0)
    return fv


# ---------------------------------------------------------------------- ratings


def ratings_compute(request, keys) -> dict:
    from mattran.units.models import Unit

    from .models import Rating

    scope, periods = request.scope, request.periods
    years = sorted({p.end.year for p in periods})
    annotations = {}
    for year in years:
        for rating in Rating.values:
            annotations[f"r_{year}_{rating}"] = Count(
                "ratings", filter=Q(ratings__year=year, ratings__rating=rating)
            )
    rows = (
        Unit.objects.filter(scope.subtree_q(""), request.access(""))
        .annotate(bucket=scope.bucket_expr("path"))
        .values("bucket", "level")
        .annotate(units=Count("id", distinct=True), **annotations)
        .order_by()
    )
    # (bucket, level) -> {"units": n, (year, rating): n}
    table: dict[tuple[str, int], dict] = defaultdict(dict)
    for row in rows:
        cell = table[(row["bucket"], row["level"])]
        cell["units"] = cell.get("units", 0) + row["units"]
        for year in years:
            for rating in Rating.values:
                k = (year, rating)
                cell[k] = cell.get(k, 0) + row[f"r_{year}_{rating}"]
    out = {}
    for key in keys:
        ratings = set(key.get_all("rating")) or {Rating.EXCELLENT, Rating.GOOD}
        levels = {LEVELS[x] for x in key.get_all("level")} or {Level.RESIDENTIAL_AREA}
        as_rate = key.get("measure", "count") == "rate"
        fv = FigureValues(key=key)

        def sums(buckets, pidx, ratings=ratings, levels=levels):
            year = periods[pidx].end.year
            rated = total = 0
            for (b, level), cell in table.items():
                if b in buckets and level in levels:
                    total += cell.get("units", 0)
                    rated += sum(cell.get((year, r), 0) for r in ratings)
            return rated, total

        for pidx in range(len(periods)):
            for b in scope.bucket_keys:
                rated, total = sums({b}, pidx)
                fv.cells[(pidx, b)] = Rate(rated, total) if as_rate else rated
            if as_rate:
                fv.totals[pidx] = Rate(*sums(set(scope.bucket_keys), pidx))
                fv.own[pidx] = fv.cells[(pidx, "self")]
                fv.children[pidx] = Rate(*sums(set(scope.child_keys), pidx))
        out[key] = fv
    return out


# -------------------------------------------------------- programmes, hand entries


def programs_compute(request, keys) -> dict:
    from .models import CoordinationProgram, ProgramStatus

    scope, periods = request.scope, request.periods
    rows = (
        CoordinationProgram.objects.filter(
            scope.subtree_q("unit__"),
            request.access("unit__"),
            _periods_q("signed_on", periods),
            status=ProgramStatus.SIGNED,
        )
        .annotate(pidx=_period_case("signed_on", periods), bucket=scope.bucket_expr("unit__path"))
        .values_list("pidx", "bucket")
        .annotate(n=Count("id"))
        .order_by()
    )
    cells = {(p, b): n for p, b, n in rows}
    return {key: _fill(FigureValues(key=key), request, cells) for key in keys}


def entries_compute(request, keys) -> dict:
    from .models import MeasureEntry

    scope, periods = request.scope, request.periods
    rows = (
        MeasureEntry.objects.filter(
            scope.subtree_q("unit__"),
            request.access("unit__"),
            _periods_q("on", periods),
            measure_key__in=[str(k) for k in keys],
        )
        .annotate(pidx=_period_case("on", periods), bucket=scope.bucket_expr("unit__path"))
        .values_list("measure_key", "pidx", "bucket")
        .annotate(total=Sum("value"))
        .order_by()
    )
    cells: dict[str, dict] = defaultdict(dict)
    for mkey, p, b, total in rows:
        cells[mkey][(p, b)] = total
    return {key: _fill(FigureValues(key=key), request, cells[str(key)]) for key in keys}


# ---------------------------------------------------------------- commendations


def _commendations_sql(request) -> tuple[str, list]:
    return _rows_sql(
        request,
        "CASE WHEN c.recipient_person_id IS NOT NULL THEN 1 ELSE 0 END, COUNT(c.id) "
        "FROM emulation_commendation c "
        "JOIN emulation_commendationdecision d ON d.id = c.decision_id "
        "JOIN emulation_awardtype a ON a.id = d.award_type_id "
        "JOIN units_unit u ON u.id = d.unit_id",
        "d.signed_on",
        select="a.code, u.level, ",
        group="GROUP BY 1, 2, 3, 4, 5",
    )


def commendations_prepare(request, keys) -> None:
    request.batch.add(*_commendations_sql(request))


def commendations_compute(request, keys) -> dict:
    scope = request.scope
    rows = [
        (pidx, scope.bucket_of_path(path), award, level, individual, n)
        for pidx, path, award, level, individual, n in request.batch.fetch(
            *_commendations_sql(request)
        )
    ]
    out = {}
    for key in keys:
        recipient = key.get("recipient")
        awards = set(key.get_all("award"))
        levels = {LEVELS[x] for x in key.get_all("level")}
        cells: dict[tuple[int, str], int] = defaultdict(int)
        for pidx, bucket, award, level, individual, n in rows:
            if recipient == "collective" and individual:
                continue
            if recipient == "individual" and not individual:
                continue
            if (awards and award not in awards) or (levels and level not in levels):
                continue
            cells[(pidx, bucket)] += n
        out[key] = _fill(FigureValues(key=key), request, cells)
    return out


# ------------------------------------------------------------------ conferences


def _conferences_sql(request) -> tuple[str, list]:
    return _rows_sql(
        request,
        "c.title FROM emulation_conference c JOIN units_unit u ON u.id = c.unit_id",
        "c.held_on",
        select="c.kind, ",
        order="ORDER BY c.held_on, c.id",
    )


def conferences_prepare(request, keys) -> None:
    request.batch.add(*_conferences_sql(request))


def conferences_compute(request, keys) -> dict:
    scope = request.scope
    rows = [
        (pidx, scope.bucket_of_path(path), kind, title)
        for pidx, path, kind, title in request.batch.fetch(*_conferences_sql(request))
    ]
    out = {}
    for key in keys:
        kinds = set(key.get_all("kind"))
        cells: dict[tuple[int, str], int] = defaultdict(int)
        fv = FigureValues(key=key)
        for pidx, bucket, kind, title in rows:
            if kinds and kind not in kinds:
                continue
            cells[(pidx, bucket)] += 1
            fv.names.setdefault(pidx, []).append(title)
        out[key] = _fill(fv, request, cells)
    return out


# ------------------------------------------------------------------- register


def register() -> None:
    source_register("emulation.ratings", ratings_compute)
    source_register("emulation.programs", programs_compute)
    source_register("emulation.entries", entries_compute)
    source_register("commendations", commendations_compute, prepare=commendations_prepare)
    source_register("conferences", conferences_compute, prepare=conferences_prepare)
    levels = Param("level", "Cấp đơn vị", lambda: LEVEL_LABELS, multi=True)
    family_register(
        Family(
            "emulation.ratings",
            "Đơn vị được cấp trên xếp loại (số đơn vị hoặc tỷ lệ)",
            "emulation.ratings",
            (
                Param("rating", "Xếp loại", _ratings, multi=True),
                levels,
                Param(
                    "measure",
                    "Đo",
                    lambda: {"count": "số đơn vị", "rate": "tỷ lệ trên tổng số"},
                    default="count",
                ),
            ),
            unit_label="đơn vị",
            additive=False,
        )
    )
    family_register(
        Family(
            "emulation.programs_signed",
            "Chương trình phối hợp đã ký với tổ chức thành viên",
            "emulation.programs",
            unit_label="chương trình",
        )
    )
    family_register(
        Family(
            "emulation.entries",
            "Số liệu đơn vị nhập tay",
            "emulation.entries",
            (
                Param(
                    "item",
                    "Nội dung",
                    lambda: {k: label for k, (label, _) in MANUAL_ITEMS.items()},
                    required=True,
                ),
            ),
        )
    )
    family_register(
        Family(
            "commendations.count",
            "Số tập thể, cá nhân được khen thưởng",
            "commendations",
            (
                Param(
                    "recipient",
                    "Đối tượng",
                    lambda: {"collective": "tập thể", "individual": "cá nhân"},
                ),
                Param("award", "Hình thức khen thưởng", _award_types, multi=True),
                Param("level", "Cấp lưu quyết định", lambda: LEVEL_LABELS, multi=True),
            ),
            unit_label="lượt",
        )
    )
    family_register(
        Family(
            "conferences.count",
            "Số hội nghị, đại hội đã tổ chức",
            "conferences",
            (Param("kind", "Loại hội nghị", _conference_kinds, multi=True),),
            unit_label="hội nghị",
        )
    )

"""What a computation covers, and how records of other structure versions count in it.

A scope is one unit's subtree split into *buckets* (the unit's own office,
"self", and each child's subtree), a whole structure version split by its
roots (the nation), or a set of peer units (e.g. the wards of an emulation
cluster), each its own bucket. A bucket key is the child's (or peer's) id as
text, so a record's bucket is read off its materialised path.

Structure versions. A record belongs to the unit it happened in, in that
unit's version. A computation under another version carries records over
through `units.Lineage` (in either direction), with this rule:

    A record counts at the *lowest unit of the requested version that contains
    every unit its own unit became* (the lowest common ancestor of its
    lineage successors). A ward merged whole into a new ward counts in that
    ward. A ward split among several new wards ("part" lineage) counts in
    their common parent; in a breakdown it appears on a separate row
    ("other"), because no record says in which part it happened. A scope on
    one of those new wards does not count it (`Attribution.bucket is None`),
    so nothing is double counted or silently lost. Units without lineage rows
    inherit it: a residential area follows its ward; an old district office
    takes the union of its wards' successors.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import StrIndex, Substr

from mattran.access.policy import Perm, policy_for
from mattran.core import versions
from mattran.units.models import Lineage, StructureVersion, Unit

SELF = "self"
OTHER = "other"  # carried over from another version, not attributable to one bucket


@dataclass(frozen=True)
class Scope:
    """One unit's subtree, a whole version (unit None), or a set of peers (peers=True)."""

    version: StructureVersion
    unit: Unit | None  # None: the version's roots, or peers
    children: tuple[Unit, ...]  # the buckets below the unit (or the roots, or the peers)
    root_paths: tuple[str, ...]  # version roots or peers, used when unit is None
    peers: bool = False

    @property
    def path(self) -> str:
        return self.unit.path if self.unit else "/"

    def subtree_q(self, prefix: str = "unit_") -> Q:
        if self.unit is not None:
            return Unit.subtree_q(self.unit.path, prefix)
        q = Q(pk__in=[])
        for p in self.root_paths:
            q |= Unit.subtree_q(p, prefix)
        return q

    def bucket_of_path(self, path: str) -> str | None:
        """The bucket key of a unit path of this version, None if outside the scope."""
        if self.peers:
            for c in self.children:
                if path.startswith(c.path):
                    return str(c.pk)
            return None
        base = self.path
        if not path.startswith(base):
            return None
        rest = path[len(base) :]
        if not rest:
            return SELF
        return rest.split("/", 1)[0]

    def bucket_expr(self, field_name: str = "unit_path") -> Case:
        """The bucket of a row's unit path, computed in SQL."""
        if self.peers:
            return Case(
                *[
                    When(Unit.subtree_q(c.path, field_name[: -len("path")]), then=Value(str(c.pk)))
                    for c in self.children
                ],
                default=Value(""),
                output_field=CharField(),
            )
        base = self.path
        rest = Substr(field_name, len(base) + 1)
        return Case(
            When(**{field_name: base}, then=Value(SELF)),
            default=Substr(rest, 1, StrIndex(rest, Value("/")) - 1),
            output_field=CharField(),
        )

    @cached_property
    def bucket_keys(self) -> tuple[str, ...]:
        """Every bucket: the unit's own office, each child, "other" (computed once: a
        province report reads it thousands of times)."""
        return (SELF, *self.child_keys, OTHER)

    @cached_property
    def child_keys(self) -> tuple[str, ...]:
        return tuple(str(c.pk) for c in self.children)

    @cached_property
    def _cells(self) -> dict:
        return {}

    def bucket_cells(self, pidx: int) -> tuple[tuple[int, str], ...]:
        """The cell keys (pidx, bucket) of every bucket, made once per period index."""
        cells = self._cells.get(("all", pidx))
        if cells is None:
            cells = self._cells[("all", pidx)] = tuple((pidx, b) for b in self.bucket_keys)
        return cells

    def child_cells(self, pidx: int) -> tuple[tuple[int, str], ...]:
        """The cell keys (pidx, child bucket), made once per period index."""
        cells = self._cells.get(("children", pidx))
        if cells is None:
            cells = self._cells[("children", pidx)] = tuple((pidx, b) for b in self.child_keys)
        return cells


def scope_build(*, unit: Unit | None, version: StructureVersion | None = None) -> Scope:
    """A unit's subtree split by its children, or (unit None) a whole version by its roots.

    The children (and the unit's parent, which reports name) are kept in the process
    until a unit of the version is written (`core.versions`: ``sv:<version id>``)."""
    if unit is not None:
        names = [f"sv:{unit.version_id}"]
        current = versions.read(names) if versions.enabled() else None
        children = versions.process_cached(
            "scope_children",
            (unit.pk,),
            names=names,
            current=current,
            compute=lambda: tuple(Unit.objects.filter(parent=unit).order_by("path")),
        )
        if unit.parent_id and not Unit.parent.is_cached(unit):
            unit.parent = versions.process_cached(
                "unit",
                (unit.parent_id,),
                names=names,
                current=current,
                compute=lambda: Unit.objects.get(pk=unit.parent_id),
            )
        return Scope(version=unit.version, unit=unit, children=children, root_paths=())
    assert version is not None
    roots = versions.process_cached(
        "scope_roots",
        (version.pk,),
        names=[f"sv:{version.pk}"],
        compute=lambda: tuple(
            Unit.objects.filter(version=version, parent__isnull=True).order_by("path")
        ),
    )
    return Scope(
        version=version, unit=None, children=roots, root_paths=tuple(r.path for r in roots)
    )


def scope_peers(units: Sequence[Unit]) -> Scope:
    """Disjoint peer units of one version (an emulation cluster), each its own bucket."""
    units = tuple(units)
    assert units, "a peer scope needs at least one unit"
    return Scope(
        version=units[0].version,
        unit=None,
        children=units,
        root_paths=tuple(u.path for u in units),
        peers=True,
    )


def access_paths(user) -> list[str] | None:
    """The subtrees `user` may see (no two nested), or None for everything (no user:
    the system; a superuser). `access_q` is the same as a condition on paths."""
    if user is None:
        return None
    policy = policy_for(user)
    return None if policy.is_superuser else policy.paths(Perm.VIEW)


def paths_sql(column: str, paths) -> tuple[str, list]:
    """(SQL, params): `column` (a unit path) inside one of the subtrees `paths`, as
    `Unit.subtree_q` (one index range each); no paths: false. For sources written as
    plain SQL (no ORM compile on every report)."""
    if not paths:
        return "1 = 0", []
    sql = " OR ".join(f"({column} >= %s AND {column} < %s)" for _ in paths)
    return f"({sql})", [x for p in paths for x in (p, p[:-1] + "0")]


def scope_paths(scope: Scope) -> list[str]:
    """The subtrees a scope covers (`Scope.subtree_q` as paths)."""
    return [scope.unit.path] if scope.unit is not None else list(scope.root_paths)


def access_sql(user, column: str) -> tuple[str, list]:
    """`access_q` in SQL on a path column: ("", []) for no filter."""
    visible = access_paths(user)
    return ("", []) if visible is None else paths_sql(column, visible)


def access_q(user, prefix: str) -> Q:
    """What `user` may see, on a path field reached by `prefix`; no user: no filter
    (management commands and the approval snapshot run as the system)."""
    return policy_for(user).unit_q(Perm.VIEW, prefix=prefix) if user is not None else Q()


# --------------------------------------------------------------------- lineage


@dataclass
class LineageMap:
    """How units of other versions map into the scope's version."""

    # other-version unit path -> set of this-version unit paths it became
    candidates: dict[str, frozenset[str]] = field(default_factory=dict)
    # other-version ancestor path -> union of its descendants' candidates
    inherited_up: dict[str, frozenset[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.candidates)

    def candidates_of(self, path: str) -> frozenset[str]:
        if path in self.candidates:
            return self.candidates[path]
        # Nearest ancestor with lineage (a residential area follows its ward).
        parts = path.strip("/").split("/")
        for i in range(len(parts) - 1, 0, -1):
            anc = "/" + "/".join(parts[:i]) + "/"
            if anc in self.candidates:
                return self.candidates[anc]
        return self.inherited_up.get(path, frozenset())

    def carrier_of(self, path: str) -> str:
        """The unit whose lineage a record of `path` follows: itself or its nearest
        ancestor with lineage rows; itself when it inherits its descendants' lineage."""
        if path in self.candidates:
            return path
        parts = path.strip("/").split("/")
        for i in range(len(parts) - 1, 0, -1):
            anc = "/" + "/".join(parts[:i]) + "/"
            if anc in self.candidates:
                return anc
        return path

    def lineage_children(self) -> dict[str, list[str]]:
        """Units with lineage -> the nearest units with lineage below them: a record in
        a unit's subtree but below one of these follows that one's lineage."""
        out: dict[str, list[str]] = defaultdict(list)
        for path in self.candidates:
            parts = path.strip("/").split("/")
            for i in range(len(parts) - 1, 0, -1):
                anc = "/" + "/".join(parts[:i]) + "/"
                if anc in self.candidates:
                    out[anc].append(path)
                    break
        return out

    def relevant_paths(self, scope: Scope) -> tuple[list[str], list[str]]:
        """(lineage unit paths whose subtrees matter, ancestor paths whose own records matter)."""

        def inside(paths: frozenset[str]) -> bool:
            return any(scope.bucket_of_path(x) is not None for x in paths)

        subtrees = [p for p, c in self.candidates.items() if inside(c)]
        ancestors = [p for p, c in self.inherited_up.items() if inside(c)]
        return subtrees, ancestors


def lineage_map_build(version: StructureVersion) -> LineageMap:
    """One query: every lineage row between `version` and any other version."""
    rows = Lineage.objects.filter(
        Q(to_unit__version=version) | Q(from_unit__version=version)
    ).values_list("from_unit__path", "from_unit__version_id", "to_unit__path")
    cands: dict[str, set[str]] = defaultdict(set)
    for from_path, from_version, to_path in rows:
        if from_version == version.pk:  # newer records reported under this older version
            cands[to_path].add(from_path)
        else:
            cands[from_path].add(to_path)
    lmap = LineageMap(candidates={k: frozenset(v) for k, v in cands.items()})
    up: dict[str, set[str]] = defaultdict(set)
    for path, targets in lmap.candidates.items():
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):
            anc = "/" + "/".join(parts[:i]) + "/"
            if anc not in lmap.candidates:
                up[anc] |= targets
    lmap.inherited_up = {k: frozenset(v) for k, v in up.items()}
    return lmap


def lowest_common_path(paths: frozenset[str]) -> str:
    split = [p.strip("/").split("/") for p in paths]
    common: list[str] = []
    for segs in zip(*split, strict=False):
        if all(s == segs[0] for s in segs):
            common.append(segs[0])
        else:
            break
    return "/" + "/".join(common) + "/" if common else "/"


@dataclass(frozen=True)
class Attribution:
    bucket: str | None  # None: partly outside the scope (a split unit), not counted
    lineage_path: str  # the other-version unit that carries the lineage (`carrier_of`)


def attribute(scope: Scope, lmap: LineageMap, path: str) -> Attribution | None:
    """Where a record of an other-version unit counts in `scope`; None if unrelated."""
    cands = lmap.candidates_of(path)
    path = lmap.carrier_of(path)
    inside = [c for c in cands if scope.bucket_of_path(c) is not None]
    if not inside:
        return None
    if len(inside) < len(cands):  # split: only partly in the scope
        return Attribution(None, path)
    buckets = {scope.bucket_of_path(c) for c in cands}
    if scope.peers:
        return Attribution(buckets.pop() if len(buckets) == 1 else None, path)
    bucket = scope.bucket_of_path(lowest_common_path(cands))
    return Attribution(OTHER if bucket in (SELF, None) else bucket, path)

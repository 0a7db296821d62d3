from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from mattran.core.audit_display import describe
from mattran.core.errors import UserFacingError
from mattran.core.permissions import Perm, policy_for

from . import selectors, services
from .forms import (
    AuditFilterForm,
    MemberOrganisationForm,
    PositionForm,
    ResidentialAreaForm,
    UnitImportForm,
)
from .models import Level, Term
from .selectors import unit_get_visible


@login_required
def tree(request):
    versions = selectors.version_list_visible(user=request.user)
    code = request.GET.get("phien-ban")
    version = next((v for v in versions if v.code == code), versions[0] if versions else None)
    query = request.GET.get("q", "").strip()
    context = {
        "versions": versions,
        "version": version,
        "query": query,
        "roots": selectors.unit_roots_visible(user=request.user, version=version),
        "results": (
            selectors.unit_search_visible(user=request.user, query=query, version=version)
            if query
            else None
        ),
    }
    return render(request, "units/tree.html", context)


@login_required
def children(request, pk: int):
    unit = unit_get_visible(user=request.user, pk=pk)
    kids = selectors.unit_children_visible(user=request.user, unit=unit)
    return render(request, "units/_children.html", {"unit": unit, "children": kids})


@login_required
def detail(request, pk: int):
    unit = unit_get_visible(user=request.user, pk=pk)
    policy = policy_for(request.user)
    terms = list(Term.objects.all())
    term_id = request.GET.get("nhiem-ky")
    term = next((t for t in terms if str(t.pk) == term_id), None) or selectors.term_default(
        unit=unit
    )
    context = {
        "unit": unit,
        "ancestors": selectors.unit_ancestors_visible(user=request.user, unit=unit),
        "children": selectors.unit_children_visible(user=request.user, unit=unit),
        "member_organisations": selectors.member_organisations_of(unit=unit),
        "terms": terms,
        "term": term,
        "committee": selectors.committee_for(unit=unit, term=term),
        "lineage": selectors.lineage_of(user=request.user, unit=unit),
        "subtree_summary": [
            (f"Số đơn vị {Level(level).label.lower()} trực thuộc", n)
            for level, n in sorted(selectors.unit_subtree_count(unit=unit).items())
        ],
        "can_edit": policy.can(Perm.EDIT, unit),
        "can_administer": policy.can(Perm.ADMINISTER, unit),
        "can_add_area": policy.can(Perm.EDIT, unit) and unit.level == Level.COMMUNE,
    }
    return render(request, "units/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def residential_area_create(request, pk: int):
    unit = unit_get_visible(user=request.user, pk=pk, perm=Perm.EDIT)
    if unit.level != Level.COMMUNE:
        raise Http404
    form = ResidentialAreaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            area = services.residential_area_create(
                actor=request.user,
                commune=unit,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                board_head_name=form.cleaned_data["board_head"],
                term=selectors.term_default(unit=unit),
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã thêm {area.name}.")
            return redirect("units:detail", pk=area.pk)
    return render(
        request,
        "units/form.html",
        {"unit": unit, "form": form, "title": "Thêm khu dân cư / tổ dân phố"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_organisation_create(request, pk: int):
    unit = unit_get_visible(user=request.user, pk=pk, perm=Perm.ADMINISTER)
    form = MemberOrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_organisation_create(
                actor=request.user,
                unit=unit,
                name=data["name"],
                short_name=data["short_name"],
                head_name=data["head_name"],
                head_title=data["head_title"],
                order=data["order"] or 0,
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã thêm tổ chức thành viên.")
            return redirect("units:detail", pk=unit.pk)
    return render(
        request, "units/form.html", {"unit": unit, "form": form, "title": "Thêm tổ chức thành viên"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def position_create(request, pk: int):
    unit = unit_get_visible(user=request.user, pk=pk, perm=Perm.ADMINISTER)
    form = PositionForm(request.POST or None, initial={"term": selectors.term_default(unit=unit)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.position_create(
                actor=request.user,
                unit=unit,
                term=data["term"],
                full_name=data["full_name"],
                role=data["role"],
                title=data["title"],
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã thêm ủy viên.")
            return redirect("units:detail", pk=unit.pk)
    return render(
        request, "units/form.html", {"unit": unit, "form": form, "title": "Thêm ủy viên ủy ban"}
    )


@login_required
def audit(request, pk: int):
    unit = unit_get_visible(user=request.user, pk=pk)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events_for_subtree(
        user=request.user,
        unit=unit,
        actions=filters.get("action") or (),
        actor=filters.get("actor") or "",
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(events, 50).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    context = {
        "unit": unit,
        "form": form,
        "page": page,
        "rows": describe(page.object_list),
        "query": query.urlencode(),
    }
    return render(request, "units/audit.html", context)


@user_passes_test(lambda u: u.is_active and u.is_superuser, login_url="/quan-tri/login/")
def unit_import(request):
    """The national unit list of a province (and its lineage to an older version),
    imported in the app by the system administrator: `mattran import_units` and
    `mattran import_lineage` without a shell. All or nothing, every bad row named."""
    from django.db import transaction

    from mattran.core.errors import ImportValidationError

    from .importers import import_lineage_csv, import_units_csv
    from .models import StructureVersion

    form = UnitImportForm(request.POST or None, request.FILES or None)
    row_errors, total = [], 0
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                version = StructureVersion.objects.filter(code=d["version_code"].strip()).first()
                if version is None:
                    if not d["valid_from"]:
                        raise UserFacingError(
                            f"Phiên bản “{d['version_code']}” chưa có: cần ngày hiệu lực để tạo."
                        )
                    version = services.structure_version_ensure(
                        actor=request.user,
                        code=d["version_code"].strip(),
                        name=d["version_name"] or f"Địa giới hành chính {d['version_code']}",
                        valid_from=d["valid_from"],
                        valid_to=d["valid_to"],
                        legal_basis=d["legal_basis"],
                    )
                result = import_units_csv(
                    actor=request.user,
                    source=d["file"],
                    version=version,
                    source_name=d["file"].name,
                )
                links = 0
                if d["lineage_file"]:
                    old = StructureVersion.objects.filter(code=d["lineage_from"].strip()).first()
                    if old is None:
                        raise UserFacingError(
                            f"Không có phiên bản “{d['lineage_from']}” để ghi kế thừa."
                        )
                    links = import_lineage_csv(
                        actor=request.user,
                        source=d["lineage_file"],
                        from_version=old,
                        to_version=version,
                    )
        except ImportValidationError as exc:
            row_errors, total = exc.errors, exc.total
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                f"Đã nhập {result.created} đơn vị vào {version.name}"
                + (f" và {links} quan hệ kế thừa." if links else "."),
            )
            return redirect(f"{reverse('units:tree')}?phien-ban={version.code}")
    return render(
        request,
        "units/import.html",
        {"form": form, "row_errors": row_errors, "total": total},
    )

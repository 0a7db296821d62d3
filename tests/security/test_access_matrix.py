"""The access matrix, generated from the URL configuration.

Every URL pattern of the project (walked from `get_resolver()`) must have a row
in ACCESS below; a URL without one fails `test_every_url_is_classified`, so a
new page cannot ship unclassified. Each row is requested by every role
(anonymous, a logged-in user without any grant, viewer, member-organisation
reporter, editor, approver, administrator, superuser) against objects of four
units relative to where the role is granted:

    city (parent) ── Quận A (own: every role is granted here) ── Phường A1 (child)
                  └─ Quận B (sibling)
    (and a second province "outside", which sends the transfers)

`world` creates one object of each kind in each of those units (activity record
with attachment, mediation case, fund with accounts and entries, a statement
import with a queued line, a job, a transfer received, submissions in three
states, a grant; key tasks, a coordination program, emulation pledges in four
states, evidence, a commendation decision and proposal, a committee member, a
conference; a draft article with a photo and a published one). A GET answers
the documented status (200, 302, 404 for an object the user may not see, 405
for POST-only actions, a login redirect for anonymous) and a page a role may
open never shows a record of a unit it may not see (each record carries its
unit's MARK); a POST with valid data writes exactly when the role may act (its
audit event appears) and writes nothing otherwise; a POST without a CSRF token
is refused with the Vietnamese 403 page for every URL and role.

The JSON API (`Api` rows, docs/api.md) is requested with each role's own knox
token in the Authorization header: 401 without one, 404 outside the subtree,
403 for a visible unit the token may not write, 201 when it writes (and the
audit event names the row it answered). CSRF does not apply to token requests:
`test_api_writes_need_the_token_not_a_csrf_token` shows a token writes without
any CSRF token while a browser session, even the superuser's, gets 401.

Classes (the `access` column): PUBLIC | LOGIN (any signed-in user) | VIEW |
EDIT | APPROVE | ADMINISTER | COMMEND (edit or approve) | NATION (view on every
province of the version: the national report) | SUPERUSER, each on
`on` (the object the URL names; None: no object, then the permission must be
held anywhere); `member=True`: a pledge is also visible to whoever sees a
member unit (MEMBER). The expected answers come from ROLE_PERMS (README,
docs/emulation.md "Who may do what", docs/api.md), never from
mattran.access.policy. To add a URL, add one line to ACCESS: its class, the
object kind it names (add a builder to `world` and OBJECTS if new), and a
`Post` spec if it writes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.test.client import ClientHandler
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from knox.models import AuthToken

from mattran.access.models import Role
from mattran.core.models import AuditEvent, Job, JobStatus
from mattran.units.models import Level, MemberOrganisation, Term
from tests.factories import UserFactory, grant, make_unit
from tests.paths import STATEMENTS_DIR

# ----------------------------------------------------------------- vocabulary

PUBLIC, LOGIN, VIEW, EDIT, APPROVE, ADMINISTER, SUPERUSER = (
    "public",
    "login",
    "login+view",
    "login+edit",
    "login+approve",
    "login+administer",
    "superuser",
)
# Commendation proposals and decisions: the standing board's editor or approver
# (docs/emulation.md, "Who may do what").
COMMEND = "login+edit-or-approve"
# The national report (a whole structure version): only whoever may see every province
# of it. The roles here are granted on Quận Một, a district: none covers the country, so
# each gets 404 like for a unit outside its view; the superuser sees it
# (tests/reports/test_nation.py: grants on every province, and on some of them).
NATION = "login+view-every-province"

ROLES = [
    "anonymous",
    "nogrant",
    "viewer",
    "mo_reporter",
    "editor",
    "approver",
    "admin",
    "superuser",
]
RELATIONS = ["own", "child", "sibling", "parent"]

# What each role may do on the units it is granted (its subtree), as documented
# in the README (independent of the code under test: mattran.access.policy).
ROLE_PERMS = {
    "anonymous": set(),
    "nogrant": set(),
    "viewer": {VIEW},
    "mo_reporter": {VIEW},  # plus recording its own organisation's activities
    "editor": {VIEW, EDIT, COMMEND},
    "approver": {VIEW, APPROVE, COMMEND},
    "admin": {VIEW, EDIT, APPROVE, ADMINISTER, COMMEND},
}
# Grants sit on "own" and cover its subtree: own and child, never sibling or parent.
COVERED = {"own", "child"}
PARENT_OF = {"own": "parent", "child": "own", "sibling": "parent", "parent": None}
# Each unit organises an emulation pledge of its children; the member unit a URL
# names (score sheet, evidence) is, relative to the grants: own's pledge -> Phường
# Một Một (child), child's -> its residential area (as child), sibling's -> Phường
# Hai Một (as sibling), parent's -> Quận Một (own). docs/emulation.md: a pledge is
# visible to whoever sees its organiser *or a member unit* ("members' users see
# their own rows; the peer ranking once it is locked"); a member's editor scores
# its own unit.
MEMBER = {"own": "child", "child": "child", "sibling": "sibling", "parent": "own"}
# The records of each unit carry its relation's mark in their title or text (not
# pledges, funds, organisations or units: those are legitimately shown across
# units). A page a role may open never shows the mark of a unit it may not see.
MARK = {rel: f"#mt-{rel}#" for rel in RELATIONS}

PERIOD_SUBMITTED = "2023-9M"  # every unit has a submitted report (approve, return)
PERIOD_APPROVED = "2022"  # every unit has an approved report (reopen)
PERIOD_FREE = "2023-Q4"  # nothing submitted yet (submit)


@dataclass(frozen=True)
class Post:
    """What a POST does: `access` needed (on the row's object, or `on`), the audit
    action it writes, the status when it writes (`ok`) and when the user sees
    the page but may not act (`refused`)."""

    access: str
    action: str | None
    data: Callable[[dict, str], dict]
    ok: int = 302
    refused: int = 404
    on: str | None = None  # for object-less pages whose form names a unit
    perm_on_parent: bool = False
    member_org: bool = False
    levels: tuple[int, ...] | None = None
    member: bool = False  # `access` is needed on the pledge member the URL names (MEMBER)


@dataclass(frozen=True)
class Row:
    access: str
    on: str | None = None
    get: int = 200  # status of a GET when allowed (302: redirects, 405: POST-only)
    view: str | None = None  # what suffices to see the page when less than `access`
    perm_on_parent: bool = False  # reports: the parent's approver decides
    member_org: bool = False  # member-organisation reporters may use it too
    levels: tuple[int, ...] | None = None  # only for units of these levels, else 404
    kwargs: dict = field(default_factory=dict)
    post: Post | None = None
    csrf: bool = True  # POST without a token answers 403 (False: token-authenticated API)
    member: bool = False  # also visible to who may see the pledge member (MEMBER)
    anonymous: int = 302  # status for anonymous (302: to the login page; API: 401)
    api: bool = False  # JSON API: requests carry the role's token, not a session
    args: dict = field(default_factory=dict)  # URL arguments computed from the world
    signed_in: int | None = None  # PUBLIC rows: the status for a signed-in user, if not `get`


def Api(access: str, on: str | None = None, **kw) -> Row:
    """A row of the token API (docs/api.md): 401 without a token, no CSRF question."""
    return Row(access, on, api=True, csrf=False, anonymous=401, **kw)


def _activity_data(w, rel):
    return {
        "type": w["types"]["tuyen_truyen"].pk,
        "date": "2023-03-15",
        "title": "Tuyên truyền pháp luật (ma trận quyền)",
        "attendance": "30",
        "notes": "",
        # only a member-organisation reporter's form has (and requires) this field
        "member_organisation": w["org"].pk,
    }


def _mediation_data(w, rel):
    return {"received_on": "2023-03-15", "title": "Tranh chấp lối đi", "outcome": "pending"}


def _receipt_data(w, rel):
    return {
        "booked_on": "2023-05-02",
        "amount": "200.000",
        "party_name": "Nguyễn Văn Ủng Hộ",
        "party_kind": "person",
        "account": w["cash"][rel].pk,
    }


def _disbursement_data(w, rel):
    return {
        "booked_on": "2023-05-02",
        "amount": "50.000",
        "purpose": "gifts",
        "quantity": "1",
        "account": w["cash"][rel].pk,
    }


def _transfer_data(w, rel):
    return {
        "to_fund": w["outside_fund"].pk,
        "amount": "10.000",
        "sent_on": "2023-05-03",
        "purpose_text": "Ủng hộ đồng bào",
    }


def _imported_entry(w, rel, **filters):
    from mattran.funds.models import LedgerEntry

    account = w["statement_import"][rel].account
    return LedgerEntry.objects.filter(account=account, **filters).order_by("pk").first()


def _identify_data(w, rel):
    entry = _imported_entry(w, rel, kind="receipt", party_name="")
    return {
        "action": "identify",
        "entry": entry.pk,
        "donor_name": "Lê Văn Ma",
        "donor_kind": "person",
    }


def _classify_data(w, rel):
    return {"entry": _imported_entry(w, rel, purpose="unclassified").pk, "purpose": "relief"}


def _upload_data(w, rel):
    return {
        "account": w["bank"][rel].pk,
        "layout": "vcb",
        "file": SimpleUploadedFile("sao-ke.csv", w["statement_bytes"], "text/csv"),
    }


def _logged_entry(w, rel):
    return w["entry"][rel].pk  # a receipt of a public fund: in the ledger log


def _pdf(name="van-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def _png(name="anh.png") -> SimpleUploadedFile:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def _criterion_data(w, rel):
    return {
        "code": "CT1",
        "short_name": "Mô hình điển hình (sửa)",
        "text": "Xây dựng mới mô hình điển hình tiêu biểu",
        "kind": "quota",
        "points": "60",
        "measure_key": "nhap.mo_hinh_dien_hinh",
        "bonus_points": "0",
        "penalty_points": "0",
    }


def _conference_data(w, rel):
    return {"kind": "review", "title": "Hội nghị sơ kết công tác Mặt trận", "held_on": "2023-07-01"}


def _article_data(w, rel):
    return {
        "title": "Tin hoạt động Mặt trận (ma trận quyền)",
        "category": w["category"].pk,
        "body": "Đoạn thứ nhất.\n\nĐoạn thứ hai.",
    }


def _api_activity_data(w, rel):
    data = {
        "type": "tuyen_truyen",
        "date": "2023-03-15",
        "title": "Tuyên truyền qua API",
        "attendance": 30,
    }
    if rel in ("own", "child"):  # the organisation belongs to Quận Một (own)
        data["member_organisation"] = w["org"].pk  # a reporter's record names it
    return data


def _reading_confirm_data(w, rel):
    return {
        "unit": w["unit"][rel].pk,
        "period": PERIOD_FREE,
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-key": "tuyen_truyen",
        "form-0-value": "5",
        "form-0-decision": "accept",
    }


def _member_pk(w, rel):
    return w["member"][rel].pk


# ------------------------------------------------------------------ THE TABLE

ACCESS: dict[str, Row] = {
    # core, authentication
    # "/": the public portal for a visitor, the app's home for a signed-in user
    "home": Row(PUBLIC, signed_in=302),
    "health": Row(PUBLIC),
    "login": Row(PUBLIC),
    "logout": Row(PUBLIC, get=405),
    "password_change": Row(LOGIN),
    "password_change_done": Row(LOGIN),
    "two_factor:verify": Row(LOGIN, get=302),  # no device yet: to enrolment
    "two_factor:enrol": Row(LOGIN),
    "admin:index": Row(SUPERUSER),
    # units
    "units:tree": Row(LOGIN),
    # the national unit list, in the app (tests/units/test_import_page.py posts it)
    "units:import": Row(SUPERUSER),
    "units:detail": Row(VIEW, "unit"),
    "units:children": Row(VIEW, "unit"),
    "units:audit": Row(VIEW, "unit"),
    "units:area_create": Row(
        EDIT,
        "unit",
        levels=(Level.COMMUNE,),
        post=Post(
            EDIT,
            "unit.create",
            lambda w, r: {"name": "Tổ dân phố Ma Trận", "kind": "Tổ dân phố", "board_head": ""},
            levels=(Level.COMMUNE,),
        ),
    ),
    "units:member_org_create": Row(
        ADMINISTER,
        "unit",
        post=Post(
            ADMINISTER,
            "member_organisation.create",
            lambda w, r: {"name": "Hội Ma Trận", "order": "0"},
        ),
    ),
    "units:position_create": Row(
        ADMINISTER,
        "unit",
        post=Post(
            ADMINISTER,
            "position.create",
            lambda w, r: {"term": w["term"].pk, "full_name": "Trần Thị Ủy Viên", "role": "member"},
        ),
    ),
    # access
    "access:grants": Row(
        ADMINISTER,
        post=Post(
            ADMINISTER,
            "grant.create",
            lambda w, r: {"username": "thuky", "unit_code": w["unit"][r].code, "role": "editor"},
            on="unit",
            refused=200,  # the form says the unit is outside the user's scope
        ),
    ),
    "access:revoke": Row(
        ADMINISTER, "grant", get=405, post=Post(ADMINISTER, "grant.revoke", lambda w, r: {})
    ),
    # office accounts (issue 11): create with roles, bulk add, deactivate, first login
    "access:users": Row(
        ADMINISTER,
        post=Post(
            ADMINISTER,
            "user.create",
            lambda w, r: {
                "full_name": "Cán bộ mới",
                "username": f"moi_{r}",
                "email": "moi@example.org",
                "unit_code": w["unit"][r].code,
                "roles": ["editor"],
                "handover": "link",
            },
            on="unit",
            ok=200,  # the one-time handover page, not a redirect
            refused=200,  # the form says the unit is outside the user's scope
        ),
    ),
    "access:users_bulk": Row(ADMINISTER),
    "access:user_deactivate": Row(
        ADMINISTER, "staff", get=405, post=Post(ADMINISTER, "user.deactivate", lambda w, r: {})
    ),
    "access:first_login": Row(PUBLIC, get=404, kwargs={"token": "khong-hop-le"}),
    # activities
    "activities:home": Row(VIEW, get=302),
    "activities:list": Row(VIEW, "unit"),
    "activities:create": Row(
        EDIT,
        "unit",
        member_org=True,
        post=Post(EDIT, "activity.create", _activity_data),
    ),
    "activities:mediation_list": Row(VIEW, "unit"),
    "activities:mediation_create": Row(
        EDIT, "unit", post=Post(EDIT, "mediation.create", _mediation_data)
    ),
    "activities:aggregate": Row(
        EDIT,
        "unit",
        view=VIEW,
        kwargs={"query": "?loai=month&ky=2023-03"},
        post=Post(EDIT, "aggregate.create", lambda w, r: {"don_thu_tiep_nhan": "7"}),
    ),
    "activities:bulk": Row(EDIT, "unit"),
    "activities:bulk_job": Row(VIEW, "job"),
    "activities:detail": Row(VIEW, "activity"),
    "activities:update": Row(EDIT, "activity", post=Post(EDIT, "activity.update", _activity_data)),
    "activities:delete": Row(
        EDIT,
        "activity",
        post=Post(EDIT, "activity.delete", lambda w, r: {"reason": "Ghi trùng"}),
    ),
    "activities:attachment": Row(VIEW, "activity"),
    "activities:mediation_update": Row(
        EDIT,
        "mediation",
        post=Post(
            EDIT,
            "mediation.update",
            lambda w, r: {
                "received_on": "2023-03-10",
                "title": "Tranh chấp đất (đã hòa giải)",
                "outcome": "resolved",
                "closed_on": "2023-03-20",
            },
        ),
    ),
    # reading old reports: whoever may view some unit reads and checks; writing
    # history needs edit on the unit the confirm form names
    "reading:upload": Row(VIEW),
    "reading:confirm": Row(
        VIEW, get=405, post=Post(EDIT, "reading.confirm", _reading_confirm_data, on="unit")
    ),
    # reports
    "reports:index": Row(LOGIN),
    "reports:home": Row(LOGIN),
    "reports:unit": Row(VIEW, "unit", get=302),
    "reports:nation": Row(NATION, kwargs={"version": "matrix", "code": PERIOD_SUBMITTED}),
    "reports:nation_drilldown": Row(
        NATION,
        kwargs={"version": "matrix", "code": PERIOD_SUBMITTED, "indicator": "tuyen_truyen"},
    ),
    "reports:report": Row(VIEW, "unit", kwargs={"code": PERIOD_SUBMITTED}),
    "reports:drilldown": Row(
        VIEW, "unit", kwargs={"code": PERIOD_SUBMITTED, "indicator": "tuyen_truyen"}
    ),
    "reports:docx": Row(VIEW, "unit", kwargs={"code": PERIOD_SUBMITTED}),
    "reports:xlsx": Row(VIEW, "unit", kwargs={"code": PERIOD_SUBMITTED}),
    "reports:completeness": Row(VIEW, "unit", kwargs={"code": PERIOD_SUBMITTED}),
    "reports:entered": Row(
        EDIT,
        "unit",
        kwargs={"code": "2022-H1"},
        post=Post(EDIT, "entered_total.set", lambda w, r: {"v_tuyen_truyen": "5"}),
    ),
    "reports:submit": Row(
        EDIT,
        "unit",
        get=405,
        view=VIEW,
        kwargs={"code": PERIOD_FREE},
        post=Post(EDIT, "submission.submit", lambda w, r: {}, refused=302),
    ),
    "reports:approve": Row(
        APPROVE,
        "unit",
        get=405,
        view=VIEW,
        perm_on_parent=True,
        kwargs={"code": PERIOD_SUBMITTED},
        post=Post(APPROVE, "submission.approve", lambda w, r: {}, refused=302, perm_on_parent=True),
    ),
    "reports:return": Row(
        APPROVE,
        "unit",
        get=405,
        view=VIEW,
        perm_on_parent=True,
        kwargs={"code": PERIOD_SUBMITTED},
        post=Post(
            APPROVE,
            "submission.return",
            lambda w, r: {"comment": "Bổ sung số liệu hòa giải"},
            refused=302,
            perm_on_parent=True,
        ),
    ),
    "reports:reopen": Row(
        APPROVE,
        "unit",
        get=405,
        view=VIEW,
        perm_on_parent=True,
        kwargs={"code": PERIOD_APPROVED},
        post=Post(
            APPROVE,
            "submission.reopen",
            lambda w, r: {"comment": "Sửa số liệu sai"},
            refused=302,
            perm_on_parent=True,
        ),
    ),
    # funds
    "funds:list": Row(LOGIN),
    "funds:create": Row(
        EDIT,
        "unit",
        post=Post(
            EDIT,
            "fund.create",
            lambda w, r: {"name": "Quỹ Ma Trận", "kind": "campaign", "opened_on": "2023-01-01"},
        ),
    ),
    "funds:detail": Row(VIEW, "fund"),
    "funds:receipt": Row(EDIT, "fund", post=Post(EDIT, "ledger.receipt", _receipt_data)),
    "funds:disbursement": Row(
        EDIT, "fund", post=Post(EDIT, "ledger.disbursement", _disbursement_data)
    ),
    "funds:transfer": Row(EDIT, "fund", post=Post(EDIT, "transfer.send", _transfer_data)),
    "funds:upload": Row(EDIT, "fund", post=Post(EDIT, "statement.import", _upload_data)),
    "funds:queue": Row(EDIT, "fund", view=VIEW, post=Post(EDIT, "ledger.identify", _identify_data)),
    "funds:reconciliation": Row(VIEW, "fund"),
    "funds:unclassified": Row(
        EDIT, "fund", view=VIEW, post=Post(EDIT, "ledger.classify", _classify_data)
    ),
    "funds:entry": Row(
        APPROVE,
        "entry",
        view=VIEW,
        post=Post(
            APPROVE,
            "ledger.reverse",
            lambda w, r: {"booked_on": "2023-06-01", "reason": "Ghi nhầm số tiền"},
        ),
    ),
    "funds:voucher": Row(VIEW, "entry"),
    "funds:voucher_docx": Row(VIEW, "entry"),
    "funds:transfers": Row(LOGIN),
    "funds:transfer_confirm": Row(
        APPROVE,
        "transfer",
        get=405,
        view=VIEW,
        post=Post(
            APPROVE, "transfer.confirm", lambda w, r: {"received_on": "2023-05-10"}, refused=302
        ),
    ),
    # The world's pending transfer comes from the outside province: only its editors
    # (none of the roles here; the superuser) may cancel it.
    "funds:transfer_cancel": Row(
        EDIT,
        "transfer",
        get=405,
        view=VIEW,
        post=Post(
            SUPERUSER, "transfer.cancel", lambda w, r: {"reason": "Chuyển nhầm"}, refused=302
        ),
    ),
    "funds:transfer_return": Row(
        EDIT,
        "transfer_confirmed",
        get=405,
        view=VIEW,
        post=Post(
            EDIT,
            "transfer.return",
            lambda w, r: {"sent_on": "2023-05-01", "reason": "Chuyển nhầm"},
            refused=302,
        ),
    ),
    "funds:import": Row(VIEW, "statement_import"),
    "funds:job": Row(VIEW, "job"),
    # public portal (public funds of every unit)
    "portal:lookup": Row(PUBLIC, kwargs={"query": "?q=nguyen+van"}),
    "portal:disclosure": Row(PUBLIC, "fund"),
    "portal:ledger_csv": Row(PUBLIC, "fund"),
    # the public ledger log (issue 15): heads, proofs and the verifier are public
    "portal:ledger_log": Row(PUBLIC),
    "portal:verifier": Row(PUBLIC),
    # a donation in the log, under a signed head (an entry the log does not have:
    # test_ledger_log_proof_of_an_unknown_entry)
    "portal:ledger_verify": Row(PUBLIC, "fund", args={"entry_id": _logged_entry}),
    # emulation: planning (docs/emulation.md; every pledge is of 2023)
    "emulation:index": Row(LOGIN),
    "emulation:planning": Row(VIEW, "unit", kwargs={"year": 2023}),
    "emulation:key_task_create": Row(
        EDIT,
        "unit",
        kwargs={"year": 2023},
        post=Post(EDIT, "key_task.create", lambda w, r: {"text": "Nhiệm vụ trọng tâm mới"}),
    ),
    "emulation:key_task_edit": Row(
        EDIT,
        "key_task",
        post=Post(EDIT, "key_task.update", lambda w, r: {"text": "Nhiệm vụ trọng tâm (sửa)"}),
    ),
    "emulation:key_task_delete": Row(
        EDIT, "key_task", get=405, post=Post(EDIT, "key_task.delete", lambda w, r: {})
    ),
    "emulation:key_task_move": Row(
        EDIT, "key_task", get=405, post=Post(EDIT, "key_task.move", lambda w, r: {"huong": "xuong"})
    ),
    "emulation:program_create": Row(
        EDIT,
        "unit",
        kwargs={"year": 2023},
        post=Post(
            EDIT,
            "program.create",
            lambda w, r: {"member_organisation": w["free_org"][r].pk, "title": "", "note": ""},
        ),
    ),
    "emulation:programs_create_all": Row(
        EDIT,
        "unit",
        get=405,
        kwargs={"year": 2023},
        post=Post(EDIT, "program.draft_contents", lambda w, r: {}),
    ),
    "emulation:program": Row(
        VIEW,
        "program",
        post=Post(
            EDIT,
            "program.item_add",
            lambda w, r: {"action": "item", "item-content": "Phối hợp tuyên truyền"},
        ),
    ),
    "emulation:program_document": Row(VIEW, "program"),
    "emulation:program_item_delete": Row(
        EDIT, "program_item", get=405, post=Post(EDIT, "program.item_delete", lambda w, r: {})
    ),
    "emulation:program_signatory_delete": Row(
        EDIT,
        "program_signatory",
        get=405,
        post=Post(EDIT, "program.signatory_delete", lambda w, r: {}),
    ),
    # emulation: pledges, scoring
    "emulation:pledge_create": Row(
        EDIT,
        "unit",
        kwargs={"year": 2023},
        post=Post(
            EDIT,
            "pledge.create",  # members: every child unit
            lambda w, r: {"title": "Giao ước thi đua năm 2023", "scale_points": "100"},
        ),
    ),
    "emulation:cluster_create": Row(
        EDIT,
        "unit",
        kwargs={"year": 2023},
        post=Post(
            EDIT,
            "cluster.create",
            lambda w, r: {"name": "Cụm thi đua số 1", "members": [u.pk for u in w["children"][r]]},
        ),
    ),
    "emulation:pledge": Row(VIEW, "pledge_active", member=True),
    "emulation:criterion_create": Row(
        EDIT,
        "pledge_draft",
        post=Post(
            EDIT,
            "criterion.create",
            lambda w, r: {**_criterion_data(w, r), "code": "CT9", "kind": "requirement"},
        ),
    ),
    "emulation:pledge_activate": Row(
        EDIT,
        "pledge_draft",
        get=405,
        post=Post(EDIT, "pledge.activate", lambda w, r: {"act-signed_on": "2023-01-13"}),
    ),
    "emulation:progress": Row(VIEW, "pledge_active", member=True),
    "emulation:pledge_ratings": Row(
        APPROVE,
        "pledge_active",
        post=Post(
            APPROVE,
            "unit_rating.set",
            lambda w, r: {f"u{w['member'][r].pk}-rating": "good", f"u{w['member'][r].pk}-note": ""},
        ),
    ),
    "emulation:pledge_entries": Row(
        VIEW,
        "pledge_active",
        member=True,
        post=Post(
            EDIT,
            "measure_entry.create",
            lambda w, r: {
                "unit": w["member"][r].pk,
                "measure_key": "nhap.mo_hinh_dien_hinh",
                "on": "2023-06-30",
                "value": "3",
            },
            member=True,
        ),
    ),
    "emulation:sheet": Row(
        VIEW,
        "pledge_active",
        member=True,
        args={"unit_id": _member_pk},
        post=Post(
            EDIT,
            "score.self",
            lambda w, r: {"action": "self", f"self_{w['quota'][r].pk}": "20"},
            member=True,
        ),
    ),
    "emulation:evidence_add": Row(
        EDIT,
        "pledge_active",
        get=405,
        member=True,
        args={"unit_id": _member_pk},
        post=Post(
            EDIT,
            "evidence.add",
            lambda w, r: {"criterion": w["requirement"][r].pk, "note": "Kế hoạch giám sát"},
            member=True,
        ),
    ),
    "emulation:pledge_lock": Row(
        APPROVE, "pledge_verified", get=405, post=Post(APPROVE, "pledge.lock", lambda w, r: {})
    ),
    "emulation:pledge_reopen": Row(
        ADMINISTER,
        "pledge_locked",
        get=405,
        post=Post(ADMINISTER, "pledge.reopen", lambda w, r: {"reopen-reason": "Thẩm định lại"}),
    ),
    "emulation:ranking": Row(VIEW, "pledge_locked", member=True),  # locked: members see it
    "emulation:ranking_export": Row(VIEW, "pledge_active", kwargs={"fmt": "xlsx"}),  # not yet
    "emulation:ranking_propose": Row(
        VIEW,
        "pledge_locked",
        get=405,
        member=True,
        post=Post(
            COMMEND,
            "proposal.create",
            lambda w, r: {"award_type": w["award"].pk, "top": "1"},
            refused=302,  # the ranking page says why
        ),
    ),
    "emulation:criterion_edit": Row(
        EDIT, "criterion", post=Post(EDIT, "criterion.update", _criterion_data)
    ),
    "emulation:criterion_delete": Row(
        EDIT, "criterion", get=405, post=Post(EDIT, "criterion.delete", lambda w, r: {})
    ),
    "emulation:criterion_targets": Row(
        EDIT,
        "criterion",
        post=Post(EDIT, "criterion.targets_set", lambda w, r: {f"t_{w['member'][r].pk}": "4"}),
    ),
    "emulation:evidence_file": Row(VIEW, "evidence", member=True),
    "emulation:evidence_delete": Row(
        EDIT,
        "evidence",
        get=405,
        member=True,
        post=Post(EDIT, "evidence.delete", lambda w, r: {}, member=True),
    ),
    # emulation: commendations
    "emulation:proposals": Row(LOGIN),
    "emulation:proposal_create": Row(
        COMMEND,
        "unit",
        post=Post(
            COMMEND,
            "proposal.create",
            lambda w, r: {
                "award_type": w["award"].pk,
                "year": "2023",
                "recipient_unit": w["unit"][r].pk,
                "achievement": "Hoàn thành xuất sắc nhiệm vụ năm 2023",
            },
        ),
    ),
    "emulation:decision_create": Row(
        COMMEND,
        "unit",
        post=Post(
            COMMEND,
            "decision.create",
            lambda w, r: {
                "award_type": w["award"].pk,
                "issuer": "Ủy ban MTTQ Việt Nam",
                "number": "9/QĐ-MTTQ",
                "signed_on": "2024-01-05",
                "achievement_year": "2023",
                "summary": "Tặng giấy khen",
            },
        ),
    ),
    "emulation:decision": Row(
        VIEW,
        "decision",
        post=Post(COMMEND, "commendation.add", lambda w, r: {"proposals": [w["proposal"][r].pk]}),
    ),
    "emulation:decision_add_many": Row(
        COMMEND,
        "decision",
        post=Post(
            COMMEND, "commendation.add", lambda w, r: {"lines": "Nguyễn Văn Thử; Cán bộ; Tốt"}
        ),
    ),
    "emulation:decision_document": Row(VIEW, "decision"),
    "emulation:unit_history": Row(VIEW, "unit"),
    "emulation:person_history": Row(VIEW, "person"),
    # emulation: conferences
    "emulation:conference_create": Row(
        EDIT,
        "unit",
        post=Post(EDIT, "conference.create", _conference_data),
    ),
    "emulation:conference": Row(
        VIEW,
        "conference",
        post=Post(
            EDIT,
            "conference.attendee_add",
            lambda w, r: {"action": "attendee", "att-title": "Đại biểu", "att-headcount": "2"},
        ),
    ),
    "emulation:conference_edit": Row(
        EDIT, "conference", post=Post(EDIT, "conference.update", _conference_data)
    ),
    # news: public pages show published articles only; drafting needs EDIT, publishing APPROVE
    "news:index": Row(PUBLIC),
    "news:rss": Row(PUBLIC),
    "news:category": Row(PUBLIC, kwargs={"slug": "hoat-dong-mat-tran"}),
    "news:category_rss": Row(PUBLIC, kwargs={"slug": "hoat-dong-mat-tran"}),
    "news:article": Row(
        PUBLIC, "published_article", args={"slug": lambda w, r: w["published_article"][r].slug}
    ),
    # a draft's photo: only who may see the draft, anonymous included (404, not a login page)
    "news:photo": Row(VIEW, "photo", anonymous=404),
    "news:manage": Row(LOGIN),
    "news:create": Row(EDIT, "unit", post=Post(EDIT, "article.create", _article_data)),
    "news:edit": Row(VIEW, "article", post=Post(EDIT, "article.update", _article_data)),
    "news:photo_add": Row(
        EDIT,
        "article",
        get=405,
        post=Post(EDIT, "article.photo_add", lambda w, r: {"image": _png(), "caption": "Ảnh"}),
    ),
    "news:photo_delete": Row(
        EDIT,
        "article",
        get=405,
        args={"photo_id": lambda w, r: w["photo"][r].pk},
        post=Post(EDIT, "article.photo_delete", lambda w, r: {}),
    ),
    "news:publish": Row(
        APPROVE, "article", get=405, post=Post(APPROVE, "article.publish", lambda w, r: {})
    ),
    # approving or discarding a published article's pending edit (news/services.py);
    # the world's published article has none, so POST writes nothing: GET rows only
    # (the edit-then-approve flow is tests/news/test_published_edits.py)
    "news:revision": Row(
        APPROVE, "published_article", get=405, args={"action": lambda w, r: "duyet"}
    ),
    "news:unpublish": Row(
        APPROVE,
        "published_article",
        get=405,
        post=Post(APPROVE, "article.unpublish", lambda w, r: {"reason": "Sai số liệu"}),
    ),
    "news:draft_from_report": Row(
        EDIT,
        "unit",
        kwargs={"query": "?ky=2023-9M"},
        post=Post(EDIT, "article.create", lambda w, r: {"period": "2023-9M"}),
    ),
    "news:draft_from_conference": Row(
        EDIT, "conference", get=405, post=Post(EDIT, "article.create", lambda w, r: {})
    ),
    # the JSON API (docs/api.md): a token per role; 404 outside the subtree, 403 on a
    # visible unit the token may not write, 201 when it writes
    "api:unit-list": Api(LOGIN),
    "api:unit-detail": Api(VIEW, "unit"),
    "api:unit-figures": Api(VIEW, "unit", kwargs={"query": "?period=2023-9M"}),
    "api:nation-figures": Api(NATION, kwargs={"query": "?period=2023-9M&structure=matrix"}),
    "api:unit-activities": Api(
        VIEW,
        "unit",
        member_org=True,  # a member-organisation reporter records its organisation's
        post=Post(EDIT, "activity.create", _api_activity_data, ok=201, refused=403),
    ),
    "api:activity-types": Api(LOGIN),
    "api:activity-detail": Api(VIEW, "activity"),
    "api:fund-list": Api(LOGIN),
    "api:fund-receipts": Api(
        VIEW,
        "fund",
        get=405,
        post=Post(
            EDIT,
            "ledger.receipt",
            lambda w, r: {"amount": 200_000, "booked_on": "2023-05-02", "party_name": "Lê Văn An"},
            ok=201,
            refused=403,
        ),
    ),
    "api:receipt-detail": Api(VIEW, "entry"),
    "api:public-funds": Api(PUBLIC),
    "api:public-donations": Api(PUBLIC, kwargs={"query": "?q=nguyen+van"}),
    "api:log-heads": Api(PUBLIC),
    "api:log-leaves": Api(PUBLIC, kwargs={"query": "?start=0&end=1"}),
    "api:log-consistency": Api(PUBLIC, kwargs={"query": "?first=1&second=2"}),
    # the proof of a donation in the log (an entry it does not have: a 400, see
    # test_ledger_log_proof_of_an_unknown_entry)
    "api:log-inclusion": Api(
        PUBLIC, "fund", args={"query": lambda w, r: f"?entry={_logged_entry(w, r)}"}
    ),
    "api:schema": Api(PUBLIC),
    "api:docs": Api(PUBLIC),
}

# Django admin: the index is in the table; every changelist and add page (no
# URL arguments) is checked like it (superuser only); the rest is Django's own
# machinery behind the same staff check: object pages (need an id), the admin's
# login/logout/password pages, JavaScript catalogue and autocomplete endpoints.
ADMIN_SUFFIXES_CHECKED = ("_changelist", "_add")
# Read-only in the admin (written only by the application): adding is forbidden.
ADMIN_READ_ONLY = {
    "admin:core_auditevent_add",
    "admin:axes_accessattempt_add",
    "admin:axes_accesslog_add",
    "admin:axes_accessfailurelog_add",
    "admin:django_tasks_database_dbtaskresult_add",
}
ADMIN_SKIPPED = {
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:jsi18n",
    "admin:autocomplete",
    "admin:view_on_site",
    "admin:app_list",
}


# -------------------------------------------------------------- URL discovery


def url_patterns(unnamed: list[str] | None = None) -> dict[str, URLPattern]:
    """Every named URL pattern of the project, by its full (namespaced) name;
    patterns without a name are appended to `unnamed`."""
    found: dict[str, URLPattern] = {}
    unnamed = [] if unnamed is None else unnamed

    def walk(resolver, prefix, namespace):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or None
                full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
                walk(p, prefix + str(p.pattern), full)
            else:
                if not p.name:
                    unnamed.append((namespace, prefix + str(p.pattern)))
                    continue
                found[f"{namespace}:{p.name}" if namespace else p.name] = p

    walk(get_resolver(), "", None)
    return found


def admin_checked(name: str, pattern: URLPattern) -> bool:
    return name.startswith("admin:") and name.endswith(ADMIN_SUFFIXES_CHECKED)


def classified_rows() -> dict[str, Row]:
    rows = dict(ACCESS)
    for name, pattern in url_patterns().items():
        if name not in rows and admin_checked(name, pattern):
            rows[name] = Row(SUPERUSER, get=403 if name in ADMIN_READ_ONLY else 200)
    return rows


def test_every_url_is_classified():
    unnamed: list = []
    patterns = url_patterns(unnamed)
    # The admin's object pages redirect from unnamed legacy patterns; ours all have
    # names, but for the API's catch-all (any other /api/v1/ address answers a JSON
    # 404, tested in tests/api/test_api.py).
    unnamed = [path for namespace, path in unnamed if namespace != "admin" and path != "api/v1/^"]
    assert not unnamed, f"URL patterns without a name cannot be classified: {unnamed}"
    missing = sorted(
        name
        for name, p in patterns.items()
        if name not in ACCESS
        and name not in ADMIN_SKIPPED
        and not admin_checked(name, p)
        and not (name.startswith("admin:") and p.pattern.converters)
    )
    assert not missing, (
        "URLs without a row in ACCESS (tests/security/test_access_matrix.py) — "
        f"classify them: {missing}"
    )
    stale = sorted(set(ACCESS) - set(patterns))
    assert not stale, f"ACCESS rows for URLs that no longer exist: {stale}"


# --------------------------------------------------------------------- world

OBJECTS = {
    # object kind -> world key holding {relation: instance}
    "unit": "unit",
    "activity": "activity",
    "mediation": "mediation",
    "fund": "fund",
    "entry": "entry",
    "transfer": "transfer",
    "transfer_confirmed": "transfer_confirmed",  # received: may be returned
    "statement_import": "statement_import",
    "job": "job",
    "grant": "grant",
    "staff": "staff",  # a user whose only grant is on the unit (office accounts)
    # emulation (each unit organises pledges of its children; MEMBER names one member)
    "key_task": "key_task",
    "program": "program",  # a draft with an item, a signatory and a signed document
    "program_item": "program_item",
    "program_signatory": "program_signatory",
    "pledge_draft": "pledge_draft",  # criteria complete: may be signed
    "pledge_active": "pledge_active",  # signed, the members' sheets in draft
    "pledge_verified": "pledge_verified",  # every sheet verified: may be locked
    "pledge_locked": "pledge_locked",
    "criterion": "criterion",  # the draft pledge's quota
    "evidence": "evidence",  # the named member's file on the active pledge
    "decision": "decision",  # with its document; a proposal waits in each unit
    "person": "person",  # a committee member of the unit
    "conference": "conference",
    # news
    "article": "article",  # a draft with a category and a photo
    "published_article": "published_article",
    "photo": "photo",  # the draft's photo
}


def _statement_bytes() -> bytes:
    """The first lines of the real VCB sample (named donors and one unnamed line), a payout."""
    with (STATEMENTS_DIR / "vcb-0011001932418-2024-09-01_part00.csv").open("rb") as f:
        head = b"".join(f.readline() for _ in range(9))
    return head + b"01/09/2024,9.1,10.000,,,Chi ho tro ba con\n"


def _sign_ledger_log(media: Path) -> None:
    """A signed tree head over the public ledger lines the world booked (each unit's
    receipt `entry` is in the log), so proofs of them answer 200."""
    from mattran.ledgerlog.keys import key_create
    from mattran.ledgerlog.services import head_sign

    with override_settings(LEDGER_KEY_FILE=media / "ledger-key.pem"):
        key_create()
        head_sign()


def _build_world(media: Path) -> dict:
    from mattran.activities import catalogue as activity_catalogue
    from mattran.activities import services as act
    from mattran.activities.models import ActivityType
    from mattran.funds import importing
    from mattran.funds import services as funds
    from mattran.funds.models import AccountKind, FundKind
    from mattran.reports import catalogue as report_catalogue
    from mattran.reports.models import Submission, SubmissionStatus
    from mattran.units.models import StructureVersion

    if not ActivityType.objects.exists():  # a transactional test emptied the catalogues
        activity_catalogue.install(apps)
        report_catalogue.install(apps)

    version = StructureVersion.objects.create(
        code="matrix", name="Ma trận quyền", valid_from=dt.date(2020, 1, 1)
    )
    city = make_unit("Thành phố Ma Trận", code="81", version=version)
    district_a = make_unit("Quận Một", city, code="811")
    district_b = make_unit("Quận Hai", city, code="812")
    ward_a1 = make_unit("Phường Một Một", district_a, code="81101")
    make_unit("Phường Một Hai", district_a, code="81102")
    ward_b1 = make_unit("Phường Hai Một", district_b, code="81201")
    area_a1 = make_unit("Tổ dân phố số 1", ward_a1)
    outside = make_unit("Tỉnh Bên Ngoài", code="82", version=version)
    units = {"own": district_a, "child": ward_a1, "sibling": district_b, "parent": city}
    member = {"own": ward_a1, "child": area_a1, "sibling": ward_b1, "parent": district_a}

    term = Term.objects.get_or_create(
        name="2024–2029", defaults={"start_year": 2024, "end_year": 2029}
    )[0]
    org = MemberOrganisation.objects.create(unit=district_a, name="Hội Liên hiệp Phụ nữ quận")
    users = {"superuser": UserFactory(username="m_super", is_superuser=True, is_staff=True)}
    users["nogrant"] = UserFactory(username="m_nogrant")
    for role, grant_role in [
        ("viewer", Role.VIEWER),
        ("editor", Role.EDITOR),
        ("approver", Role.APPROVER),
        ("admin", Role.ADMIN),
    ]:
        users[role] = UserFactory(username=f"m_{role}")
        grant(users[role], district_a, grant_role)
    users["mo_reporter"] = UserFactory(username="m_mo_reporter")
    grant(users["mo_reporter"], district_a, Role.MEMBER_ORG_REPORTER, member_organisation=org)
    clerk = UserFactory(username="thuky")

    types = {t.code: t for t in ActivityType.objects.all()}
    statement = _statement_bytes()
    w: dict = {
        "unit": units,
        "users": users,
        "term": term,
        "org": org,
        "types": types,
        "statement_bytes": statement,
        **{k: {} for k in OBJECTS if k != "unit"},
        "proposal": {},
        "cash": {},
        "bank": {},
        "member": member,
    }
    outside_fund = funds.fund_create(
        actor=None,
        unit=outside,
        name="Quỹ tỉnh bên",
        kind=FundKind.POOR,
        opened_on=dt.date(2022, 1, 1),
    )
    funds.receipt_create(actor=None, fund=outside_fund, amount=10**9, booked_on=dt.date(2022, 1, 2))
    w["outside_fund"] = outside_fund
    statement_path = media / "fixture-statement.csv"
    statement_path.write_bytes(statement)

    for i, (rel, unit) in enumerate(units.items()):
        w["activity"][rel] = act.activity_record_create(
            actor=None,
            unit=unit,
            type=types["tuyen_truyen"],
            date=dt.date(2023, 3, 10),
            title=f"Tuyên truyền tại {unit.name} {MARK[rel]}",
            attendance=40,
            attachment=SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 bien ban", "application/pdf"),
        )
        w["mediation"][rel] = act.mediation_case_create(
            actor=None, unit=unit, received_on=dt.date(2023, 3, 10), title=f"Tranh chấp {MARK[rel]}"
        )
        fund = funds.fund_create(
            actor=None,
            unit=unit,
            name=f"Quỹ Vì người nghèo {unit.name}",
            kind=FundKind.POOR,
            opened_on=dt.date(2022, 1, 1),
        )
        w["fund"][rel] = fund
        w["cash"][rel] = funds.fund_account_create(actor=None, fund=fund, kind=AccountKind.CASH)
        w["bank"][rel] = funds.fund_account_create(
            actor=None,
            fund=fund,
            kind=AccountKind.BANK,
            bank_name="Vietcombank",
            account_number=f"00110019{i:05d}",
        )
        w["entry"][rel] = funds.receipt_create(
            actor=None,
            fund=fund,
            amount=1_000_000,
            booked_on=dt.date(2023, 2, 1),
            party_name="Công ty Thử",
            account=w["cash"][rel],
        )
        funds.receipt_create(actor=None, fund=fund, amount=5_000_000, booked_on=dt.date(2023, 2, 2))
        w["statement_import"][rel] = importing.statement_import_run(
            actor=None,
            account=w["bank"][rel],
            path=statement_path,
            file_name="sao-ke.csv",
            layout_code="vcb",
        )
        w["job"][rel] = Job.objects.create(
            kind="funds.statement_import",
            status=JobStatus.DONE,
            unit=unit,
            created_by=clerk,
            result={"import_id": w["statement_import"][rel].pk},
        )
        w["transfer"][rel] = funds.transfer_send(
            actor=None,
            from_fund=outside_fund,
            to_fund=fund,
            amount=100_000,
            sent_on=dt.date(2023, 4, 1),
            purpose_text="Hỗ trợ hộ nghèo",
        )
        w["transfer_confirmed"][rel] = funds.transfer_confirm(
            actor=None,
            transfer=funds.transfer_send(
                actor=None,
                from_fund=outside_fund,
                to_fund=fund,
                amount=50_000,
                sent_on=dt.date(2023, 4, 1),
                purpose_text="Hỗ trợ hộ nghèo (đã nhận)",
            ),
            received_on=dt.date(2023, 4, 2),
        )
        w["grant"][rel] = grant(clerk, unit, Role.VIEWER)
        w["staff"][rel] = UserFactory(username=f"canbo_{rel}")
        grant(w["staff"][rel], unit, Role.EDITOR)
        for code, status in [
            (PERIOD_SUBMITTED, SubmissionStatus.SUBMITTED),
            (PERIOD_APPROVED, SubmissionStatus.APPROVED),
        ]:
            from mattran.core.periods import Period

            p = Period.parse(code)
            Submission.objects.create(
                unit=unit,
                period_code=p.code,
                period_start=p.start,
                period_end=p.end,
                status=status,
            )
    assert all(imp.queued for imp in w["statement_import"].values())  # the queue has a line
    _build_emulation(w)
    _build_news(w)
    _sign_ledger_log(media)
    w["sessions"], w["tokens"] = {}, {}
    for role, user in users.items():
        login = Client()
        login.force_login(user)
        w["sessions"][role] = login.cookies[settings.SESSION_COOKIE_NAME].value
        w["tokens"][role] = AuthToken.objects.create(user=user)[1]  # knox: the text, once
    return w


def _pledge(unit, members: list, state: str, w: dict):
    """A 2023 pledge of `members` organised by `unit`, brought to `state` through the
    services: a quota (60 points, a target per member) and a requirement (40)."""
    from decimal import Decimal

    from mattran.emulation import services as emu

    pledge = emu.pledge_create(
        actor=None, unit=unit, year=2023, title=f"Giao ước thi đua 2023 ({state})", members=members
    )
    quota = emu.criterion_create(
        actor=None,
        pledge=pledge,
        data=emu.CriterionInput(
            code="CT1",
            short_name="Mô hình điển hình",
            text="Xây dựng mới mô hình điển hình tiêu biểu",
            kind="quota",
            measure_key="nhap.mo_hinh_dien_hinh",
            points=Decimal(60),
        ),
    )
    emu.criterion_targets_set(
        actor=None, criterion=quota, targets={m.pk: (2, None) for m in members}
    )
    requirement = emu.criterion_create(
        actor=None,
        pledge=pledge,
        data=emu.CriterionInput(
            code="CT2",
            short_name="Kế hoạch giám sát",
            text="Xây dựng kế hoạch giám sát, phản biện xã hội",
            kind="requirement",
            points=Decimal(40),
        ),
    )
    if state == "draft":
        return pledge, quota, requirement
    emu.pledge_activate(actor=None, pledge=pledge, signed_on=dt.date(2023, 1, 13))
    if state == "active":
        return pledge, quota, requirement
    for m in members:
        sheet = emu.score_sheet_ensure(actor=None, pledge=pledge, unit=m)
        emu.sheet_self_score(
            actor=None,
            sheet=sheet,
            entries=[emu.SelfScore(quota.pk, Decimal(30)), emu.SelfScore(requirement.pk, 0)],
        )
        emu.sheet_submit(actor=None, sheet=sheet)
        emu.sheet_verify(
            actor=None,
            sheet=sheet,
            entries=[emu.Verification(quota.pk, Decimal(30)), emu.Verification(requirement.pk, 0)],
        )
    if state == "locked":
        emu.pledge_lock(actor=None, pledge=pledge)
    return pledge, quota, requirement


def _build_emulation(w: dict) -> None:
    """In each unit: key tasks, a draft coordination program, pledges in four states,
    evidence, a decision with a waiting proposal, a committee member, a conference."""
    from mattran.emulation import reference
    from mattran.emulation import services as emu
    from mattran.emulation.models import AwardType, ConferenceKind
    from mattran.units.models import Person, Position, Unit

    reference.install()  # award types (a data migration; a transactional test may flush it)
    w["award"] = AwardType.objects.get(code="giay-khen")
    for key in ("children", "free_org", "quota", "requirement"):
        w[key] = {}
    for rel, unit in w["unit"].items():
        children = list(Unit.objects.filter(parent=unit).order_by("name"))
        w["children"][rel] = children
        person = Person.objects.create(full_name=f"Ủy viên {unit.name} {MARK[rel]}")
        Position.objects.create(unit=unit, term=w["term"], person=person, role="member")
        w["person"][rel] = person
        org = (
            w["org"]
            if rel == "own"
            else MemberOrganisation.objects.create(unit=unit, name=f"Hội Phụ nữ {unit.name}")
        )
        w["free_org"][rel] = MemberOrganisation.objects.create(
            unit=unit, name=f"Đoàn Thanh niên {unit.name}", order=2
        )
        tasks = [
            emu.key_task_create(actor=None, unit=unit, year=2023, text=f"{text} {MARK[rel]}")
            for text in ("Tuyên truyền, vận động", "Giám sát và phản biện xã hội")
        ]
        w["key_task"][rel] = tasks[0]
        program = emu.program_create(
            actor=None,
            unit=unit,
            member_organisation=org,
            year=2023,
            title=f"Chương trình phối hợp với {org.name} {MARK[rel]}",
        )
        w["program_item"][rel] = emu.program_item_add(  # a task in a program cannot go
            actor=None, program=program, content=f"Phối hợp {MARK[rel]}", key_task=tasks[1]
        )
        w["program_signatory"][rel] = emu.program_signatory_add(
            actor=None, program=program, side="member_org", title="Chủ tịch Hội"
        )
        w["program"][rel] = emu.program_document_attach(actor=None, program=program, file=_pdf())
        for state in ("draft", "active", "verified", "locked"):
            pledge, quota, requirement = _pledge(unit, children, state, w)
            w[f"pledge_{state}"][rel] = pledge
            if state == "draft":
                w["criterion"][rel] = quota
            if state == "active":
                w["quota"][rel], w["requirement"][rel] = quota, requirement
                w["evidence"][rel] = emu.evidence_add(
                    actor=None, criterion=requirement, unit=w["member"][rel], file=_pdf("kh.pdf")
                )
        w["decision"][rel] = emu.decision_create(
            actor=None,
            unit=unit,
            award_type=w["award"],
            issuer=f"Ủy ban MTTQ Việt Nam {unit.name}",
            number="1/QĐ-MTTQ",
            signed_on=dt.date(2024, 1, 2),
            achievement_year=2023,
            summary=f"Tặng giấy khen {MARK[rel]}",
            document=_pdf("quyet-dinh.pdf"),
        )
        w["proposal"][rel] = emu.proposal_create(
            actor=None,
            unit=unit,
            year=2023,
            award_type=w["award"],
            recipient=emu.Recipient(unit=unit),
            achievement=f"Hoàn thành xuất sắc nhiệm vụ {MARK[rel]}",
        )
        w["conference"][rel] = emu.conference_create(  # links: below
            actor=None,
            unit=unit,
            data=emu.ConferenceInput(
                kind=ConferenceKind.LAUNCH,
                title=f"Hội nghị phát động thi đua {MARK[rel]}",
                held_on=dt.date(2023, 1, 13),
            ),
        )

    # The city's conference signed Quận Một's pledge and handed out its decision: the
    # city's record (mark) must still not show on Quận Một's pages.
    emu.conference_links_set(
        actor=None,
        conference=w["conference"]["parent"],
        pledges=[w["pledge_active"]["own"]],
        decisions=[w["decision"]["own"]],
    )
    emu.proposals_from_ranking(  # the city's proposals: not for the member units' users
        actor=None,
        pledge=w["pledge_locked"]["parent"],
        award_type=AwardType.objects.get(code="bang-khen-tp-ha-noi"),
        top=2,
        achievement=f"Dẫn đầu giao ước thi đua {MARK['parent']}",
    )


def _build_news(w: dict) -> None:
    """In each unit: a draft article (category, one photo) and a published one."""
    from mattran.news import reference
    from mattran.news import services as news
    from mattran.news.models import Category

    reference.install()
    w["category"] = Category.objects.get(slug="hoat-dong-mat-tran")
    for rel, unit in w["unit"].items():
        draft = news.article_create(
            actor=None,
            unit=unit,
            title=f"Bản nháp {MARK[rel]}",
            body="Nội dung bản nháp.",
            category=w["category"],
        )
        w["article"][rel] = draft
        w["photo"][rel] = news.article_photo_add(actor=None, article=draft, image=_png())
        published = news.article_create(
            actor=None,
            unit=unit,
            title=f"Tin đã đăng {MARK[rel]}",
            body="Nội dung tin đã đăng.",
            category=w["category"],
        )
        w["published_article"][rel] = news.article_publish(actor=None, article=published)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once per module inside a transaction that is rolled back at the end;
    each test runs in a savepoint of it (pytest-django's `db`)."""
    media = tmp_path_factory.mktemp("matrix-media")
    fast_hasher = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test users only
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media), PASSWORD_HASHERS=fast_hasher),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build_world(media)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module", autouse=True)
def _quiet_expected_refusals():
    """Thousands of 403/404/405 answers are the point here: Django's warning for each
    (and pytest capturing it) would cost more time than the checks. Errors (5xx)
    are still logged."""
    loggers = [logging.getLogger(n) for n in ("django.request", "django.security.csrf")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    yield
    for lg, level in zip(loggers, levels, strict=True):
        lg.setLevel(level)


# --------------------------------------------------------------- expectations


def _may(role: str, need: str, rel: str | None, *, parent: bool = False) -> bool:
    """May `role` do `need` on the object of relation `rel` (None: anywhere)?"""
    if role == "superuser":
        return True
    if need not in ROLE_PERMS[role]:
        return False
    if rel is None:
        return True
    target = PARENT_OF[rel] if parent else rel
    return target in COVERED


def _level_ok(levels, world, rel) -> bool:
    return levels is None or rel is None or world["unit"][rel].level in levels


def _sees_member(row: Row, role: str, rel: str | None) -> bool:
    """A pledge (its sheet, evidence) is also visible to who sees the member unit."""
    return row.member and rel is not None and _may(role, VIEW, MEMBER[rel])


def expected_get(row: Row, role: str, rel: str | None, world) -> int:
    if row.access == PUBLIC:
        return row.signed_in if row.signed_in and role != "anonymous" else row.get
    if role == "anonymous":
        return row.anonymous
    if row.access == SUPERUSER:
        return row.get if role == "superuser" else 302  # to the admin's login
    if row.access == NATION:
        return row.get if role == "superuser" else 404
    if row.access == LOGIN or row.get == 405:
        return row.get
    need_view = row.view or row.access
    if need_view == row.access:
        allowed = _may(role, row.access, rel, parent=row.perm_on_parent) or (
            row.member_org and role == "mo_reporter" and rel in COVERED
        )
    else:
        allowed = _may(role, need_view, rel)
    allowed = allowed or _sees_member(row, role, rel)
    if allowed and not _level_ok(row.levels, world, rel):
        allowed = False
    return row.get if allowed else 404


def expected_post(row: Row, role: str, rel: str, world) -> tuple[int, bool]:
    """(status, writes?) of a valid POST."""
    post = row.post
    if role == "anonymous":
        return row.anonymous, False
    if row.on is None:
        sees = _may(role, row.access, None)
    else:
        sees = _may(role, row.view or row.access, rel, parent=row.perm_on_parent and not row.view)
    sees = sees or (row.member_org and role == "mo_reporter" and rel in COVERED)
    sees = sees or _sees_member(row, role, rel)
    if not sees:
        return 404, False
    target = MEMBER[rel] if post.member else rel
    acts = _may(role, post.access, target, parent=post.perm_on_parent) or (
        row.member_org and role == "mo_reporter" and rel in COVERED
    )
    if acts and not _level_ok(post.levels, world, rel):
        acts = False
    return (post.ok, True) if acts else (post.refused, False)


# --------------------------------------------------------------------- cases

CASES: Counter = Counter()


@cache
def _patterns() -> dict[str, URLPattern]:
    return url_patterns()


def build_url(name: str, row: Row, world, rel: str | None) -> str:
    pattern = _patterns()[name]
    kwargs = {}
    for arg in pattern.pattern.converters:
        if arg in row.args:
            kwargs[arg] = row.args[arg](world, rel)
        elif arg in row.kwargs:
            kwargs[arg] = row.kwargs[arg]
        elif arg in ("pk", "unit_pk", "unit_id", "conference_id"):  # the object the row names
            kwargs[arg] = world[OBJECTS[row.on]][rel].pk
        else:
            raise AssertionError(f"{name}: no value for URL argument {arg!r}")
    query = row.args["query"](world, rel) if "query" in row.args else row.kwargs.get("query", "")
    return reverse(name, kwargs=kwargs) + query


# One request handler per CSRF mode for the whole module: a new Client builds its
# own handler, and loading the middleware (WhiteNoise indexes every static file)
# costs more than the request itself.
_HANDLERS: dict[bool, ClientHandler] = {}


def client_for(role: str, world, *, enforce_csrf_checks: bool = False, api: bool = False):
    """A browser of `role` (the session made when the world was built: no login per
    test) or, for the API, a client sending the role's token (docs/api.md)."""
    client = Client()
    if enforce_csrf_checks not in _HANDLERS:
        _HANDLERS[enforce_csrf_checks] = ClientHandler(enforce_csrf_checks)
    client.handler = _HANDLERS[enforce_csrf_checks]
    if role == "anonymous":
        return client
    if api:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {world['tokens'][role]}"
    else:
        client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][role]
    return client


def send_post(client, row: Row, url: str, data: dict):
    if row.api:
        return client.post(url, json.dumps(data), content_type="application/json")
    return client.post(url, data)


def _relations(row: Row) -> list[str | None]:
    return RELATIONS if row.on else [None]


def _describe(response) -> str:
    where = response.get("Location", "")
    return f"{response.status_code} {where}".strip()


@pytest.fixture
def _generous_public_rate(settings):
    # Every request of the matrix comes from 127.0.0.1; the real limit is tested in portal.
    settings.MATTRAN_PUBLIC_RATE = "100000/m"


ROWS = classified_rows()


@pytest.mark.parametrize("name", sorted(ROWS))
def test_get(name, world, db, _generous_public_rate):
    row = ROWS[name]
    failures = []
    for role in ROLES:
        client = client_for(role, world, api=row.api)
        for rel in _relations(row):
            url = build_url(name, row, world, rel)
            response = client.get(url)
            want = expected_get(row, role, rel, world)
            CASES["get"] += 1
            if response.status_code != want:
                failures.append(
                    f"{role:<12} {rel or '-':<8} GET {url}: {_describe(response)}, want {want}"
                )
            elif want == 200 and row.access != PUBLIC and role != "superuser":
                if leaked := _marks_shown(response):
                    failures.append(f"{role:<12} {rel or '-':<8} GET {url}: shows {leaked}")
            elif want == 302 and role == "anonymous" and row.access != PUBLIC:
                login = "/quan-tri/login/" if row.access == SUPERUSER else reverse("login")
                if not response["Location"].startswith(login):
                    failures.append(f"anonymous GET {url}: redirected to {response['Location']}")
    assert not failures, "\n".join(failures)


def test_ledger_log_proof_of_an_unknown_entry(world, db, _generous_public_rate):
    """The two proof URLs beyond their matrix rows (which ask for a logged donation):
    an entry the log does not have answers 404 on the page and 400 from the API, for
    every role, with a Vietnamese message; a logged one carries its proof."""
    entry = _logged_entry(world, "own")
    failures = []
    for role in ROLES:
        page = client_for(role, world)
        api = client_for(role, world, api=True)
        unknown = page.get(reverse("portal:ledger_verify", kwargs={"entry_id": 987654321}))
        if unknown.status_code != 404 or "không có trong sổ cái công khai" not in unknown.text:
            failures.append(f"{role}: page of an unknown entry: {_describe(unknown)}")
        unknown = api.get(reverse("api:log-inclusion") + "?entry=987654321")
        if unknown.status_code != 400 or "không có trong sổ cái" not in unknown.text:
            failures.append(f"{role}: API proof of an unknown entry: {_describe(unknown)}")
        known = api.get(reverse("api:log-inclusion") + f"?entry={entry}")
        if (
            known.status_code != 200
            or known.json()["entry"] != entry
            or "proof" not in known.json()
        ):
            failures.append(f"{role}: API proof of entry {entry}: {_describe(known)}")
        known = page.get(reverse("portal:ledger_verify", kwargs={"entry_id": entry}))
        if known.status_code != 200 or 'data-testid="leaf-ok"' not in known.text:
            failures.append(f"{role}: page of entry {entry}: {_describe(known)}")
        CASES["get"] += 4
    assert not failures, "\n".join(failures)


def _marks_shown(response) -> list[str]:
    """Marks of records of units the role may not see (sibling, parent) in the page."""
    if response.streaming:  # a file download
        return []
    body = response.content.decode(errors="replace")
    return [m for rel, m in MARK.items() if rel not in COVERED and m in body]


POST_ROWS = sorted(n for n, r in ACCESS.items() if r.post)


def _post_relations(row: Row) -> list[str]:
    return RELATIONS if (row.on or row.post.on) else [None]


@pytest.mark.parametrize("name", POST_ROWS)
def test_post(name, world, db, _generous_public_rate):
    row = ACCESS[name]
    failures = []
    for role in ROLES:
        for rel in _post_relations(row):
            url = build_url(name, row, world, rel if row.on else None)
            want_status, want_write = expected_post(row, role, rel, world)
            with transaction.atomic():
                before = AuditEvent.objects.count()
                start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                client = client_for(role, world, api=row.api)
                response = send_post(client, row, url, row.post.data(world, rel))
                events = list(
                    AuditEvent.objects.filter(pk__gt=start).values_list("action", "object_id")
                )
                actions = [action for action, _ in events]
                wrote = AuditEvent.objects.count() > before
                transaction.set_rollback(True)
            CASES["post"] += 1
            problem = None
            if response.status_code != want_status:
                problem = f"{_describe(response)}, want {want_status}"
                if row.api:
                    problem += f" {response.content.decode()[:300]}"
            elif want_write and row.post.action not in actions:
                problem = f"no {row.post.action} audit event (got {actions})"
            elif not want_write and wrote:
                problem = f"wrote {actions} although refused"
            elif (
                want_write
                and row.api
                and (row.post.action, str(response.json()["id"])) not in events
            ):
                problem = f"answered {response.json()} but wrote {events}"  # the row it names
            if problem:
                failures.append(f"{role:<12} {rel or '-':<8} POST {url}: {problem}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", sorted(n for n, r in ROWS.items() if r.csrf))
def test_post_without_csrf_token_is_refused(name, world, db, _generous_public_rate):
    row = ROWS[name]
    failures = []
    rel = "own" if row.on else None
    url = build_url(name, row, world, rel)
    data = row.post.data(world, rel or "own") if row.post else {"x": "1"}
    # The CSRF check runs before any view code, whoever asks: three roles suffice.
    for role in ("anonymous", "editor", "superuser"):
        before = AuditEvent.objects.count()
        response = client_for(role, world, enforce_csrf_checks=True).post(url, data)
        CASES["csrf"] += 1
        if (
            response.status_code != 403
            or "Không gửi được biểu mẫu" not in response.content.decode()
        ):
            failures.append(f"{role}: POST {url} without token: {_describe(response)}")
        if AuditEvent.objects.count() != before:
            failures.append(f"{role}: POST {url} without token wrote something")
    assert not failures, "\n".join(failures)


API_POST_ROWS = sorted(n for n in POST_ROWS if ACCESS[n].api)


@pytest.mark.parametrize("name", API_POST_ROWS)
def test_api_writes_need_the_token_not_a_csrf_token(name, world, db):
    """The API authenticates by token only (docs/api.md), so CSRF does not apply: a
    token-carrying request without any CSRF cookie or token writes, while a browser
    session (the credential a forged cross-site request would ride on) is refused
    with 401 and writes nothing, even the superuser's."""
    row = ACCESS[name]
    url = build_url(name, row, world, "own")
    data = row.post.data(world, "own")
    failures = []
    for role in ("editor", "superuser"):
        with transaction.atomic():
            before = AuditEvent.objects.count()
            session = client_for(role, world, enforce_csrf_checks=True)  # no token
            response = send_post(session, row, url, data)
            CASES["csrf"] += 1
            if response.status_code != 401 or response.json()["code"] != "not_authenticated":
                failures.append(f"{role}: session POST {url}: {_describe(response)}, want 401")
            if AuditEvent.objects.count() != before:
                failures.append(f"{role}: session POST {url} wrote something")
            token = client_for(role, world, enforce_csrf_checks=True, api=True)
            response = send_post(token, row, url, data)
            CASES["csrf"] += 1
            if (
                response.status_code != 201
                or not AuditEvent.objects.filter(
                    action=row.post.action, object_id=str(response.json().get("id"))
                ).exists()
            ):
                failures.append(f"{role}: token POST {url} without CSRF: {_describe(response)}")
            transaction.set_rollback(True)
    assert not failures, "\n".join(failures)


def _fund_name(w, rel):
    return w["fund"][rel].name  # funds carry no mark (the portal shows them all)


def _mark(w, rel):
    return MARK[rel]


# Object-less list pages, and the own unit's activity list: (URL, API?, does the
# superuser see every unit's rows there, the text that shows a unit's row).
LIST_PAGES = {
    "funds:list": (lambda w: reverse("funds:list"), False, True, _fund_name),
    "activities:list": (
        lambda w: reverse("activities:list", kwargs={"unit_pk": w["unit"]["own"].pk}),
        False,
        False,  # Quận Một's subtree, whoever asks
        _mark,
    ),
    "emulation:index": (lambda w: reverse("emulation:index"), False, True, _mark),
    "emulation:proposals": (lambda w: reverse("emulation:proposals"), False, True, _mark),
    "news:manage": (lambda w: reverse("news:manage"), False, True, _mark),
    "api:fund-list": (lambda w: reverse("api:fund-list"), True, True, _fund_name),
    "api:unit-activities": (
        lambda w: reverse("api:unit-activities", kwargs={"pk": w["unit"]["own"].pk}),
        True,
        False,
        _mark,
    ),
}


@pytest.mark.parametrize("role", ["viewer", "editor", "approver", "admin", "superuser"])
def test_lists_show_only_the_visible_subtree(role, world, db):
    """Object-less list pages answer 200 to everyone signed in: what they list
    must still be only the role's units (own and child, never sibling or parent),
    and all of those."""
    failures = []
    for name, (url_of, api, everything, label) in LIST_PAGES.items():
        url = url_of(world)
        response = client_for(role, world, api=api).get(url)
        assert response.status_code == 200, (name, response.status_code)
        body = response.content.decode()
        CASES["list"] += 1
        for rel in RELATIONS:
            shown = label(world, rel) in body
            want = rel in COVERED or (role == "superuser" and everything)
            if shown != want:
                failures.append(f"{role} {url}: {rel} {'shown' if shown else 'missing'}")
    assert not failures, "\n".join(failures)


def test_zz_matrix_size(capsys):
    """How many URL × role × relation cases ran (printed with -s; asserted non-trivial)."""
    total = sum(CASES.values())
    with capsys.disabled():
        print(
            f"\naccess matrix: {len(ROWS)} URLs, {CASES['get']} GET, {CASES['post']} POST, "
            f"{CASES['csrf']} CSRF and {CASES['list']} list cases ({total} requests)"
        )
    if CASES["get"]:  # the module ran as a whole (not a single selected test)
        assert CASES["get"] >= len(ROWS) * len(ROLES)

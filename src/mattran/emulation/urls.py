from django.urls import path

from . import views

app_name = "emulation"
urlpatterns = [
    path("", views.index, name="index"),
    # planning
    path("ke-hoach/<id:unit_id>/<year:year>/", views.planning, name="planning"),
    path(
        "ke-hoach/<id:unit_id>/<year:year>/them-nhiem-vu/",
        views.key_task_create,
        name="key_task_create",
    ),
    path("nhiem-vu/<id:pk>/sua/", views.key_task_edit, name="key_task_edit"),
    path("nhiem-vu/<id:pk>/xoa/", views.key_task_delete, name="key_task_delete"),
    path("nhiem-vu/<id:pk>/di-chuyen/", views.key_task_move, name="key_task_move"),
    path(
        "ke-hoach/<id:unit_id>/<year:year>/them-chuong-trinh/",
        views.program_create,
        name="program_create",
    ),
    path(
        "ke-hoach/<id:unit_id>/<year:year>/tao-chuong-trinh-tat-ca/",
        views.programs_create_all,
        name="programs_create_all",
    ),
    path("chuong-trinh/<id:pk>/", views.program_detail, name="program"),
    path("chuong-trinh/<id:pk>/van-ban/", views.program_document, name="program_document"),
    path("noi-dung-phoi-hop/<id:pk>/xoa/", views.program_item_delete, name="program_item_delete"),
    path("nguoi-ky/<id:pk>/xoa/", views.program_signatory_delete, name="program_signatory_delete"),
]

urlpatterns += [
    # emulation
    path(
        "ke-hoach/<id:unit_id>/<year:year>/tao-giao-uoc/", views.pledge_create, name="pledge_create"
    ),
    path("ke-hoach/<id:unit_id>/<year:year>/tao-cum/", views.cluster_create, name="cluster_create"),
    path("giao-uoc/<id:pk>/", views.pledge_detail, name="pledge"),
    path("giao-uoc/<id:pk>/them-tieu-chi/", views.criterion_create, name="criterion_create"),
    path("giao-uoc/<id:pk>/ky-ket/", views.pledge_activate, name="pledge_activate"),
    path("giao-uoc/<id:pk>/tien-do/", views.pledge_progress, name="progress"),
    path("giao-uoc/<id:pk>/xep-loai/", views.pledge_ratings, name="pledge_ratings"),
    path("giao-uoc/<id:pk>/so-lieu/", views.pledge_entries, name="pledge_entries"),
    path("giao-uoc/<id:pk>/cham-diem/<id:unit_id>/", views.sheet, name="sheet"),
    path(
        "giao-uoc/<id:pk>/cham-diem/<id:unit_id>/minh-chung/",
        views.evidence_add,
        name="evidence_add",
    ),
    path("giao-uoc/<id:pk>/khoa/", views.pledge_lock, name="pledge_lock"),
    path("giao-uoc/<id:pk>/mo-lai/", views.pledge_reopen, name="pledge_reopen"),
    path("giao-uoc/<id:pk>/xep-hang/", views.ranking, name="ranking"),
    path("giao-uoc/<id:pk>/xep-hang.<str:fmt>", views.ranking_export, name="ranking_export"),
    path("giao-uoc/<id:pk>/de-nghi/", views.ranking_propose, name="ranking_propose"),
    path("tieu-chi/<id:pk>/sua/", views.criterion_edit, name="criterion_edit"),
    path("tieu-chi/<id:pk>/xoa/", views.criterion_delete, name="criterion_delete"),
    path("tieu-chi/<id:pk>/chi-tieu/", views.criterion_targets, name="criterion_targets"),
    path("minh-chung/<id:pk>/", views.evidence_file, name="evidence_file"),
    path("minh-chung/<id:pk>/xoa/", views.evidence_delete, name="evidence_delete"),
    # commendations
    path("khen-thuong/de-nghi/", views.proposals, name="proposals"),
    path("khen-thuong/de-nghi/them/<id:unit_id>/", views.proposal_create, name="proposal_create"),
    path(
        "khen-thuong/quyet-dinh/them/<id:unit_id>/", views.decision_create, name="decision_create"
    ),
    path("khen-thuong/quyet-dinh/<id:pk>/", views.decision_detail, name="decision"),
    path(
        "khen-thuong/quyet-dinh/<id:pk>/them-nhieu/",
        views.decision_add_many,
        name="decision_add_many",
    ),
    path(
        "khen-thuong/quyet-dinh/<id:pk>/van-ban/",
        views.decision_document,
        name="decision_document",
    ),
    path("khen-thuong/don-vi/<id:unit_id>/", views.unit_history, name="unit_history"),
    path("khen-thuong/ca-nhan/<id:pk>/", views.person_history, name="person_history"),
    # conferences
    path("hoi-nghi/them/<id:unit_id>/", views.conference_create, name="conference_create"),
    path("hoi-nghi/<id:pk>/", views.conference_detail, name="conference"),
    path("hoi-nghi/<id:pk>/sua/", views.conference_edit, name="conference_edit"),
]

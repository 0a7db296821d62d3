from django.urls import path

from . import views

app_name = "funds"
urlpatterns = [
    path("", views.fund_list, name="list"),
    path("mo-quy/<id:unit_pk>/", views.fund_create, name="create"),
    path("<id:pk>/", views.fund_detail, name="detail"),
    path("<id:pk>/thu/", views.receipt_create, name="receipt"),
    path("<id:pk>/chi/", views.disbursement_create, name="disbursement"),
    path("<id:pk>/chuyen-tien/", views.transfer_send, name="transfer"),
    path("<id:pk>/nhap-sao-ke/", views.statement_upload, name="upload"),
    path("<id:pk>/hang-cho/", views.match_queue, name="queue"),
    path("<id:pk>/chua-phan-loai/", views.unclassified_payments, name="unclassified"),
    path("<id:pk>/doi-chieu-ngan-hang/", views.fund_reconciliation, name="reconciliation"),
    path("but-toan/<id:pk>/", views.entry_detail, name="entry"),
    path("but-toan/<id:pk>/phieu/", views.voucher_print, name="voucher"),
    path("but-toan/<id:pk>/phieu.docx", views.voucher_download, name="voucher_docx"),
    path("dieu-chuyen/", views.transfer_list, name="transfers"),
    path("dieu-chuyen/<id:pk>/xac-nhan/", views.transfer_confirm, name="transfer_confirm"),
    path("dieu-chuyen/<id:pk>/huy/", views.transfer_cancel, name="transfer_cancel"),
    path("dieu-chuyen/<id:pk>/chuyen-tra/", views.transfer_return, name="transfer_return"),
    path("sao-ke/<id:pk>/", views.statement_import_detail, name="import"),
    path("cong-viec/<id:pk>/", views.job_detail, name="job"),
]

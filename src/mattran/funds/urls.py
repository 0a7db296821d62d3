from django.urls import path

from . import views

app_name = "funds"
urlpatterns = [
    path("", views.fund_list, name="list"),
    path("mo-quy/<int:unit_pk>/", views.fund_create, name="create"),
    path("<int:pk>/", views.fund_detail, name="detail"),
    path("<int:pk>/thu/", views.receipt_create, name="receipt"),
    path("<int:pk>/chi/", views.disbursement_create, name="disbursement"),
    path("<int:pk>/chuyen-tien/", views.transfer_send, name="transfer"),
    path("<int:pk>/nhap-sao-ke/", views.statement_upload, name="upload"),
    path("<int:pk>/hang-cho/", views.match_queue, name="queue"),
    path("<int:pk>/chua-phan-loai/", views.unclassified_payments, name="unclassified"),
    path("<int:pk>/doi-chieu-ngan-hang/", views.fund_reconciliation, name="reconciliation"),
    path("but-toan/<int:pk>/", views.entry_detail, name="entry"),
    path("but-toan/<int:pk>/phieu/", views.voucher_print, name="voucher"),
    path("but-toan/<int:pk>/phieu.docx", views.voucher_download, name="voucher_docx"),
    path("dieu-chuyen/", views.transfer_list, name="transfers"),
    path("dieu-chuyen/<int:pk>/xac-nhan/", views.transfer_confirm, name="transfer_confirm"),
    path("sao-ke/<int:pk>/", views.statement_import_detail, name="import"),
    path("cong-viec/<int:pk>/", views.job_detail, name="job"),
]

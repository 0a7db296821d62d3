from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.home, name="home"),
    path("don-vi/<id:unit_pk>/", views.activity_list, name="list"),
    path("don-vi/<id:unit_pk>/them/", views.activity_create, name="create"),
    path("don-vi/<id:unit_pk>/hoa-giai/", views.mediation_list, name="mediation_list"),
    path("don-vi/<id:unit_pk>/hoa-giai/them/", views.mediation_create, name="mediation_create"),
    path("don-vi/<id:unit_pk>/so-lieu/", views.aggregate_form, name="aggregate"),
    path("don-vi/<id:unit_pk>/nhap-excel/", views.bulk, name="bulk"),
    path("nhap-excel/tien-trinh/<id:pk>/", views.bulk_job, name="bulk_job"),
    path("<id:pk>/", views.activity_detail, name="detail"),
    path("<id:pk>/sua/", views.activity_update, name="update"),
    path("<id:pk>/xoa/", views.activity_delete, name="delete"),
    path("<id:pk>/tep/", views.activity_attachment, name="attachment"),
    path("hoa-giai/<id:pk>/sua/", views.mediation_update, name="mediation_update"),
]

from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.home, name="home"),
    path("don-vi/<int:unit_pk>/", views.activity_list, name="list"),
    path("don-vi/<int:unit_pk>/them/", views.activity_create, name="create"),
    path("don-vi/<int:unit_pk>/hoa-giai/", views.mediation_list, name="mediation_list"),
    path("don-vi/<int:unit_pk>/hoa-giai/them/", views.mediation_create, name="mediation_create"),
    path("don-vi/<int:unit_pk>/so-lieu/", views.aggregate_form, name="aggregate"),
    path("don-vi/<int:unit_pk>/nhap-excel/", views.bulk, name="bulk"),
    path("nhap-excel/tien-trinh/<int:pk>/", views.bulk_job, name="bulk_job"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/sua/", views.activity_update, name="update"),
    path("<int:pk>/xoa/", views.activity_delete, name="delete"),
    path("<int:pk>/tep/", views.activity_attachment, name="attachment"),
    path("hoa-giai/<int:pk>/sua/", views.mediation_update, name="mediation_update"),
]

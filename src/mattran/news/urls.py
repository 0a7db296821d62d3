from django.urls import path

from . import feeds, views

app_name = "news"
urlpatterns = [
    path("", views.index, name="index"),
    path("rss/", feeds.LatestArticlesFeed(), name="rss"),
    path("danh-muc/<slug:slug>/", views.index, name="category"),
    path("danh-muc/<slug:slug>/rss/", feeds.LatestArticlesFeed(), name="category_rss"),
    path("<id:pk>-<slug:slug>/", views.article, name="article"),
    path("anh/<id:pk>/", views.photo, name="photo"),
    path("quan-ly/", views.manage, name="manage"),
    path("quan-ly/them/<id:unit_id>/", views.create, name="create"),
    path("quan-ly/<id:pk>/", views.edit, name="edit"),
    path("quan-ly/<id:pk>/anh/", views.photo_add, name="photo_add"),
    path("quan-ly/<id:pk>/anh/<id:photo_id>/xoa/", views.photo_delete, name="photo_delete"),
    path("quan-ly/<id:pk>/dang/", views.publish, name="publish"),
    path("quan-ly/<id:pk>/go/", views.unpublish, name="unpublish"),
    path(
        "quan-ly/<id:pk>/ban-sua/<str:action>/",
        views.revision,
        name="revision",
    ),
    path("quan-ly/tu-bao-cao/<id:unit_id>/", views.draft_from_report, name="draft_from_report"),
    path(
        "quan-ly/tu-hoi-nghi/<id:conference_id>/",
        views.draft_from_conference,
        name="draft_from_conference",
    ),
]

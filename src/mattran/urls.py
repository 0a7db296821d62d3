from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from mattran.access import views as access_views
from mattran.core import views as core_views
from mattran.portal import views as portal_views

urlpatterns = [
    # Visitors see the public portal; signed-in users go on to core_views.home.
    path("", portal_views.front, name="home"),
    path("suc-khoe/", core_views.health, name="health"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", access_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("xac-thuc-hai-buoc/", include("mattran.access.twofactor_urls")),
    path("don-vi/", include("mattran.units.urls")),
    path("phan-quyen/", include("mattran.access.urls")),
    path("hoat-dong/", include("mattran.activities.urls")),
    path("bao-cao/", include("mattran.reports.urls")),
    path("doc-bao-cao/", include("mattran.reading.urls")),
    path("quy/", include("mattran.funds.urls")),
    path("cong-khai/", include("mattran.portal.urls")),
    path("thi-dua/", include("mattran.emulation.urls")),
    path("tin-tuc/", include("mattran.news.urls")),
    path("api/v1/", include("mattran.api.urls")),
    path("quan-tri/", admin.site.urls),
]

handler403 = "mattran.core.views.error_403"
handler404 = "mattran.core.views.error_404"
handler500 = "mattran.core.views.error_500"

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from syncadmin.accounts import views as account_views
from syncadmin.health import views as health_views

# Every URL under a/<account_id>/ is account-scoped and goes through accounts.access.
account_patterns = [
    path("", include("syncadmin.accounts.urls")),
    path("settings/", include("syncadmin.integration.urls")),
    path("health/", include("syncadmin.health.urls")),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("a/<int:account_id>/", include(account_patterns)),
    path("status", health_views.status, name="status"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

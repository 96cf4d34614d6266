"""Home, login and logout (un-namespaced, as settings and templates name them), then the
pages of the `web` namespace. Person and account pages live here, under the org and sales
paths, because they compose several apps (people with quotas and deals, accounts with their
territory) and the apps below `web` may not import each other upwards."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from openspm.web import views

web_pages = (
    [
        path("org/people/<int:pk>/", views.person_detail, name="person"),
        path("sales/accounts/<int:pk>/", views.account_detail, name="account"),
        path("audit/", views.audit, name="audit"),
    ],
    "web",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include(web_pages)),
]

"""URL map: pages, the admin, the API and the liveness probe."""

from django.contrib import admin
from django.urls import include, path

from openspm.api.api import api
from openspm.web import views as web_views

admin.site.site_header = "OpenSPM back office"
admin.site.site_title = "OpenSPM"

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("openspm.web.urls")),
    path("org/", include("openspm.org.urls")),
    path("sales/", include("openspm.sales.urls")),
    path("quotas/", include("openspm.quotas.urls")),
    path("territories/", include("openspm.territories.urls")),
    path("imports/", include("openspm.imports.urls")),
    path("plans/", include("openspm.plans.urls")),
    path("comp/", include("openspm.comp.urls")),
    path("referrals/", include("openspm.referrals.urls")),
    path("r/", include("openspm.referrals.public_urls")),
]

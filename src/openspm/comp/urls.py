"""The comp pages: each area's view module declares its own `urlpatterns`."""

from openspm.comp.views import disputes, payouts, runs, statements

app_name = "comp"
urlpatterns = [
    *runs.urlpatterns,
    *statements.urlpatterns,
    *disputes.urlpatterns,
    *payouts.urlpatterns,
]

from django.urls import path

from openspm.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("<int:plan_id>/", views.plan_detail, name="detail"),
    path("<int:plan_id>/new-version", views.new_version, name="new_version"),
    path("versions/<int:version_id>/", views.version_detail, name="version"),
    path("versions/<int:version_id>/validate", views.validate_document, name="validate"),
    path("versions/<int:version_id>/decide", views.decide, name="decide"),
    path("versions/<int:version_id>/accept", views.accept, name="accept"),
    path("versions/<int:old_id>/diff/<int:new_id>/", views.version_diff, name="diff"),
]

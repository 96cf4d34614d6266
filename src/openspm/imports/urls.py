from django.urls import path

from openspm.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.start, name="start"),
    path("check/", views.check, name="check"),
    path("confirm/", views.confirm, name="confirm"),
    path("status/<str:token>/", views.status, name="status"),
    path("export/<slug:entity>.<slug:file_format>", views.export, name="export"),
]

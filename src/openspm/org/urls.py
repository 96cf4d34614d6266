from django.urls import path  # noqa: F401

app_name = "org"
urlpatterns: list = []  # type: ignore[type-arg]

from django.urls import path  # noqa: F401

app_name = "territories"
urlpatterns: list = []  # type: ignore[type-arg]

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "openspm.api"
    label = "api"
    verbose_name = "API"

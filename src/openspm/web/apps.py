from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "openspm.web"
    label = "web"
    verbose_name = "Web"

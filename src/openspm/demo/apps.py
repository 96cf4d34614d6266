from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "openspm.demo"
    label = "demo"
    verbose_name = "Demo company"

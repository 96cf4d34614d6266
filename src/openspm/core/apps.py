from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openspm.core"
    label = "core"
    verbose_name = "Core"

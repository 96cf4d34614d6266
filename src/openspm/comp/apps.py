from django.apps import AppConfig


class CompConfig(AppConfig):
    name = "openspm.comp"
    label = "comp"
    verbose_name = "Compensation"

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "openspm.imports"
    label = "imports"
    verbose_name = "Import and export"

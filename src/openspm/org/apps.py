from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "openspm.org"
    label = "org"
    verbose_name = "Organisation"

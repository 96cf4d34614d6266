from django.apps import AppConfig


class QuotasConfig(AppConfig):
    name = "openspm.quotas"
    label = "quotas"
    verbose_name = "Quotas"

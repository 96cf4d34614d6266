from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "openspm.sales"
    label = "sales"
    verbose_name = "Sales data"

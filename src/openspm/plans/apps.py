from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "openspm.plans"
    label = "plans"
    verbose_name = "Compensation plans"

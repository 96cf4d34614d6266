from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "openspm.territories"
    label = "territories"
    verbose_name = "Territories"

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "openspm.referrals"
    label = "referrals"
    verbose_name = "Referrals"

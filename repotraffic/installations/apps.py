from django.apps import AppConfig


class InstallationsConfig(AppConfig):
    name = "repotraffic.installations"
    label = "installations"
    verbose_name = "GitHub App installations"

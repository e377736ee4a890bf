from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "repotraffic.sharing"
    label = "sharing"

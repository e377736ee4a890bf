from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "repotraffic.common"
    label = "common"

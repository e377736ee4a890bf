from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "repotraffic.common"
    label = "common"

    def ready(self) -> None:
        from config.celery import _filesystem_broker_folders_create

        _filesystem_broker_folders_create()

from django.apps import AppConfig


class RepositoriesConfig(AppConfig):
    name = "repotraffic.repositories"
    label = "repositories"

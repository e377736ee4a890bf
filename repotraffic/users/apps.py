from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "repotraffic.users"
    label = "users"

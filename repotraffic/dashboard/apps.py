from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "repotraffic.dashboard"
    label = "dashboard"

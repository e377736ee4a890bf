from django.apps import AppConfig


class TrafficConfig(AppConfig):
    name = "repotraffic.traffic"
    label = "traffic"

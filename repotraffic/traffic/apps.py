from django.apps import AppConfig


class TrafficConfig(AppConfig):
    name = "repotraffic.traffic"
    label = "traffic"

    def ready(self) -> None:
        # Here, not in `repositories`: that app must not import this one, so it sends a
        # signal that this one answers.
        from repotraffic.repositories.signals import repository_created
        from repotraffic.traffic.tasks import repository_created_receive

        repository_created.connect(
            repository_created_receive, dispatch_uid="traffic.repository_created_receive"
        )

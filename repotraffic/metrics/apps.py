from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "repotraffic.metrics"
    label = "metrics"

    def ready(self) -> None:
        # Here, not in `traffic`: that app must not import this one, so it sends a signal
        # for each finished collection that this one counts.
        from repotraffic.metrics.services import collection_finished_receive
        from repotraffic.traffic.signals import collection_finished

        collection_finished.connect(
            collection_finished_receive, dispatch_uid="metrics.collection_finished_receive"
        )

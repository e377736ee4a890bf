from django.db import models


class CollectionOutcomeCount(models.Model):
    """How many collections ended with one outcome and reason, since the database was
    made: /metrics' repotraffic_collections_total. Kept here, not in each process, so
    that every worker's collections add up and survive restarts."""

    outcome = models.CharField(max_length=16)  # "succeeded" or "failed"
    reason = models.CharField(max_length=32, blank=True, default="")  # a failure's cause
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "reason"], name="metrics_collection_outcome_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} {self.reason or '-'}: {self.count}"

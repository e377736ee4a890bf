from django.db import models

from repotraffic.repositories.models import Repository


class TrafficDay(models.Model):
    """One repository's traffic on one UTC day, merged from GitHub's 14-day windows."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="traffic")
    date = models.DateField()
    views = models.PositiveIntegerField(default=0)
    unique_views = models.PositiveIntegerField(default=0)
    clones = models.PositiveIntegerField(default=0)
    unique_clones = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("repository", "date")
        constraints = [
            models.UniqueConstraint(fields=["repository", "date"], name="traffic_day_unique"),
            models.CheckConstraint(
                condition=models.Q(views__gte=0)
                & models.Q(unique_views__gte=0)
                & models.Q(clones__gte=0)
                & models.Q(unique_clones__gte=0),
                name="traffic_day_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.repository_id} {self.date}"

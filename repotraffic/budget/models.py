from django.db import models


class TokenSpend(models.Model):
    """What one GitHub token spent on backfills in one UTC hour, counted across every
    process that shares the database. The token is known by a digest only."""

    token_key = models.CharField(max_length=64)
    hour = models.DateTimeField()  # its start
    backfill_requests = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token_key", "hour"], name="token_spend_unique"),
        ]
        indexes = [models.Index(fields=["hour"])]

    def __str__(self) -> str:
        return f"{self.token_key[:8]} {self.hour:%Y-%m-%d %H}h: {self.backfill_requests}"

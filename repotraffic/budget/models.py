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


class TokenGate(models.Model):
    """One GitHub token's rate-limit state as every process sees it (budget.gates'
    database backend): when it may be used again, and what GitHub last said is left of
    its hour. Known by a digest only."""

    token_key = models.CharField(max_length=64, primary_key=True)
    # No request with the token before this (a rate limit that lifts then).
    paused_until = models.DateTimeField(null=True, blank=True)
    # X-RateLimit-Remaining and X-RateLimit-Reset of the latest answer.
    remaining = models.IntegerField(null=True, blank=True)
    reset_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.token_key[:8]}: {self.remaining} left until {self.reset_at}"


class TokenSlot(models.Model):
    """One of the requests a token may have in flight at once, across every process
    (budget.gates' database backend). Free when `lease_until` is empty or past: a
    process that died holding it gives it up when its lease ends."""

    token_key = models.CharField(max_length=64)
    slot = models.PositiveSmallIntegerField()
    holder = models.CharField(max_length=32, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token_key", "slot"], name="token_slot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.token_key[:8]} slot {self.slot}: {self.holder or 'free'}"

from django.db import models


class BaseModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Heartbeat(models.Model):
    """One row the readiness check writes and reads back: proof the database takes both."""

    checked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"heartbeat at {self.checked_at:%Y-%m-%d %H:%M:%S}"

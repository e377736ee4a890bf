"""Writes of the metrics app: the collection outcome counters."""

from typing import Any

from django.db import connection

from repotraffic.metrics.models import CollectionOutcomeCount


def collection_outcome_count(*, outcome: str, reason: str) -> None:
    """Add one to the (outcome, reason) counter: one INSERT ... ON CONFLICT DO UPDATE,
    atomic on SQLite and PostgreSQL however many workers count at once."""
    table = connection.ops.quote_name(CollectionOutcomeCount._meta.db_table)
    count = connection.ops.quote_name("count")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (outcome, reason, {count}) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (outcome, reason) DO UPDATE SET {count} = {table}.{count} + 1",
            [outcome, reason],
        )


def collection_finished_receive(sender: Any, *, outcome: str, reason: str, **kwargs: Any) -> None:
    """traffic.signals.collection_finished: count it. Connected by MetricsConfig.ready."""
    collection_outcome_count(outcome=outcome, reason=reason)

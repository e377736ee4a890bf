"""What the repositories app tells the apps above it, which it must not import."""

from django.dispatch import Signal

# Sent by repository_create inside the transaction that creates the repository, with
# `repository`: a receiver's writes commit or roll back with it. The traffic app makes
# the repository's collection state and queues its first collection on commit.
repository_created = Signal()

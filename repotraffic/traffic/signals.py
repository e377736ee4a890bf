"""What the traffic app tells the apps above it, which it must not import."""

from django.dispatch import Signal

# Sent once for every collection that ran (not one skipped), with `outcome`
# ("succeeded" or "failed") and `reason`: a failure's GitHubErrorCause value, or
# "internal_error" for one on our side; empty for a success. Sent inside the transaction
# that records the outcome, so a receiver's writes commit or roll back with it. The
# metrics app counts them.
collection_finished = Signal()

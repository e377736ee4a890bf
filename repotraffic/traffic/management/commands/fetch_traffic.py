import time
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from repotraffic.repositories.models import Repository
from repotraffic.traffic.collection import traffic_fetch_many
from repotraffic.traffic.selectors import CollectionJob, collection_jobs_all


class Command(BaseCommand):
    help = "Collect traffic from GitHub now, synchronously, and print a summary."

    def add_arguments(self, parser):
        parser.add_argument(
            "--repository",
            action="append",
            default=[],
            metavar="ID",
            help="collect only this repository (repeatable); default: all",
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=settings.TRAFFIC_FETCH_CONCURRENCY,
            help="repositories collected at once (default: TRAFFIC_FETCH_CONCURRENCY)",
        )
        parser.add_argument("--quiet", action="store_true", help="print only the totals")

    def handle(self, *args, repository, concurrency, quiet, **options):
        if concurrency < 1:
            raise CommandError("--concurrency must be at least 1")
        jobs: Iterable[CollectionJob]
        if repository:
            ids: list[uuid.UUID] = []
            for value in repository:
                try:
                    ids.append(uuid.UUID(value))
                except ValueError:
                    raise CommandError(f"{value!r} is not a repository id") from None
            missing = set(ids) - set(
                Repository.objects.filter(id__in=ids).values_list("id", flat=True)
            )
            if missing:
                raise CommandError(f"no repository with id {', '.join(map(str, sorted(missing)))}")
            jobs = [CollectionJob(repository_id) for repository_id in ids]
        else:
            jobs = collection_jobs_all()

        started = time.monotonic()

        def report(outcome):
            if not quiet:
                style = self.style.SUCCESS if outcome.ok else self.style.WARNING
                self.stdout.write(style(outcome.summary))

        totals = traffic_fetch_many(jobs=jobs, concurrency=concurrency, on_outcome=report)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{totals.ok + totals.failed + totals.skipped} repositories in {elapsed:.1f} s: "
            f"{totals.ok} collected ({totals.days_written} days written), "
            f"{totals.failed} failed, {totals.skipped} skipped"
        )

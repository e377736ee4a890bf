from django.db import models
from django.db.models import F, Q

from repotraffic.repositories.models import Repository


def collection_pending_q() -> Q:
    """Collection.pending as a query filter, on Collection."""
    return Q(requested_at__isnull=False) & (
        Q(last_success_at__isnull=True) | Q(last_success_at__lt=F("requested_at"))
    )


class Collection(models.Model):
    """A repository's collection state: its outcomes, its lease, its pending request, and
    what successful collections have covered. Written only by the collection.

    Every repository has one, made in the transaction that creates the repository (the
    repositories.signals.repository_created receiver, traffic.tasks); the migration that
    brought this model made one for each repository then. A repository made without
    (with bulk_create, as the benchmarks do) reads as never collected
    (traffic.selectors.collection_of), and its first collection makes its row.
    """

    repository = models.OneToOneField(
        Repository, on_delete=models.CASCADE, primary_key=True, related_name="collection"
    )
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    last_error_at = models.DateTimeField(null=True, blank=True)
    # The lease: held by one running collection (its random owner id), so two never run
    # at once for this repository, whichever process or machine they run on. The holder
    # renews it while it runs; one left by a crash expires on its own.
    lease_owner = models.CharField(max_length=32, blank=True, default="", editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    # When a collection was last asked for (queued). Until one succeeds after it, the
    # request is pending, and a worker that starts queues it again: a queued task lost
    # with a killed worker is not lost for good.
    requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The UTC days that successful collections have covered (GitHub's window, today-14 ..
    # today, of each), both inclusive; null until the first success. Only ever widens.
    # GitHub leaves days without traffic out, so a day in here without a row had none.
    collected_from = models.DateField(null=True, blank=True, editable=False)
    collected_until = models.DateField(null=True, blank=True, editable=False)
    # When the repository's traffic rows or collected range last changed: the version of
    # its cached JSON.
    traffic_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The budget key (github_token_key) of the credential its last collection used: which
    # token's hour the daily collection of this repository needs (budget.services).
    token_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    # When a task was last queued for it (the dispatch, or a collection asked for at
    # once). Not queued again while it is queued for its pending request, unless its
    # task hands it back (traffic.dispatch_services).
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        indexes = [models.Index(fields=["token_key"], name="collection_token_key")]

    def __str__(self) -> str:
        return f"collection of {self.repository_id}"

    @property
    def traffic_version(self) -> float:
        """What keys cached traffic JSON: it moves with every change of the rows."""
        return self.traffic_updated_at.timestamp() if self.traffic_updated_at else 0

    @property
    def pending(self) -> bool:
        """A collection was requested and none has succeeded since."""
        requested = self.requested_at
        if requested is None:
            return False
        return self.last_success_at is None or self.last_success_at < requested


class TrafficDetailJson(models.Model):
    """The traffic part of a repository's detail as GET /api/repos/<id> shows it without
    filters (collected range, totals, every day), rendered as JSON when a collection is
    recorded, so that the first read after a collection costs what a cached one does.

    It shows the data of one version of the repository's traffic: it is served only
    while `version` equals the collection's `traffic_updated_at`, which every change of
    the days, the weeks or the collected range moves. A stale one is never read, and the
    next collection replaces it."""

    repository = models.OneToOneField(
        Repository, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.DateTimeField()  # the traffic_updated_at it was rendered from
    json = models.TextField()

    def __str__(self) -> str:
        return f"traffic detail of {self.repository_id} at {self.version}"


class TrafficDay(models.Model):
    """One repository's traffic on one UTC day, merged from GitHub's 14-day windows."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="traffic")
    date = models.DateField()
    views = models.PositiveIntegerField(default=0)
    unique_views = models.PositiveIntegerField(default=0)
    clones = models.PositiveIntegerField(default=0)
    unique_clones = models.PositiveIntegerField(default=0)
    # The figures may still be too low: every response that reported the day had it as
    # its today (in progress) or its cut-short oldest day, none inside its window.
    partial = models.BooleanField(default=False)
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


class TrafficWeek(models.Model):
    """One repository's traffic in one week (Monday 00:00 UTC onwards), from GitHub's
    per=week answers, merged by maximum like TrafficDay. Kept for its uniques: GitHub's
    distinct visitors and cloners of the week, which daily uniques cannot give (they do
    not add across days). Those are the week's only while `complete`: an answer held
    all seven days in full (traffic.merge.traffic_week_complete)."""

    repository = models.ForeignKey(
        Repository, on_delete=models.CASCADE, related_name="traffic_weeks"
    )
    week = models.DateField()  # its Monday
    views = models.PositiveIntegerField(default=0)
    unique_views = models.PositiveIntegerField(default=0)
    clones = models.PositiveIntegerField(default=0)
    unique_clones = models.PositiveIntegerField(default=0)
    complete = models.BooleanField(default=False)

    class Meta:
        ordering = ("repository", "week")
        constraints = [
            models.UniqueConstraint(fields=["repository", "week"], name="traffic_week_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.repository_id} week of {self.week}"


class TrafficSum(models.Model):
    """A repository's views and clones added up over one week (from Monday) or one
    calendar month, from its TrafficDay rows, so that pages showing years of many
    repositories read a row a week or month instead of one a day.

    Derived data, never a source: written in the transaction that writes the days
    (traffic.sum_services.traffic_sums_refresh), from the days as stored then. Unique
    visitors and cloners are not here: they do not add across days."""

    class Period(models.TextChoices):
        WEEK = "week"
        MONTH = "month"

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=5, choices=Period.choices)
    start = models.DateField()  # the period's first day
    views = models.PositiveBigIntegerField(default=0)
    clones = models.PositiveBigIntegerField(default=0)
    partial = models.BooleanField(default=False)  # a day of it is partial

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "period", "start"], name="traffic_sum_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.repository_id} {self.period} of {self.start}"


class PopularSnapshot(models.Model):
    """One line of GitHub's top-10 lists as it stood on one UTC day: a referring site
    (kind "referrer") or a page (kind "path", with its title).

    `count` and `uniques` are GitHub's totals over the 14 days up to that day. They are
    never added across days: a series of them shows how the 14-day figure moved. Two
    collections on one day keep the larger figures, like the daily traffic."""

    class Kind(models.TextChoices):
        REFERRER = "referrer"
        PATH = "path"

    repository = models.ForeignKey(
        Repository, on_delete=models.CASCADE, related_name="popular_snapshots"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    date = models.DateField()
    name = models.CharField(max_length=500)  # the referring site, or the page's path
    title = models.CharField(max_length=500, blank=True, default="")
    count = models.PositiveIntegerField()
    uniques = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "kind", "date", "name"], name="popular_snapshot_unique"
            ),
        ]
        indexes = [models.Index(fields=["repository", "kind", "date"])]

    def __str__(self) -> str:
        return f"{self.repository_id} {self.kind} {self.date} {self.name}"


class RepositorySnapshot(models.Model):
    """A repository's stars, forks, watchers and open issues on one UTC day, from
    GET /repos/{owner}/{repo} (the collection's first request, which also proves access).
    Two collections on one day keep the larger of each figure."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="snapshots")
    date = models.DateField()
    stars = models.PositiveIntegerField()
    forks = models.PositiveIntegerField()
    watchers = models.PositiveIntegerField()
    open_issues = models.PositiveIntegerField()

    class Meta:
        ordering = ("repository", "date")
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "date"], name="repository_snapshot_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.repository_id} {self.date}: {self.stars} stars"


class StarHistory(models.Model):
    """How a repository's star history was rebuilt from GitHub's stargazer list (GET
    .../stargazers, with each star's `starred_at`, oldest first, 100 a page): once, at
    its first collection, within a page budget. GitHub lists at most 400 pages (40,000
    stars); a larger list, or one past the budget, is read at pages spread evenly over
    what can be listed, and only the days those pages pin down exactly are kept."""

    repository = models.OneToOneField(
        Repository, on_delete=models.CASCADE, primary_key=True, related_name="star_history"
    )
    rebuilt_on = models.DateField()
    stars_total = models.PositiveIntegerField()  # stargazers_count when it was rebuilt
    pages_total = models.PositiveIntegerField()  # the pages GitHub would list
    pages_read = models.PositiveIntegerField()
    complete = models.BooleanField()  # every page of the whole list was read

    def __str__(self) -> str:
        return f"{self.repository_id}: {self.pages_read}/{self.pages_total} pages"


class StarHistoryDay(models.Model):
    """The number of the repository's current stargazers who had starred it by the end
    of one UTC day, from the stargazer list. People who starred and later unstarred are
    not in that list, so this can be below what GitHub showed on that day."""

    repository = models.ForeignKey(
        Repository, on_delete=models.CASCADE, related_name="star_history_days"
    )
    date = models.DateField()
    stars = models.PositiveIntegerField()

    class Meta:
        ordering = ("repository", "date")
        constraints = [
            models.UniqueConstraint(fields=["repository", "date"], name="star_history_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.repository_id} {self.date}: {self.stars} stars"


class Release(models.Model):
    """A release of the repository as GitHub last listed it (its tag can be renamed)."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="releases")
    github_id = models.BigIntegerField()
    tag = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True, default="")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["repository", "github_id"], name="release_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.repository_id} {self.tag}"


class ReleaseAssetDay(models.Model):
    """A release asset's cumulative download count as GitHub gave it on one UTC day. Two
    collections on one day keep the larger count; a day's downloads are the difference
    from the asset's previous collected day (release_selectors)."""

    repository = models.ForeignKey(
        Repository, on_delete=models.CASCADE, related_name="release_asset_days"
    )
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="asset_days")
    date = models.DateField()
    asset_id = models.BigIntegerField()
    asset_name = models.CharField(max_length=255)
    download_count = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "date", "asset_id"], name="release_asset_day_unique"
            ),
        ]  # its index also serves a repository's rows by date

    def __str__(self) -> str:
        return f"{self.repository_id} {self.date} {self.asset_name}: {self.download_count}"

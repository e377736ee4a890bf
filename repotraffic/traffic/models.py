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

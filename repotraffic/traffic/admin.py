"""The admin's repositories with their collection state. Registered here, over
repositories' own admin, because `repositories` must not import this app."""

from django.contrib import admin

from repotraffic.repositories.admin import RepositoryAdmin
from repotraffic.repositories.models import Repository
from repotraffic.traffic.models import Collection
from repotraffic.traffic.selectors import collection_of

_COLLECTION_FIELDS = (
    "last_attempt_at", "last_success_at", "last_error", "last_error_at", "requested_at",
    "lease_owner", "lease_until", "collected_from", "collected_until", "traffic_updated_at",
)  # fmt: skip


class CollectionInline(admin.StackedInline):
    model = Collection
    fields = readonly_fields = _COLLECTION_FIELDS
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class RepositoryCollectionAdmin(RepositoryAdmin):
    list_display = (*RepositoryAdmin.list_display, "last_success_at", "last_error")
    list_select_related = ("user", "collection")
    list_filter = ("collection__last_success_at",)
    inlines = [CollectionInline]

    @admin.display(description="last success", ordering="collection__last_success_at")
    def last_success_at(self, repository):
        return collection_of(repository).last_success_at

    @admin.display(description="last error")
    def last_error(self, repository):
        return collection_of(repository).last_error


admin.site.unregister(Repository)
admin.site.register(Repository, RepositoryCollectionAdmin)

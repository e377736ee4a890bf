from typing import ClassVar

from django.contrib import admin

from repotraffic.repositories.models import Repository


@admin.register(Repository)
class RepositoryAdmin(admin.ModelAdmin):
    """The traffic app registers this again with the collection state (traffic/admin.py)."""

    list_display: tuple[str, ...] = ("full_name", "user", "created_at")
    list_select_related: ClassVar[tuple[str, ...]] = ("user",)
    search_fields = ("owner", "name", "user__email")
    readonly_fields = ("id", "user", "owner", "name", "created_at")

    def has_add_permission(self, request):
        return False

from django.contrib import admin

from repotraffic.repositories.models import Repository


@admin.register(Repository)
class RepositoryAdmin(admin.ModelAdmin):
    list_display = ("full_name", "user", "created_at", "last_success_at", "last_error")
    list_select_related = ("user",)
    search_fields = ("owner", "name", "user__email")
    list_filter = ("last_success_at",)
    readonly_fields = (
        "id", "user", "owner", "name", "created_at",
        "last_attempt_at", "last_success_at", "last_error", "last_error_at",
    )  # fmt: skip

    def has_add_permission(self, request):
        return False

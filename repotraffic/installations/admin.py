from django.contrib import admin

from repotraffic.installations.models import GitHubAppInstallation


@admin.register(GitHubAppInstallation)
class GitHubAppInstallationAdmin(admin.ModelAdmin):
    # Nothing secret here: the installation's tokens are never stored.
    list_display = ("account_login", "account_type", "installation_id", "user", "created_at")
    search_fields = ("account_login", "user__email")
    readonly_fields = [field.name for field in GitHubAppInstallation._meta.fields]
    ordering = ("created_at",)

    def has_add_permission(self, request):
        # Connected through the API only, which asks GitHub who controls the account.
        return False

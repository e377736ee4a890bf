from django.contrib import admin

from repotraffic.users.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    # Token digests and encrypted GitHub tokens are never shown or editable.
    list_display = ("email", "created_at", "has_github_token", "github_login")
    search_fields = ("email",)
    fields = ("email", "created_at", "has_github_token", "github_login")
    readonly_fields = ("created_at", "has_github_token", "github_login")
    ordering = ("created_at",)

    @admin.display(boolean=True, description="own GitHub token")
    def has_github_token(self, obj):
        return obj.has_github_token

    def has_add_permission(self, request):
        # Users are created through the API, which shows the token once.
        return False

from django.contrib import admin

from repotraffic.users.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    # Token digests and encrypted GitHub tokens are never shown or editable.
    list_display = ("email", "created_at", "trusted", "has_github_token", "github_login")
    list_filter = ("trusted",)
    list_editable = ("trusted",)
    search_fields = ("email",)
    # `trusted`: may collect with the server's GitHub token (REPOTRAFFIC_SERVER_TOKEN_FOR).
    fields = ("email", "created_at", "trusted", "has_github_token", "github_login")
    readonly_fields = ("created_at", "has_github_token", "github_login")
    ordering = ("created_at",)

    @admin.display(boolean=True, description="own GitHub token")
    def has_github_token(self, obj):
        return obj.has_github_token

    def has_add_permission(self, request):
        # Users are created through the API or `manage.py user_create`, which show the
        # token once.
        return False

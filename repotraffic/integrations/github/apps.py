from django.apps import AppConfig


class GitHubIntegrationConfig(AppConfig):
    name = "repotraffic.integrations.github"
    label = "github_integration"
    verbose_name = "GitHub integration"

from django.apps import AppConfig


class BudgetConfig(AppConfig):
    name = "repotraffic.budget"
    label = "budget"

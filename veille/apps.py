from django.apps import AppConfig


class VeilleConfig(AppConfig):
    name = "veille"
    verbose_name = "Veille"

    def ready(self) -> None:
        from veille import checks  # noqa: F401  (registers the deployment checks)

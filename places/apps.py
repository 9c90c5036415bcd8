from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = "Lieux (gazetteer)"

    def ready(self) -> None:
        from places import signals  # noqa: F401

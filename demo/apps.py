from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The embedded demo: set-up and serve commands, and the phone simulator.

    It sits above every other app (it plays a resident's phone against the real webhooks
    and seeds data for all of them); nothing imports it. Its URLs exist only when
    VEILLE_DEMO is on.
    """

    name = "demo"
    verbose_name = "Démonstration"

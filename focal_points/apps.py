from django.apps import AppConfig


class FocalPointsConfig(AppConfig):
    name = "focal_points"
    verbose_name = "Relais et points focaux"

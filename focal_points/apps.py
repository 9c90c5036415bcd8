from django.apps import AppConfig


class FocalPointsConfig(AppConfig):
    name = "focal_points"
    verbose_name = "Relais et points focaux"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save, pre_save

        from focal_points import auth

        user_model = get_user_model()
        user_logged_in.connect(auth.on_user_logged_in, dispatch_uid="veille_login_time")
        pre_save.connect(auth.on_user_pre_save, sender=user_model, dispatch_uid="veille_password_pre")
        post_save.connect(auth.on_user_post_save, sender=user_model, dispatch_uid="veille_password_post")

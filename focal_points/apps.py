from django.apps import AppConfig


class FocalPointsConfig(AppConfig):
    name = "focal_points"
    verbose_name = "Relais et points focaux"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save, pre_save

        from focal_points import auth, directory
        from focal_points.models import Area, DutySlot, Member, Organisation, RoutingRule

        user_model = get_user_model()
        user_logged_in.connect(auth.on_user_logged_in, dispatch_uid="veille_login_time")
        pre_save.connect(auth.on_user_pre_save, sender=user_model, dispatch_uid="veille_password_pre")
        post_save.connect(auth.on_user_post_save, sender=user_model, dispatch_uid="veille_password_post")
        # The routing directory kept per process is dropped on every change (directory.py).
        for model in (Member, Organisation, Area, DutySlot, RoutingRule):
            for signal in (post_save, post_delete):
                signal.connect(
                    directory.on_directory_change, sender=model, dispatch_uid=f"veille_directory_{model.__name__}"
                )

from django.urls import path
from django.views.generic import RedirectView

from focal_points import views

app_name = "staff_auth"
urlpatterns = [
    path("", RedirectView.as_view(url="/staff/reports/"), name="home"),
    path("login/", views.staff_login, name="login"),
    path("enroll/", views.staff_enroll, name="enroll"),
    path("device/", views.staff_device_add, name="device"),
    path("reauth/", views.staff_reauth, name="reauth"),
    path("logout/", views.staff_logout, name="logout"),
]

from django.conf import settings
from django.http import HttpRequest


def veille(request: HttpRequest) -> dict[str, object]:
    return {"VEILLE_DEMO": settings.DEMO, "QUICK_EXIT_URL": settings.QUICK_EXIT_URL}

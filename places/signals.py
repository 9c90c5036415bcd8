from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from places.models import Cercle, Commune, Region
from places.services import places_index_invalidate


@receiver([post_save, post_delete], sender=Region)
@receiver([post_save, post_delete], sender=Cercle)
@receiver([post_save, post_delete], sender=Commune)
def _invalidate_index(**kwargs: object) -> None:
    # An admin edit of a name or alias must reach the matcher in every process.
    if kwargs.get("raw"):
        return
    places_index_invalidate()

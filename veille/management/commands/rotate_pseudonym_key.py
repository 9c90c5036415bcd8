"""Move pseudonyms to the newest pseudonym key, where the number is still known.

Rotation: prepend a new key to VEILLE_PSEUDONYM_KEYS (keep the old ones after it),
restart, run this command. Every column whose name ends in ``pseudonym`` is rewritten
from old to new for the senders whose number is in the contact vault (the only place a
number exists). Others keep their old pseudonym; lookups try every configured key, so
keep an old key listed until those rows have been purged by retention.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction

from veille import crypto
from veille.phones import normalize_msisdn


def pseudonym_columns() -> list[tuple[type[models.Model], str]]:
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField) and field.name.endswith("pseudonym")
    ]


class Command(BaseCommand):
    help = "Rewrite pseudonyms under the newest key of VEILLE_PSEUDONYM_KEYS (where the number is known)."

    def handle(self, *args, **options):
        vault = apps.get_model("messaging", "ContactVaultEntry")
        newest, _ = crypto.pseudonym_keyring().current
        moved = 0
        for entry in vault.objects.exclude(pseudonym__startswith=f"{newest}:").iterator():
            number = normalize_msisdn(entry.number) or entry.number
            new = crypto.keyed_digest(number)
            with transaction.atomic():
                for model, name in pseudonym_columns():
                    if model is vault:
                        continue
                    model._default_manager.filter(**{name: entry.pseudonym}).update(**{name: new})
                if vault.objects.filter(pseudonym=new).exists():
                    # The sender wrote again after the new key arrived: keep the fresh entry.
                    vault.objects.filter(pk=entry.pk).delete()
                else:
                    vault.objects.filter(pk=entry.pk).update(pseudonym=new)
            moved += 1
        self.stdout.write(f"{moved} senders moved to key {newest}")

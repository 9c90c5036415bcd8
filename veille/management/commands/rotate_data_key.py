"""Re-encrypt every encrypted column under the newest data key.

Rotation: prepend a new key to VEILLE_DATA_KEYS (keep the old ones after it), restart,
run this command, then remove the old keys. Rows are rewritten in batches, each in its
own transaction, so the command can be interrupted and run again.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from veille import crypto
from veille.fields import ENCRYPTED_FIELD_TYPES


def encrypted_columns() -> list[tuple[type, list[str]]]:
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, ENCRYPTED_FIELD_TYPES)]
        if names:
            found.append((model, names))
    return found


def key_ids_in_use() -> dict[str, int]:
    """How many stored values each key id protects, read from the raw column bytes."""
    counts: dict[str, int] = {}
    for model, names in encrypted_columns():
        for name in names:
            column = model._meta.get_field(name).column
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(model._meta.db_table)}"  # noqa: S608
                    f" WHERE {connection.ops.quote_name(column)} IS NOT NULL"
                )
                for (raw,) in cursor.fetchall():
                    kid = crypto.key_id_of(bytes(raw))
                    counts[kid] = counts.get(kid, 0) + 1
    return counts


class Command(BaseCommand):
    help = "Re-encrypt all encrypted data under the newest key of VEILLE_DATA_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--check", action="store_true", help="Only count values per key id.")

    def handle(self, *args, batch_size: int, check: bool, **options):
        newest, _ = crypto.data_keyring().current
        if not check:
            for model, names in encrypted_columns():
                rewritten = 0
                pks = list(model._default_manager.values_list("pk", flat=True).order_by("pk"))
                for start in range(0, len(pks), batch_size):
                    with transaction.atomic():
                        for obj in model._default_manager.filter(pk__in=pks[start : start + batch_size]):
                            # Loading decrypts with whichever key sealed it; saving seals
                            # with the newest.
                            obj.save(update_fields=names)
                            rewritten += 1
                self.stdout.write(f"{model._meta.label}: {rewritten} rows re-encrypted")
        counts = key_ids_in_use()
        self.stdout.write(f"values per key id: {counts or '{}'} (newest: {newest})")
        stale = {kid: n for kid, n in counts.items() if kid != newest}
        if stale and not check:
            self.stderr.write(f"values still under older keys: {stale}")

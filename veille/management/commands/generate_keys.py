from django.core.management.base import BaseCommand

from veille.crypto import new_key_spec


class Command(BaseCommand):
    help = "Print a new data key and pseudonym key, to prepend to VEILLE_DATA_KEYS / VEILLE_PSEUDONYM_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--data-id", default="d1")
        parser.add_argument("--pseudonym-id", default="p1")

    def handle(self, *args, data_id: str, pseudonym_id: str, **options):
        self.stdout.write(f"VEILLE_DATA_KEYS={new_key_spec(data_id)}")
        self.stdout.write(f"VEILLE_PSEUDONYM_KEYS={new_key_spec(pseudonym_id)}")

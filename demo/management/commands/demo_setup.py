"""Prepare the embedded demo: database, gazetteer, a staff account, sample reports."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo.history import history_build
from focal_points.models import Member
from focal_points.services import members_import_csv
from messaging.models import Channel
from places.models import Commune
from reporting.models import Category, OccurredPeriod, PeopleAffected, Report
from reporting.services import PlaceChoice, report_submit

DEPLOYMENT = Path(__file__).resolve().parents[3] / "focal_points" / "fixtures" / "deployment_mopti.csv"
SAMPLE_REPORTS = [
    ("Dangol-Boré", Category.ARMED_ATTACK, "Des hommes armes ont attaque le marche ce matin, 3 blesses."),
    ("Socoura", Category.FORCE_ABUSE, "A un poste de controle, des hommes en uniforme ont pris de l'argent."),
    ("Douentza", Category.EXPLOSIVE, "Engin suspect sur la route de Boni, au km 12."),
    ("Ténenkou", Category.INTERCOMMUNITY, "Tension entre eleveurs et agriculteurs pres du puits."),
]


class Command(BaseCommand):
    help = "Migrate the embedded SQLite database and load the gazetteer and demo data."

    def add_arguments(self, parser):
        parser.add_argument(
            "--voice-texts-only",
            action="store_true",
            help="synthesise the voice menu's texts but not the place names (a minute saved)",
        )

    def handle(self, *args, **options):
        if not settings.DEMO:
            raise CommandError("demo_setup runs only with VEILLE_DEMO=1: it creates a known account.")
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        # DEBUG is off in the demo as in production: the pages' CSS and scripts are served
        # by WhiteNoise from STATIC_ROOT, so they must be collected there first.
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("import_gazetteer")
        # A region's relays, units, oversight and support, so every page has people in it.
        members_import_csv(DEPLOYMENT.read_text(encoding="utf-8"))
        self._staff_account()
        self._second_coordinator()
        self._sample_reports()
        self._voice_prompts(places=not options.get("voice_texts_only"))

    def _voice_prompts(self, *, places: bool) -> None:
        """Stand-in French and English prompts, synthesised by espeak-ng (a deployment
        records its own); skipped, with a word, where espeak-ng or sox is missing."""
        from reporting.voice.synthesis import SynthesisUnavailable, tools

        try:
            tools()
        except SynthesisUnavailable as exc:
            self.stdout.write(f"Voice prompts not synthesised: {exc}.")
            return
        arguments = [] if places else ["--no-places"]
        call_command("voice_prompts_synthesise", *arguments, stdout=self.stdout)

    def _staff_account(self) -> None:
        User = get_user_model()
        if User.objects.filter(username="coordination").exists():
            self.stdout.write("Staff account 'coordination' exists (password printed on its first set-up).")
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser("coordination", password=password)
        # The demo account is the national coordination: it sees every report and page.
        Member.objects.filter(name="Ibrahim Keita").update(user=user)
        password_file = settings.VAR_DIR / "demo-admin-password.txt"
        password_file.write_text(password + "\n")
        password_file.chmod(0o600)
        self.stdout.write(
            f"Staff account: coordination / {password}  (also in {password_file}). "
            "The first login at /staff/login/ enrols an authenticator app (TOTP)."
        )

    def _second_coordinator(self) -> None:
        """The regional coordinator, so that what needs two people (community alerts,
        clearing an accusation) can be tried: one proposes, the other approves."""
        User = get_user_model()
        if User.objects.filter(username="coordination-mopti").exists():
            self.stdout.write("Staff account 'coordination-mopti' exists (password printed on its first set-up).")
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user("coordination-mopti", password=password)
        Member.objects.filter(name="Mariam Traoré").update(user=user)
        password_file = settings.VAR_DIR / "demo-coordinator-password.txt"
        password_file.write_text(password + "\n")
        password_file.chmod(0o600)
        self.stdout.write(
            f"Second coordinator (Mariam Traoré, région de Mopti): coordination-mopti / {password}  "
            f"(also in {password_file}). She proposes, 'coordination' approves: the two-person rule."
        )

    def _sample_reports(self) -> None:
        if Report.objects.exists():
            return
        counts = history_build()
        self.stdout.write(
            "60 days of history: {reports} reports, {forwarded} alerts forwarded, {acknowledged} acknowledged, "
            "{escalated} escalated, {closed} closed; 4 community alerts (one waits for approval).".format(**counts)
        )
        for commune_name, category, text in SAMPLE_REPORTS:
            commune = Commune.objects.filter(name=commune_name).first()
            report_submit(
                channel=Channel.WEB,
                description=text,
                category=category,
                place=PlaceChoice(commune_id=commune.pk if commune else None),
                occurred=OccurredPeriod.TODAY,
                people_affected=PeopleAffected.FEW,
            )
        self.stdout.write(f"{len(SAMPLE_REPORTS)} sample reports created.")

"""The one USSD menu engine, gateway-agnostic.

It holds a session's state as a plain dict (kept server-side, encrypted, by
``reporting.ussd.services``) and turns the latest input into the next screen. Every input,
however wrong, gives a valid screen; every screen fits 182 GSM-7 characters in every
language, including "Choix invalide." in front of it (lists are paged to make sure).

Flow: language -> menu -> category -> region -> cercle -> commune -> when -> people ->
confirm -> receipt. Or: menu -> code -> status (and, for a gender-based-violence report
whose relay asked, the consent question). "0" goes back, "9" shows more, "8" skips a
place level ("I don't know").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from messaging.models import Channel
from messaging.ussd import UssdScreen
from places.models import Cercle, Commune, Region
from places.normalize import fold
from reporting import questions, services
from reporting.models import Consent, ReportStatus
from reporting.texts import status_word
from reporting.ussd import texts
from reporting.ussd.texts import CATEGORY_LABELS, CATEGORY_ORDER, PEOPLE_CHOICES, WHEN_CHOICES, text
from veille.gsm7 import USSD_SCREEN_LIMIT, gsm7_length, to_gsm7

PAGE_MAX_ITEMS = 7
INVALID_ROOM = max(len(texts.T["invalid"][lang]) + 1 for lang in texts.LANGUAGES)
# Wrong receipt codes a session may try before it ends: receipts must not be guessed
# through the menu (each new session costs the guesser a dial).
MAX_CODE_TRIES = 3


# The screen type the gateway adapters render (messaging's, so they know no report).
Screen = UssdScreen


def menu_number(choice: str) -> int | None:
    """The menu number typed, or None. ASCII digits only: ``str.isdigit`` also accepts
    "²" or "٣", on which ``int`` fails or which no keypad of a menu means."""
    if 0 < len(choice) <= 3 and choice.isascii() and choice.isdigit():
        return int(choice)
    return None


def paginate(header: str, items: list[str], footer_lines: list[str]) -> list[list[int]]:
    """Split item indexes into pages whose screen (with room for an "invalid" prefix and
    the navigation lines) fits the limit."""
    budget = USSD_SCREEN_LIMIT - INVALID_ROOM - gsm7_length(header) - sum(gsm7_length(f) + 1 for f in footer_lines)
    pages: list[list[int]] = []
    current: list[int] = []
    used = 0
    for index, label in enumerate(items):
        line = gsm7_length(f"\n{len(current) + 1} {label}")
        if current and (used + line > budget or len(current) == PAGE_MAX_ITEMS):
            pages.append(current)
            current, used = [], 0
            line = gsm7_length(f"\n1 {label}")
        current.append(index)
        used += line
    if current or not pages:
        pages.append(current)
    return pages


class Engine:
    def __init__(self, state: dict[str, Any], *, sender_pseudonym: str, session_key: str = "") -> None:
        self.state = state
        self.pseudonym = sender_pseudonym
        # Wrong codes are counted per phone (shared with SMS) and per session.
        self.code_buckets = [f"phone:{sender_pseudonym}", f"ussd:{session_key or sender_pseudonym}"]
        state.setdefault("step", "welcome")
        state.setdefault("lang", "fr")
        state.setdefault("page", 0)
        state.setdefault("history", [])
        state.setdefault("data", {})

    # --- entry points ----------------------------------------------------------------

    def current(self, prefix: str = "") -> Screen:
        screen = self._render()
        if prefix:
            screen = Screen(f"{prefix}\n{screen.text}", screen.end)
        self.state["last"] = {"text": screen.text, "end": screen.end}
        return screen

    def answer(self, raw_input: str) -> Screen:
        if self.state.get("last", {}).get("end"):
            return Screen(self.state["last"]["text"], True)  # the session is over: same answer
        choice = raw_input.strip()
        handler: Callable[[str], bool | None] = getattr(self, f"_on_{self.state['step']}")
        accepted = handler(choice)
        if accepted is False:
            return self.current(prefix=text("invalid", self.lang))
        return self.current()

    # --- helpers ---------------------------------------------------------------------

    @property
    def lang(self) -> str:
        return self.state["lang"]

    @property
    def data(self) -> dict[str, Any]:
        return self.state["data"]

    def _go(self, step: str) -> None:
        self.state["history"].append(self.state["step"])
        self.state["step"] = step
        self.state["page"] = 0

    def _back(self) -> None:
        history = self.state["history"]
        self.state["step"] = history.pop() if history else "menu"
        self.state["page"] = 0

    def _list_items(self) -> list[tuple[Any, str]]:
        step = self.state["step"]
        if step == "category":
            return [(key, texts.label(CATEGORY_LABELS, key, self.lang)) for key in CATEGORY_ORDER]
        if step == "region":
            places = Region.objects.all()
        elif step == "cercle":
            places = Cercle.objects.filter(region_id=self.data["region"])
        elif step == "commune":
            places = Commune.objects.filter(cercle_id=self.data["cercle"])
        else:
            return []
        # Alphabetical as a reader expects it ("Débéré" before "Douentza"), whatever the
        # database's collation.
        return [(p.pk, to_gsm7(p.name)[:30]) for p in sorted(places, key=lambda p: fold(p.name))]

    def _footer(self, pages: int) -> list[str]:
        lines = []
        if self.state["step"] in {"region", "cercle", "commune"}:
            lines.append(text("skip", self.lang))
        if pages > 1:
            lines.append(text("more", self.lang))
        lines.append(text("back", self.lang))
        return lines

    def _pages(self) -> tuple[list[tuple[Any, str]], list[list[int]], str]:
        items = self._list_items()
        header = text(self.state["step"], self.lang)
        # Footer with "more" reserved, so the packing is the same on every page.
        footer = self._footer(pages=2)
        return items, paginate(header, [label for _, label in items], footer), header

    # --- rendering -------------------------------------------------------------------

    def _render(self) -> Screen:
        step = self.state["step"]
        if step in {"category", "region", "cercle", "commune"}:
            items, pages, header = self._pages()
            page = min(self.state["page"], len(pages) - 1)
            lines = [header] + [f"{n} {items[i][1]}" for n, i in enumerate(pages[page], start=1)]
            footer = self._footer(len(pages))
            if page == len(pages) - 1:
                footer = [line for line in footer if line != text("more", self.lang)]
            return Screen("\n".join(lines + footer))
        if step == "confirm":
            return Screen(text("confirm", self.lang, summary=self._summary()))
        if step == "done":
            return Screen(text("done", self.lang, code=self.state["receipt"]), end=True)
        if step in {"cancelled", "consent_thanks", "added_thanks", "error", "code_locked"}:
            return Screen(text(step, self.lang), end=True)
        if step == "status":
            return Screen(text("status", self.lang, code=self.state["code"], status=self.state["status"]), end=True)
        if step == "status_add":
            return Screen(text("status_add", self.lang, code=self.state["code"], status=self.state["status"]))
        if step == "consent":
            return Screen(text("consent", self.lang, code=self.state["code"], status=self.state["status"]))
        if step == "question":
            return Screen(self._question_screen())
        if step == "waiting_question":
            return Screen(self._waiting_question_screen(), end=True)
        return Screen(text(step, self.lang))

    def _waiting_question_screen(self) -> str:
        """The waiting question (no choices: answered by SMS or not at all), shortened if
        it must be to fit one screen."""
        question = self.state["question"]
        while True:
            screen = text(
                "question", self.lang, code=self.state["code"], status=self.state["status"], question=question
            )
            if gsm7_length(screen) <= USSD_SCREEN_LIMIT or not question:
                return screen
            question = question[:-4].rstrip() + "..." if len(question) > 4 else ""

    def _summary(self) -> str:
        label = texts.label(CATEGORY_LABELS, self.data["category"], self.lang)
        place = text("unknown_place", self.lang)
        if self.data.get("commune"):
            commune = Commune.objects.select_related("cercle").get(pk=self.data["commune"])
            place = f"{to_gsm7(commune.name)[:30]} ({to_gsm7(commune.cercle.name)[:20]})"
        elif self.data.get("cercle"):
            place = to_gsm7(Cercle.objects.get(pk=self.data["cercle"]).name)
        elif self.data.get("region"):
            place = to_gsm7(Region.objects.get(pk=self.data["region"]).name)
        when = texts.label(texts.WHEN_SHORT, self.data["occurred"], self.lang)
        people = texts.label(texts.PEOPLE_SHORT, self.data["people"], self.lang)
        return f"{label}\n{place}\n{when}, {people}"

    # --- input handlers: return False for an invalid choice ----------------------------

    def _on_welcome(self, choice: str) -> bool | None:
        choices = texts.language_choices()  # the declared languages (VEILLE_LANGUAGES)
        if choice not in choices:
            return False
        self.state["lang"] = choices[choice]
        self._go("menu")
        return True

    def _on_menu(self, choice: str) -> bool | None:
        if choice == "1":
            self.state["data"] = {}
            self._go("category")
        elif choice == "2":
            self._go("ask_code")
        elif choice == "0":
            self.state["step"], self.state["history"] = "welcome", []
        else:
            return False
        return True

    def _on_list(self, choice: str, select: Callable[[Any], None], skip: Callable[[], None] | None) -> bool | None:
        items, pages, _ = self._pages()
        page = min(self.state["page"], len(pages) - 1)
        if choice == "9" and page < len(pages) - 1:
            self.state["page"] = page + 1
            return True
        if choice == "0":
            if page > 0:
                self.state["page"] = page - 1
            else:
                self._back()
            return True
        if choice == "8" and skip is not None:
            skip()
            return True
        number = menu_number(choice)
        if number is not None and 1 <= number <= len(pages[page]):
            select(items[pages[page][number - 1]][0])
            return True
        return False

    def _on_category(self, choice: str) -> bool | None:
        def select(value: str) -> None:
            self.data["category"] = value
            self._go("region")

        return self._on_list(choice, select, None)

    def _on_region(self, choice: str) -> bool | None:
        def select(value: int) -> None:
            self.data.update(region=value, cercle=None, commune=None)
            self._go("cercle")

        def skip() -> None:
            self.data.update(region=None, cercle=None, commune=None)
            self._go("when")

        return self._on_list(choice, select, skip)

    def _on_cercle(self, choice: str) -> bool | None:
        def select(value: int) -> None:
            self.data.update(cercle=value, commune=None)
            if Commune.objects.filter(cercle_id=value).exists():
                self._go("commune")
            else:
                self._go("when")

        def skip() -> None:
            self.data.update(cercle=None, commune=None)
            self._go("when")

        return self._on_list(choice, select, skip)

    def _on_commune(self, choice: str) -> bool | None:
        def select(value: int) -> None:
            self.data["commune"] = value
            self._go("when")

        def skip() -> None:
            self.data["commune"] = None
            self._go("when")

        return self._on_list(choice, select, skip)

    def _on_fixed(self, choice: str, options: list[str], key: str, next_step: str) -> bool | None:
        if choice == "0":
            self._back()
            return True
        number = menu_number(choice)
        if number is not None and 1 <= number <= len(options):
            self.data[key] = options[number - 1]
            self._go(next_step)
            return True
        return False

    def _on_when(self, choice: str) -> bool | None:
        return self._on_fixed(choice, WHEN_CHOICES, "occurred", "people")

    def _on_people(self, choice: str) -> bool | None:
        return self._on_fixed(choice, PEOPLE_CHOICES, "people", "confirm")

    def _on_confirm(self, choice: str) -> bool | None:
        if choice == "1":
            submitted = services.report_submit(
                channel=Channel.USSD,
                category=self.data["category"],
                place=services.PlaceChoice(
                    region_id=self.data.get("region"),
                    cercle_id=self.data.get("cercle"),
                    commune_id=self.data.get("commune"),
                ),
                occurred=self.data["occurred"],
                people_affected=self.data["people"],
                language=self.lang,
                sender_pseudonym=self.pseudonym,
            )
            self.state["receipt"] = submitted.receipt
            self.state["report_id"] = submitted.report.pk
            self._go("done")
        elif choice == "2":
            self._go("cancelled")
        elif choice == "0":
            self._back()
        else:
            return False
        return True

    def _on_ask_code(self, choice: str) -> bool | None:
        if choice == "0":
            self._back()
            return True
        report = services.report_by_receipt(receipt=choice, buckets=self.code_buckets)
        if report is None:
            self.state["code_tries"] = self.state.get("code_tries", 0) + 1
            self._go("code_locked" if self.state["code_tries"] >= MAX_CODE_TRIES else "unknown_code")
            return True
        services.report_status_checked(report=report, channel=Channel.USSD)
        self.state["code"] = "".join(ch for ch in choice.upper() if ch.isalnum())
        self.state["status"] = status_word(report.status, self.lang)
        self.state["tracked_id"] = report.pk
        if report.support_consent == Consent.ASKED:
            self._go("consent")
            return True
        # A relay's question that waited for the reporter (SMS_REPLY_MODE=never) is given
        # now; one with numbered choices is then answered here by a digit.
        waiting = services.report_pending_question_take(report=report, channel=Channel.USSD)
        if questions.pending_choices(report):
            self._go("question")
        elif waiting:
            self.state["question"] = to_gsm7(waiting)
            self._go("waiting_question")
        else:
            # An open report takes added information; a closed one only shows its status.
            self._go("status" if report.status == ReportStatus.CLOSED else "status_add")
        return True

    def _add_information(self, choice: str) -> bool:
        """Up to 160 characters typed on the follow-up join the report (True), as an SMS
        joins; anything shorter than a few characters is no information (False)."""
        from reporting.models import Report

        report = Report.objects.select_for_update().get(pk=self.state["tracked_id"])
        if not services.report_add_information(report=report, text=choice, channel=Channel.USSD):
            return False
        self._go("added_thanks")
        return True

    def _on_status_add(self, choice: str) -> bool | None:
        if choice == "0":
            self._go("status")
            return True
        return self._add_information(choice)

    def _on_unknown_code(self, choice: str) -> bool | None:
        if choice == "1":
            self.state["step"] = "ask_code"
        elif choice == "0":
            self.state["step"], self.state["history"] = "menu", []
        else:
            return False
        return True

    def _question_screen(self) -> str:
        from reporting.models import Report

        pending = questions.pending_choices(Report.objects.get(pk=self.state["tracked_id"])) or {}
        return questions.ussd_screen(
            code=self.state["code"],
            status=self.state["status"],
            question=pending.get("text", ""),
            choices=pending.get("choices", []),
            language=self.lang,
        )

    def _on_question(self, choice: str) -> bool | None:
        from reporting.models import Report

        if len(choice) >= services.FOLLOW_UP_MIN_CHARS:
            # Words rather than a digit: information added, the question still waits.
            return self._add_information(choice)
        report = Report.objects.select_for_update().get(pk=self.state["tracked_id"])
        if not questions.report_answer_question(report=report, choice=choice, channel=Channel.USSD):
            return False
        self._go("consent_thanks")
        return True

    def _on_consent(self, choice: str) -> bool | None:
        if choice not in {"1", "2"}:
            return False
        from reporting.models import Report

        report = Report.objects.select_for_update().get(pk=self.state["tracked_id"])
        services.report_answer_consent(report=report, given=choice == "1", channel=Channel.USSD)
        self._go("consent_thanks")
        return True

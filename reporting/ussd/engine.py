"""The one USSD menu engine, gateway-agnostic.

It holds a session's state as a plain dict (kept server-side, encrypted, by
``reporting.ussd.services``) and turns the latest input into the next screen. Every input,
however wrong, gives a valid screen; every screen fits 182 GSM-7 characters in every
language, including "Choix invalide." in front of it (lists are paged to make sure).

The menu is defined once (``Engine.view``: what each step says and offers) and rendered
as a USSD screen here (``render_screen``) or as voice prompts (``reporting.voice.render``).

Flow: language -> menu -> category -> region -> cercle -> commune -> when -> people ->
displaced (a fact about the reporter, never where they live now) -> confirm -> receipt.
Or: menu -> code -> status (and, for a gender-based-violence report whose relay asked,
the consent question). "0" goes back, "9" shows more, "8" skips a
place level ("I don't know").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
LANG_BY_CHOICE = {"1": "fr", "2": "en", "3": "bm"}
# Wrong receipt codes a session may try before it ends: receipts must not be guessed
# through the menu (each new session costs the guesser a dial).
MAX_CODE_TRIES = 3


# The screen type the gateway adapters render (messaging's, so they know no report).
Screen = UssdScreen


# --- The menu, medium-blind: what a step says (parts) and offers (choices) ---------------
# ``Engine.view`` describes the current step; ``render_screen`` below makes it a USSD
# screen, ``reporting.voice.render`` a sequence of voice prompts. The flow (which step
# follows which input) is the engine's alone.


@dataclass(frozen=True)
class Text:
    """A text key of ``reporting.ussd.texts`` (spoken through its "voice." variant)."""

    key: str


@dataclass(frozen=True)
class Label:
    """An entry of a label table: ``table`` in LABEL_TABLES, ``value`` its key."""

    table: str
    value: str


@dataclass(frozen=True)
class Place:
    level: str  # "region", "cercle", "commune"
    pk: int
    name: str


@dataclass(frozen=True)
class Free:
    """Words written by a relay (a question's choice): no recording can exist for them."""

    text: str


@dataclass(frozen=True)
class Summary:
    """What the report will say (confirm step)."""


@dataclass(frozen=True)
class Receipt:
    code: str


@dataclass(frozen=True)
class StatusText:
    """A report's code and status, then what the text ``key`` adds ("status" adds nothing)."""

    key: str


@dataclass(frozen=True)
class Question:
    text: str


@dataclass(frozen=True)
class WaitingQuestion:
    text: str


Part = Text | Label | Place | Free | Summary | Receipt | StatusText | Question | WaitingQuestion


@dataclass(frozen=True)
class Choice:
    digit: str
    label: Part
    # Navigation ("skip", "more", "back", "finish"): a screen shows its footer line
    # (``text(nav)``, "9 Suite"), a voice says "voice.<nav>".
    nav: str = ""


@dataclass(frozen=True)
class View:
    step: str
    says: tuple[Part, ...]
    choices: tuple[Choice, ...] = ()
    end: bool = False
    # What the step reads: "digit" (a choice), "code" (a receipt code), "text" (words,
    # screens only), "digit_or_text".
    reads: str = "digit"
    invalid: bool = False


LIST_STEPS = {"category", "region", "cercle", "commune"}
END_STEPS = {
    "done",
    "cancelled",
    "consent_thanks",
    "added_thanks",
    "error",
    "code_locked",
    "status",
    "waiting_question",
}
NAV_DIGIT = {"skip": "8", "more": "9", "back": "0"}
LABEL_TABLES = {
    "category": texts.CATEGORY_LABELS,
    "when": texts.WHEN_LABELS,
    "people": texts.PEOPLE_LABELS,
    "when_short": texts.WHEN_SHORT,
    "people_short": texts.PEOPLE_SHORT,
}
BACK = ("0", Text("back"), "back")
# Steps with a fixed list of choices: (title, [(digit, label, nav)]). The digits are the
# ones the input handlers read.
FIXED_MENUS: dict[str, tuple[Part, list[tuple[str, Part, str]]]] = {
    "menu": (Text("menu"), [("1", Text("menu.report"), ""), ("2", Text("menu.follow"), "")]),
    "when": (
        Text("when"),
        [(str(n), Label("when", value), "") for n, value in enumerate(WHEN_CHOICES, start=1)] + [BACK],
    ),
    "people": (
        Text("people"),
        [(str(n), Label("people", value), "") for n, value in enumerate(PEOPLE_CHOICES, start=1)] + [BACK],
    ),
    "displaced": (Text("displaced"), [("1", Text("yes"), ""), ("2", Text("no"), ""), BACK]),
    "unknown_code": (Text("unknown_code"), [("1", Text("retry"), ""), ("0", Text("to_menu"), "")]),
    "welcome": (Text("welcome"), []),
}
CONFIRM_CHOICES = (Choice("1", Text("send")), Choice("2", Text("cancel")), Choice("0", Text("back"), nav="back"))
YES_NO = (Choice("1", Text("yes")), Choice("2", Text("no")))


def report_receipt_shown(report: Any, typed: str, channel: str) -> str:
    """The receipt code to show back: what was typed on a screen; on a voice call, whose
    keys stand for several characters each, the status is spoken without the code."""
    if channel == Channel.VOICE:
        return ""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def render_screen(engine: Engine, view: View) -> Screen:
    """A view as a USSD screen: its texts, then one "N label" line per choice (a
    navigation choice shows its own footer line)."""
    lang = engine.lang
    if view.step == "welcome":
        body = text("welcome", lang)  # the language choice: its own text, every language in it
    elif view.step == "question":
        pending = engine._pending_question()
        body = questions.ussd_screen(
            code=engine.state["code"],
            status=engine.state["status"],
            question=pending.get("text", ""),
            choices=pending.get("choices", []),
            language=lang,
        )
        return Screen(body)
    else:
        lines = [_screen_part(engine, part) for part in view.says]
        for choice in view.choices:
            if choice.nav == "finish":
                continue  # the status_add text says "0 Terminer" itself
            if choice.nav:
                lines.append(text(choice.nav, lang))
            else:
                lines.append(f"{choice.digit} {_screen_part(engine, choice.label)}")
        body = "\n".join(lines)
    return Screen(body, view.end)


def _screen_part(engine: Engine, part: Part) -> str:
    lang = engine.lang
    if isinstance(part, Text):
        return text(part.key, lang)
    if isinstance(part, Label):
        return texts.label(LABEL_TABLES[part.table], part.value, lang)
    if isinstance(part, Place):
        return to_gsm7(part.name)[:30]
    if isinstance(part, Free):
        return to_gsm7(part.text)
    if isinstance(part, Summary):
        return text("confirm", lang, summary=engine._summary())
    if isinstance(part, Receipt):
        return text("done", lang, code=part.code)
    if isinstance(part, StatusText):
        return text(part.key, lang, code=engine.state["code"], status=engine.state["status"])
    if isinstance(part, WaitingQuestion):
        return engine._waiting_question_screen()
    raise TypeError(part)


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
    def __init__(
        self, state: dict[str, Any], *, sender_pseudonym: str, session_key: str = "", channel: str = Channel.USSD
    ) -> None:
        self.state = state
        self.pseudonym = sender_pseudonym
        # USSD or voice: what events record, and how a receipt code is typed (a voice
        # caller presses, for each character, the key that carries it).
        self.channel = channel
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
        if self.take(raw_input) is False:
            return self.current(prefix=text("invalid", self.lang))
        return self.current()

    def take(self, raw_input: str) -> bool | None:
        """Move the menu on by one input; False when the input is not a choice of the
        current step (the step is then offered again)."""
        if self.state["step"] in END_STEPS:
            return False
        handler: Callable[[str], bool | None] = getattr(self, f"_on_{self.state['step']}")
        return handler(raw_input.strip())

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
        return [text(nav, self.lang) for nav in self._footer_navs(pages)]

    def _pages(self) -> tuple[list[tuple[Any, str]], list[list[int]], str]:
        items = self._list_items()
        header = text(self.state["step"], self.lang)
        # Footer with "more" reserved, so the packing is the same on every page.
        footer = self._footer(pages=2)
        return items, paginate(header, [label for _, label in items], footer), header

    # --- the menu, medium-blind ------------------------------------------------------

    def view(self, *, invalid: bool = False) -> View:
        """What the current step says and offers, for a screen or a voice to render."""
        step = self.state["step"]
        if step in LIST_STEPS:
            items, pages, _ = self._pages()
            page = min(self.state["page"], len(pages) - 1)
            choices = [Choice(str(n), self._item_part(items[i])) for n, i in enumerate(pages[page], start=1)]
            choices += [
                Choice(NAV_DIGIT[nav], Text(nav), nav=nav)
                for nav in self._footer_navs(len(pages))
                if nav != "more" or page < len(pages) - 1
            ]
            return View(step, (Text(step),), tuple(choices), invalid=invalid)
        fixed = FIXED_MENUS.get(step)
        if fixed is not None:
            title, options = fixed
            choices = tuple(Choice(digit, part, nav=nav) for digit, part, nav in options)
            return View(step, (title,), choices, invalid=invalid)
        if step == "confirm":
            return View(step, (Summary(),), CONFIRM_CHOICES, invalid=invalid)
        if step == "done":
            return View(step, (Receipt(self.state["receipt"]),), end=True)
        if step in {"cancelled", "consent_thanks", "added_thanks", "error", "code_locked"}:
            return View(step, (Text(step),), end=True)
        if step == "status":
            return View(step, (StatusText("status"),), end=True)
        if step == "status_add":
            # Typed information joins the report on a screen; a voice call, with no words
            # to type, is told to send it by SMS or the web and ends.
            return View(step, (StatusText("status_add"),), (Choice("0", Text("back"), nav="finish"),), reads="text")
        if step == "consent":
            return View(step, (StatusText("consent"),), YES_NO, invalid=invalid)
        if step == "question":
            pending = self._pending_question()
            choices = tuple(Choice(str(n), Free(label)) for n, label in enumerate(pending.get("choices", []), start=1))
            return View(step, (Question(pending.get("text", "")),), choices, invalid=invalid, reads="digit_or_text")
        if step == "waiting_question":
            return View(step, (WaitingQuestion(self.state["question"]),), end=True)
        if step == "ask_code":
            return View(step, (Text("ask_code"),), invalid=invalid, reads="code")
        return View(step, (Text(step),), invalid=invalid)

    def _item_part(self, item: tuple[Any, str]) -> Part:
        step = self.state["step"]
        if step == "category":
            return Label("category", item[0])
        return Place(step, item[0], item[1])

    def _footer_navs(self, pages: int) -> list[str]:
        navs = ["skip"] if self.state["step"] in {"region", "cercle", "commune"} else []
        if pages > 1:
            navs.append("more")
        return [*navs, "back"]

    def summary_places(self) -> list[Place]:
        """Where it happened, finest level first, for the summary."""
        if self.data.get("commune"):
            commune = Commune.objects.select_related("cercle").get(pk=self.data["commune"])
            return [Place("commune", commune.pk, commune.name), Place("cercle", commune.cercle_id, commune.cercle.name)]
        if self.data.get("cercle"):
            cercle = Cercle.objects.get(pk=self.data["cercle"])
            return [Place("cercle", cercle.pk, cercle.name)]
        if self.data.get("region"):
            region = Region.objects.get(pk=self.data["region"])
            return [Place("region", region.pk, region.name)]
        return []

    def _pending_question(self) -> dict:
        from reporting.models import Report

        return questions.pending_choices(Report.objects.get(pk=self.state["tracked_id"])) or {}

    # --- rendering as a USSD screen ---------------------------------------------------

    def _render(self, invalid: bool = False) -> Screen:
        return render_screen(self, self.view(invalid=invalid))

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
        places = self.summary_places()
        if len(places) == 2:
            place = f"{to_gsm7(places[0].name)[:30]} ({to_gsm7(places[1].name)[:20]})"
        elif places:
            place = to_gsm7(places[0].name)
        when = texts.label(texts.WHEN_SHORT, self.data["occurred"], self.lang)
        people = texts.label(texts.PEOPLE_SHORT, self.data["people"], self.lang)
        summary = f"{label}\n{place}\n{when}, {people}"
        if self.data.get("displaced"):
            summary += ", " + text("displaced_short", self.lang)
        return summary

    # --- input handlers: return False for an invalid choice ----------------------------

    def _on_welcome(self, choice: str) -> bool | None:
        if choice not in LANG_BY_CHOICE:
            return False
        self.state["lang"] = LANG_BY_CHOICE[choice]
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
        return self._on_fixed(choice, PEOPLE_CHOICES, "people", "displaced")

    def _on_displaced(self, choice: str) -> bool | None:
        if choice == "0":
            self._back()
            return True
        if choice not in {"1", "2"}:
            return False
        self.data["displaced"] = choice == "1"
        self._go("confirm")
        return True

    def _on_confirm(self, choice: str) -> bool | None:
        if choice == "1":
            submitted = services.report_submit(
                channel=self.channel,
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
                reporter_displaced=bool(self.data.get("displaced")),
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
        if self.channel == Channel.VOICE:
            report = services.report_by_keypad_receipt(keys=choice, buckets=self.code_buckets)
        else:
            report = services.report_by_receipt(receipt=choice, buckets=self.code_buckets)
        if report is None:
            self.state["code_tries"] = self.state.get("code_tries", 0) + 1
            self._go("code_locked" if self.state["code_tries"] >= MAX_CODE_TRIES else "unknown_code")
            return True
        services.report_status_checked(report=report, channel=self.channel)
        # The code as the resident knows it (a voice caller typed keys, not characters).
        self.state["code"] = report_receipt_shown(report, choice, self.channel)
        self.state["status_value"] = report.status
        self.state["status"] = status_word(report.status, self.lang)
        self.state["tracked_id"] = report.pk
        if report.support_consent == Consent.ASKED:
            self._go("consent")
            return True
        # A relay's question that waited for the reporter (SMS_REPLY_MODE=never) is given
        # now; one with numbered choices is then answered here by a digit.
        waiting = services.report_pending_question_take(report=report, channel=self.channel)
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
        if not services.report_add_information(report=report, text=choice, channel=self.channel):
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
        if not questions.report_answer_question(report=report, choice=choice, channel=self.channel):
            return False
        self._go("consent_thanks")
        return True

    def _on_consent(self, choice: str) -> bool | None:
        if choice not in {"1", "2"}:
            return False
        from reporting.models import Report

        report = Report.objects.select_for_update().get(pk=self.state["tracked_id"])
        services.report_answer_consent(report=report, given=choice == "1", channel=self.channel)
        self._go("consent_thanks")
        return True

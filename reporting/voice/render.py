"""The menu's steps as voice prompts: the same ``Engine.view`` a USSD screen is made from,
said as sequences of prompt keys (``reporting.ussd.texts`` keys, labels, place names,
digits and letters), each with its words.

A choice is said "<label>: press <N>"; a place is its own prompt (``place.commune.<pk>``);
the receipt code is spoken character by character, twice. Nothing here reads a key:
input goes through the engine, as on USSD.
"""

from __future__ import annotations

from messaging.voice import Prompt
from reporting.texts import STATUS_WORDS
from reporting.ussd import engine as menu
from reporting.ussd import texts

# A code is read back in two groups, then again.
CODE_GROUP = 5


def text_prompt(key: str, language: str, **params: str) -> Prompt:
    spoken = texts.spoken_key(key)
    return Prompt(spoken, texts.spoken(spoken, language, **params))


def press(digit: str, language: str) -> Prompt:
    return Prompt(f"press.{digit}", texts.spoken("voice.press", language, n=digit))


def character(ch: str) -> Prompt:
    return Prompt(f"digit.{ch}", ch) if ch.isdigit() else Prompt(f"letter.{ch.upper()}", ch.upper())


def label_prompt(table: str, value: str, language: str) -> Prompt:
    return Prompt(f"{table}.{value}", texts.spoken_label(menu.LABEL_TABLES[table], value, language))


def place_prompt(place: menu.Place) -> Prompt:
    return Prompt(f"place.{place.level}.{place.pk}", place.name)


def status_prompt(status: str, language: str) -> Prompt:
    words = STATUS_WORDS[status]
    return Prompt(f"status.{status}", words.get(language, words["fr"]))


def language_choice() -> tuple[Prompt, ...]:
    """Each language offered in its own words: "Pour le français, tapez 1", "For English,
    press 2"..., from the one list of choices (``LANG_BY_CHOICE``)."""
    prompts: list[Prompt] = []
    for digit, language in menu.LANG_BY_CHOICE.items():
        prompts.append(Prompt("voice.language", texts.spoken("voice.language", language), language=language))
        prompts.append(Prompt(f"press.{digit}", texts.spoken("voice.press", language, n=digit), language=language))
    return tuple(prompts)


def code_prompts(code: str) -> list[Prompt]:
    return [character(ch) for ch in code if ch.isalnum()]


def view_prompts(engine: menu.Engine, view: menu.View) -> tuple[Prompt, ...]:
    """What to say for ``view``, in the call's language."""
    lang = engine.lang
    prompts: list[Prompt] = [text_prompt("invalid", lang)] if view.invalid else []
    if view.step == "welcome":
        return tuple(prompts) + language_choice()
    for part in view.says:
        prompts += part_prompts(engine, part)
    for choice in view.choices:
        if choice.nav == "finish":
            continue  # a voice caller has no words to type: the step ends instead
        if choice.nav:
            prompts += [text_prompt(choice.nav, lang), press(choice.digit, lang)]
        else:
            prompts += [*part_prompts(engine, choice.label), press(choice.digit, lang)]
    return tuple(prompts)


def part_prompts(engine: menu.Engine, part: menu.Part) -> list[Prompt]:
    lang = engine.lang
    state = engine.state
    if isinstance(part, menu.Text):
        return [text_prompt(part.key, lang)]
    if isinstance(part, menu.Label):
        return [label_prompt(part.table, part.value, lang)]
    if isinstance(part, menu.Place):
        return [place_prompt(part)]
    if isinstance(part, menu.Free):
        return [Prompt("", part.text)]
    if isinstance(part, menu.Summary):
        data = engine.data
        said = [text_prompt("confirm", lang), label_prompt("category", data["category"], lang)]
        said += [place_prompt(place) for place in engine.summary_places()] or [text_prompt("unknown_place", lang)]
        said += [label_prompt("when_short", data["occurred"], lang), label_prompt("people_short", data["people"], lang)]
        if data.get("displaced"):
            said.append(text_prompt("displaced_short", lang))
        return said
    if isinstance(part, menu.Receipt):
        code = code_prompts(part.code)
        return [text_prompt("done", lang), *code, text_prompt("repeat", lang), *code, text_prompt("keep_code", lang)]
    status = [text_prompt("report", lang), status_prompt(state["status_value"], lang)]
    if isinstance(part, menu.StatusText):
        return status if part.key == "status" else [*status, text_prompt(part.key, lang)]
    if isinstance(part, menu.Question):
        return [*status, text_prompt("question", lang), Prompt("", part.text)]
    if isinstance(part, menu.WaitingQuestion):
        return [*status, text_prompt("waiting_question", lang)]
    raise TypeError(part)


def view_max_digits(view: menu.View) -> int:
    """How many keys the step waits for: a receipt code's ten, else one."""
    return 10 if view.reads == "code" else 1


def view_ends_call(view: menu.View) -> bool:
    # The follow-up of an open report takes words on a screen; a voice call ends there.
    return view.end or view.step == "status_add"

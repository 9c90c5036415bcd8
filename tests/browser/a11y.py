"""What the accessibility tests measure on a page, in the browser (see docs/accessibility.md).

Two kinds of check:
- axe-core (the copy bundled in the ``axe-playwright-python`` wheel, injected into the
  page: nothing is downloaded), limited to the WCAG 2.0/2.1 A and AA rules, plus its
  colour-contrast results it could not decide ("incomplete"), which count as failures
  here: a contrast nobody checked is not a contrast that passes;
- what axe does not judge, measured on the rendered page: reading order (one h1, headings
  without a skipped level), every field labelled, ``aria-describedby`` pointing at
  something, the ``lang`` of the page, the skip link, the size of tap targets, reflow
  without horizontal scrolling, a visible focus with enough contrast, and the borders of
  fields (WCAG 1.4.11).

Each check returns a list of problems (strings naming the element), so a test reports
every problem of every page at once.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations", "incomplete"]}


def axe_run(page) -> dict:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page, options=AXE_OPTIONS).response


def axe_problems(page, counts: Counter | None = None) -> list[str]:
    """Violations of the WCAG 2.1 A/AA rules, and contrasts axe could not decide. ``counts``
    (rule id -> number of elements) is filled when given, for the report of a run."""
    result = axe_run(page)
    problems = []
    for violation in result["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        if counts is not None:
            counts[violation["id"]] += len(targets)
        problems.append(f"axe {violation['id']} ({violation['impact']}): {', '.join(targets[:6])}")
    for undecided in result["incomplete"]:
        if undecided["id"] != "color-contrast":
            continue
        for node in undecided["nodes"]:
            if counts is not None:
                counts["color-contrast (undecided)"] += 1
            # axe gives up on SVG text, text over a shadow, one-letter text...: the flat
            # colours of these pages let the contrast be computed directly instead.
            selector = " ".join(map(str, node["target"]))
            decided = _call(page, "decideContrast", selector)
            if decided:
                reasons = "; ".join(item["message"] for item in node.get("any", []) + node.get("none", []))
                problems.append(f"contrast {decided} (axe undecided: {reasons[:120]})")
    return problems


# The in-page half of the checks (a11y.js), loaded once per document.
_CHECKS_JS = (Path(__file__).resolve().parent / "a11y.js").read_text()


def _call(page, name: str, argument: object = None):
    if not page.evaluate("() => Boolean(window.__veilleA11y)"):
        page.evaluate(_CHECKS_JS)
    return page.evaluate("([name, argument]) => window.__veilleA11y[name](argument)", [name, argument])


def structure_problems(page, *, lang: str) -> list[str]:
    """Reading order, labels, ``lang``, unique ids, the skip link first (``lang``: the
    language the page must declare)."""
    return _call(page, "structure", lang)


def target_problems(page, *, minimum: int, inline_ok: bool) -> list[str]:
    """Controls smaller than ``minimum`` CSS px either way; with ``inline_ok`` a link in a
    sentence is exempt, as WCAG 2.5.8 allows."""
    return _call(page, "targets", [minimum, inline_ok])


def reflow_problems(page) -> list[str]:
    return _call(page, "reflow")


def border_problems(page) -> list[str]:
    return _call(page, "borders")


def focus_problems(page, *, steps: int = 60) -> list[str]:
    """Tabs through the page from the top and checks each focused element."""
    _call(page, "fromTheTop")
    problems: list[str] = []
    for _ in range(steps):
        page.keyboard.press("Tab")
        problem = _call(page, "focus")
        if problem is None:
            break
        if problem and problem not in problems:
            problems.append(problem)
    return problems


def skip_link_problems(page, *, minimum: int) -> list[str]:
    """The first Tab shows the skip link, whole and big enough to tap; following it puts
    the focus on <main>."""
    _call(page, "fromTheTop")
    page.keyboard.press("Tab")
    link = page.evaluate(
        """() => { const el = document.activeElement; const box = el.getBoundingClientRect();
        return {href: el.getAttribute('href'), top: box.top, left: box.left, width: box.width, height: box.height,
                text: el.textContent.trim()}; }"""
    )
    main = page.evaluate("(document.querySelector('main') || {}).id || ''")
    if not main or link["href"] != f"#{main}":
        return [f"the first Tab reaches {link['href']!r}, not the skip link"]
    problems = []
    if not link["text"]:
        problems.append("the skip link has no text")
    if link["top"] < 0 or link["left"] < 0 or link["width"] < minimum or link["height"] < minimum:
        problems.append(f"the focused skip link is not shown whole ({link})")
    page.keyboard.press("Enter")
    if page.evaluate("document.activeElement.id") != main:
        problems.append("following the skip link does not move the focus to <main>")
    return problems

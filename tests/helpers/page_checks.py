"""Checks a browser test runs on any page: horizontal overflow of the page and axe-core's accessibility rules.

axe-core comes from the npm registry (tests/fixtures/npm/axe-core, `npm pack axe-core@<version>`); it is evaluated
in the page through the DevTools protocol, so the portal's strict CSP stays on while it runs."""

from functools import cache

from tests.helpers.paths import FIXTURES

AXE_PATH = FIXTURES / "npm" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


@cache
def _axe_source() -> str:
    return AXE_PATH.read_text()


def horizontal_overflow(page) -> int:
    """How many pixels the page is wider than the window (0: no horizontal scroll bar)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def scrolling_tables(page) -> list[str]:
    """Tables wider than their wrapper (a scroll bar inside the page): each wrapper's id or class."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.table-scroll, .table-wrap'))
        .filter(el => el.scrollWidth > el.clientWidth + 1)
        .map(el => el.id || el.querySelector('table').id || el.className)""")


def axe_violations(page, impacts=BLOCKING_IMPACTS) -> list[str]:
    """axe-core's violations of the given impacts, one readable line each (rule, impact, first elements)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    lines = []
    for violation in results["violations"]:
        if violation.get("impact") not in impacts:
            continue
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return lines


def keyboard_unreachable(page) -> list[str]:
    """Visible links, buttons and fields that Tab never reaches (a negative tabindex), except chart bars drawn
    in aria-hidden SVG (their links are repeated in the chart's table of numbers)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll(
            'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]'))
        .filter(el => el.getClientRects().length && !el.disabled)
        .filter(el => el.tabIndex < 0 && !el.closest('svg[aria-hidden="true"]') && el.id !== 'main')
        .map(el => el.outerHTML.slice(0, 100))""")

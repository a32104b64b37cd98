"""The Extensions list at 1366 and 1920 px: the opened column chooser stays inside the window (it opened past the
right edge, cut and with a sideways scroll bar), and the last-sync time stays inside its cell (it ran into Actions)."""

import pytest

from tests.helpers.browser import signed_in_page
from tests.helpers.factories import ADMIN_PASSWORD
from tests.helpers.page_checks import horizontal_overflow
from tests.helpers.showcase import showcase_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OUT_OF_CELL = """() => Array.from(document.querySelectorAll('td[data-col="source"] time'))
    .filter(t => t.getBoundingClientRect().right > t.closest('td').getBoundingClientRect().right + 0.5).length"""


@pytest.mark.parametrize("width", [1366, 1920])
def test_the_column_chooser_and_sync_times_stay_in_place(browser, live_server, width):
    showcase = showcase_create(extensions=12)
    context, page = signed_in_page(browser, live_server, showcase.admin.username, ADMIN_PASSWORD, width=width)

    assert page.locator('td[data-col="source"] time').count() > 0
    assert page.evaluate(OUT_OF_CELL) == 0

    page.locator(".column-chooser summary").click()
    chooser = page.locator(".column-chooser fieldset")
    chooser.wait_for()
    box = chooser.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert horizontal_overflow(page) == 0
    context.close()

"""The Extensions list fits 1366 px: no sideways scroll, Actions visible, long values cut with the full value on
hover, and a column chooser (keyboard-operable) whose choice is remembered."""

import pytest

from tests.helpers.browser import signed_in_page
from tests.helpers.factories import ADMIN_PASSWORD
from tests.helpers.page_checks import horizontal_overflow
from tests.helpers.showcase import showcase_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_columns_fit_and_the_chooser_remembers(browser, live_server):
    showcase = showcase_create(extensions=12)
    context, page = signed_in_page(browser, live_server, showcase.admin.username, ADMIN_PASSWORD)

    assert horizontal_overflow(page) == 0
    wrapper = page.locator(".table-scroll")
    assert wrapper.evaluate("el => el.scrollWidth <= el.clientWidth")
    actions = page.get_by_role("columnheader", name="Actions")
    assert actions.evaluate("el => el.getBoundingClientRect().right <= window.innerWidth")
    email_cell = page.locator('td[data-col="email"]').first
    assert email_cell.get_attribute("title") == showcase.synced.email
    assert email_cell.evaluate("el => el.scrollWidth > el.clientWidth")  # cut, the full value on hover
    assert page.locator('th[data-col="job_title"]').is_hidden()  # hidden until the admin chooses it

    summary = page.locator(".column-chooser summary")
    summary.focus()
    page.keyboard.press("Enter")
    email_box = page.get_by_role("checkbox", name="E-mail")
    email_box.focus()
    page.keyboard.press("Space")
    page.get_by_role("checkbox", name="Job title").check()
    assert page.locator('th[data-col="email"]').is_hidden()

    page.reload()
    assert page.locator('th[data-col="email"]').is_hidden()
    assert page.locator('td[data-col="email"]').first.is_hidden()
    assert page.locator('th[data-col="job_title"]').is_visible()
    assert horizontal_overflow(page) == 0
    context.close()

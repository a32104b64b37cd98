# Browser fixtures (browser, page, sign_in) come from tests/browser_fixtures.py, registered in tests/conftest.py.

def test_budget_per_app_over_sliding_window(emulator_clean, app_token):
    emu = emulator_clean
    emu.control("POST", "/_emulator/throttling", json={"limit": 5, "window": 30})
    statuses = [emu.graph("GET", "organization", token=app_token) for _ in range(6)]
    assert [r.status_code for r in statuses[:5]] == [200] * 5
    throttled = statuses[5]
    assert throttled.status_code == 429 and throttled.json()["error"]["code"] == "TooManyRequests"
    assert 1 <= int(throttled.headers["Retry-After"]) <= 30
    emu.reset()  # back to off
    assert all(emu.graph("GET", "organization", token=app_token).status_code == 200 for _ in range(8))


def test_window_slides(emulator_clean, app_token):
    import time

    emu = emulator_clean
    emu.control("POST", "/_emulator/throttling", json={"limit": 2, "window": 1.5})
    started = time.monotonic()
    assert [emu.graph("GET", "organization", token=app_token).status_code for _ in range(3)] == [200, 200, 429]
    # A slot frees once the first request leaves the window: wait for that (a 429 is not counted), never longer.
    while emu.graph("GET", "organization", token=app_token).status_code == 429:
        assert time.monotonic() - started < 30, "the window never slid"
        time.sleep(0.05)
    assert time.monotonic() - started >= 1.5 - 0.05

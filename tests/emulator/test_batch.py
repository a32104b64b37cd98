def test_batch_runs_each_request(emulator_clean, app_token):
    emu = emulator_clean
    user = emu.tenant["users"][0]
    requests_ = [
        {"id": "1", "method": "GET", "url": f"/users/{user['id']}?$select=displayName"},
        {"id": "2", "method": "GET", "url": "/organization"},
        {"id": "3", "method": "POST", "url": "/communications/getPresencesByUserId",
         "headers": {"Content-Type": "application/json"}, "body": {"ids": [user["id"]]}},
        {"id": "4", "method": "GET", "url": "/users/00000000-0000-4000-8000-000000000000"},
    ]
    resp = emu.graph("POST", "$batch", token=app_token, json={"requests": requests_})
    assert resp.status_code == 200
    by_id = {r["id"]: r for r in resp.json()["responses"]}
    assert by_id["1"]["status"] == 200 and by_id["1"]["body"]["displayName"] == user["display_name"]
    assert by_id["2"]["body"]["value"][0]["id"] == emu.tenant_id
    assert by_id["3"]["body"]["value"][0]["id"] == user["id"]
    assert by_id["4"]["status"] == 404
    counts = emu.request_counts()["by_route"]
    assert counts["POST /v1.0/$batch"] == 1 and counts["GET /v1.0/users/{user_id}"] == 2


def test_batch_limit_is_20(emulator_clean, app_token):
    reqs = [{"id": str(i), "method": "GET", "url": "/organization"} for i in range(21)]
    resp = emulator_clean.graph("POST", "$batch", token=app_token, json={"requests": reqs})
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "BadRequest"


def test_sub_requests_are_throttled_alone(emulator_clean, app_token):
    emu = emulator_clean
    emu.control("POST", "/_emulator/faults", json={"kind": "429", "path": "/organization", "count": 1,
                                                   "retry_after": 3})
    reqs = [{"id": "a", "method": "GET", "url": "/organization"}, {"id": "b", "method": "GET", "url": "/organization"}]
    resp = emu.graph("POST", "$batch", token=app_token, json={"requests": reqs})
    assert resp.status_code == 200
    statuses = {r["id"]: r for r in resp.json()["responses"]}
    assert statuses["a"]["status"] == 429 and statuses["a"]["headers"]["Retry-After"] == "3"
    assert statuses["b"]["status"] == 200

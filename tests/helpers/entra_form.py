"""The Connection tab form as an admin fills it in."""




def form_data(**overrides):
    data = {"tenant_id": TENANT, "client_id": CLIENT, "credential_type": "secret", "client_secret": SECRET,
            "feature_user_sync": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


CLIENT = "00001111-aaaa-2222-bbbb-3333cccc4444"


SECRET = "Xy8Q~abcdefghijklmnopqrstuvwxyz0123456789"

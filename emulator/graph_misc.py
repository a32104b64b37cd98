"""Graph /organization and /applications (passwordCredentials for secret-expiry warnings)."""

from emulator.graph_common import GraphError, context_url, graph_json, selected

ORG_READ = ("User.Read.All", "Organization.Read.All", "Directory.Read.All", "Organization.ReadWrite.All",
            "User.ReadWrite.All", "Directory.ReadWrite.All")
APP_READ = ("Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All")


def register(router) -> None:
    router.add("GET", "/v1.0/organization", list_organization, perms=ORG_READ)
    router.add("GET", "/v1.0/organization/{org_id}", get_organization, perms=ORG_READ)
    router.add("GET", "/v1.0/applications(appId='{app_id}')", get_application_by_app_id, perms=APP_READ)
    router.add("GET", "/v1.0/applications/{object_id}", get_application, perms=APP_READ)
    router.add("GET", "/v1.0/applications", list_applications, perms=APP_READ)


def _select(req, obj: dict) -> dict:
    fields = selected(req, obj, "application")
    if fields is None:
        return obj
    return {"id": obj["id"], **{name: obj[name] for name in fields}}


def list_organization(emu, req, params, claims):
    with emu.state.lock:
        org = emu.state.organization()
    return graph_json({"@odata.context": context_url(req, "organization"), "value": [_select(req, org)]})


def get_organization(emu, req, params, claims):
    with emu.state.lock:
        org = emu.state.organization()
    if params["org_id"] != org["id"]:
        raise GraphError(404, "Request_ResourceNotFound", f"Resource '{params['org_id']}' does not exist or one of "
                                                          "its queried reference-property objects are not present.")
    return graph_json({"@odata.context": context_url(req, "organization/$entity"), **_select(req, org)})


def _app_or_404(emu, key: str, by: str) -> dict:
    app = emu.state.app
    if (app.client_id if by == "appId" else app.object_id) != key:
        raise GraphError(404, "Request_ResourceNotFound",
                         f"Resource '{key}' does not exist or one of its queried reference-property objects are "
                         "not present.")
    return app.graph_application()


def get_application_by_app_id(emu, req, params, claims):
    with emu.state.lock:
        app = _app_or_404(emu, params["app_id"], "appId")
    fragment = "applications/$entity"
    if "$select" in req.query:
        fragment = f"applications({req.query['$select']})/$entity"
    return graph_json({"@odata.context": context_url(req, fragment), **_select(req, app)})


def get_application(emu, req, params, claims):
    with emu.state.lock:
        app = _app_or_404(emu, params["object_id"], "id")
    return graph_json({"@odata.context": context_url(req, "applications/$entity"), **_select(req, app)})


def list_applications(emu, req, params, claims):
    with emu.state.lock:
        app = emu.state.app.graph_application()
    flt = (req.query.get("$filter") or "").replace(" ", "").lower()
    apps = [app]
    if flt and flt != f"appid eq '{app['appId']}'".replace(" ", "").lower():
        apps = [] if flt.startswith("appideq") else apps
    return graph_json({"@odata.context": context_url(req, "applications"), "value": [_select(req, a) for a in apps]})

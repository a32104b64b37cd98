"""No input makes /scim/v2/ answer 5xx or anything but a SCIM document: arbitrary JSON bodies on every method and
resource, arbitrary filters and paging parameters (hypothesis). The portal-wide walk (tests/pbx_portal) covers GET
and POST with its own payloads; this covers PUT, PATCH and DELETE too."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.scim import patch_op
from tests.helpers.scim_endpoint import ScimClient, scim_user

pytestmark = pytest.mark.django_db

NAMES = st.sampled_from(["userName", "displayName", "active", "emails", "members", "name", "externalId", "id",
                         "schemas", "Operations", "op", "path", "value", "meta", "phoneNumbers", "title",
                         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "name.givenName"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40),
                    st.sampled_from(["True", "False", "replace", "Add", "remove", 'members[value eq "x"]',
                                     'emails[type eq "work"].value', "urn:ietf:params:scim:api:messages:2.0:PatchOp"]))
JSON = st.recursive(SCALARS, lambda children: st.one_of(st.lists(children, max_size=4),
                                                       st.dictionaries(NAMES | st.text(max_size=10), children,
                                                                       max_size=5)), max_leaves=25)
OPERATION = st.fixed_dictionaries({"op": st.sampled_from(["add", "Replace", "remove", "copy"]),
                                   "path": st.one_of(st.none(), st.text(max_size=30), NAMES), "value": JSON})


@pytest.fixture
def endpoint(organization):
    client = ScimClient(organization)
    user = client.post("/Users", scim_user("fuzz@contoso.example")).json()["id"]
    group = client.post("/Groups", {"displayName": "Fuzzers", "members": [{"value": user}]}).json()["id"]
    return client, user, group


def assert_scim(response):
    assert response.status_code < 500, response.content[:300]
    if response.status_code != 204:
        assert response["Content-Type"] == "application/scim+json", response.content[:300]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=JSON, method=st.sampled_from(["POST", "PUT", "PATCH"]), which=st.sampled_from(["user", "group"]))
def test_any_json_body(endpoint, body, method, which):
    client, user, group = endpoint
    target = {"user": f"/Users/{user}", "group": f"/Groups/{group}"}[which]
    path = {"POST": "/Users" if which == "user" else "/Groups"}.get(method, target)
    assert_scim(client.send(method, path, body))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATION, min_size=1, max_size=4), which=st.sampled_from(["user", "group"]))
def test_any_patch_operations(endpoint, operations, which):
    client, user, group = endpoint
    assert_scim(client.patch(f"/Users/{user}" if which == "user" else f"/Groups/{group}", patch_op(*operations)))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filter_text=st.text(max_size=60) | st.sampled_from(['userName eq "a" and (active eq true or x pr)',
                                                           'members[value eq "x"]', "not (id eq 1)"]),
       start=st.text(max_size=8), count=st.text(max_size=8), attributes=st.text(max_size=20))
def test_any_query(endpoint, filter_text, start, count, attributes):
    client = endpoint[0]
    for path in ("/Users", "/Groups"):
        assert_scim(client.get(path, {"filter": filter_text, "startIndex": start, "count": count,
                                      "attributes": attributes}))

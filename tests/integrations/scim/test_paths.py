import pytest

from integrations.scim.protocol import urns
from integrations.scim.protocol.errors import ScimError
from integrations.scim.protocol.paths import AttrPath, parse_attr_path


def parse(text):
    return parse_attr_path(text, scim_type="invalidPath")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("userName", AttrPath(None, "userName")),
        ("name.givenName", AttrPath(None, "name", "givenName")),
        ("members.$ref", AttrPath(None, "members", "$ref")),
        (f"{urns.ENTERPRISE_USER}:department", AttrPath(urns.ENTERPRISE_USER, "department")),
        (f"{urns.ENTERPRISE_USER}:manager.value", AttrPath(urns.ENTERPRISE_USER, "manager", "value")),
        (f"{urns.USER}:name.familyName", AttrPath(urns.USER, "name", "familyName")),
        (urns.ENTERPRISE_USER, AttrPath(urns.ENTERPRISE_USER, None)),
        # Case-insensitive: the URN takes its canonical spelling, names stay as written.
        (f"{urns.ENTERPRISE_USER.upper()}:Department", AttrPath(urns.ENTERPRISE_USER, "Department")),
        # An unknown extension: the URN ends at the last colon.
        (
            "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:tag",
            AttrPath("urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User", "tag"),
        ),
    ],
)
def test_paths(text, expected):
    assert parse(text) == expected
    assert str(parse(text)).lower() == text.lower()


@pytest.mark.parametrize(
    "text", ["", "1abc", "name.", "a.b.c", "na me", "urn:", "urn:x:", "emails[type", "$ref.x.y", "a" * 600, None, 5]
)
def test_malformed_paths_are_400_with_the_callers_scim_type(text):
    with pytest.raises(ScimError) as raised:
        parse_attr_path(text, scim_type="invalidFilter")
    assert (raised.value.status, raised.value.scim_type) == (400, "invalidFilter")

from integrations.scim.protocol import definitions, urns
from integrations.scim.protocol.paths import AttrPath


def resolve(schema, attribute, sub=None, shape=definitions.USER):
    return shape.resolve(AttrPath(schema, attribute, sub))


def test_core_and_common_attributes_resolve_at_the_top_level_in_canonical_spelling():
    target = resolve(None, "USERNAME")
    assert (target.container, target.attribute, target.definition.required) == (None, "userName", True)
    target = resolve(urns.USER, "name", "GIVENNAME")
    assert (target.container, target.attribute, target.sub_attribute) == (None, "name", "givenName")
    assert resolve(None, "externalId").definition.case_exact
    assert resolve(None, "id").definition.mutability == "readOnly"


def test_enterprise_attributes_resolve_into_the_extension_qualified_or_not():
    for target in (resolve(urns.ENTERPRISE_USER, "Department"), resolve(None, "department")):
        assert (target.container, target.attribute) == (urns.ENTERPRISE_USER, "department")
    assert resolve(None, "manager", "value").display == f"{urns.ENTERPRISE_USER}:manager.value"


def test_undeclared_attributes_keep_their_spelling():
    target = resolve(None, "preferredLanguage")
    assert (target.container, target.attribute, target.definition) == (None, "preferredLanguage", None)
    target = resolve("urn:example:ext", "tag")
    assert (target.container, target.attribute, target.definition) == ("urn:example:ext", "tag", None)
    # The enterprise extension is not a Group's: "department" is undeclared there.
    assert resolve(None, "department", shape=definitions.GROUP).container is None


def test_case_exactness():
    assert definitions.GROUP.case_exact(AttrPath(None, "members", "value"))
    assert definitions.GROUP.case_exact(AttrPath(None, "members"))  # compared through "value"
    assert not definitions.USER.case_exact(AttrPath(None, "userName"))
    assert not definitions.USER.case_exact(AttrPath(None, "nickName"))

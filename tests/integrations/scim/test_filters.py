import pytest

from integrations.scim.protocol import urns
from integrations.scim.protocol.errors import ScimError
from integrations.scim.protocol.filters import (
    MAX_COMPARISONS,
    MAX_DEPTH,
    MAX_FILTER_LENGTH,
    And,
    Comparison,
    Not,
    Or,
    PatchPath,
    Present,
    ValuePath,
    equality_terms,
    parse_filter,
    parse_path,
    walk,
)
from integrations.scim.protocol.paths import AttrPath
from tests.helpers.scim import fixture

USER_NAME = AttrPath(None, "userName")


def rejected(text, scim_type="invalidFilter"):
    with pytest.raises(ScimError) as raised:
        parse_filter(text) if scim_type == "invalidFilter" else parse_path(text)
    assert (raised.value.status, raised.value.scim_type) == (400, scim_type)
    return raised.value.detail


def test_microsofts_user_query():
    assert parse_filter('userName eq "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"') == Comparison(
        USER_NAME, "eq", "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"
    )


def test_operators_and_keywords_are_case_insensitive():
    assert parse_filter('userName EQ "x" AND active Eq TRUE') == And(
        (Comparison(USER_NAME, "eq", "x"), Comparison(AttrPath(None, "active"), "eq", True))
    )


@pytest.mark.parametrize("op", ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"])
def test_every_comparison_operator(op):
    assert parse_filter(f'title {op} "x"') == Comparison(AttrPath(None, "title"), op, "x")


def test_present_literals_and_numbers():
    assert parse_filter("title pr") == Present(AttrPath(None, "title"))
    assert parse_filter("x eq null").value is None
    assert parse_filter("x eq false").value is False
    assert parse_filter("x gt 10").value == 10
    assert parse_filter("x lt -2.5e3").value == -2500.0


def test_string_escapes_are_json_escapes():
    assert parse_filter(r'displayName eq "Sales \"EMEA\" \u00e9\\"').value == 'Sales "EMEA" é\\'


def test_and_binds_tighter_than_or_and_parentheses_group():
    a, b, c = (Present(AttrPath(None, name)) for name in "abc")
    assert parse_filter("a pr or b pr and c pr") == Or((a, And((b, c))))
    assert parse_filter("(a pr or b pr) and c pr") == And((Or((a, b)), c))
    assert parse_filter("a pr and b pr and c pr") == And((a, b, c))
    assert parse_filter("not (a pr)") == Not(a)


def test_schema_qualified_and_sub_attribute_paths():
    node = parse_filter(f'{urns.ENTERPRISE_USER}:department eq "Sales" and name.familyName sw "J"')
    assert node.children[0].path == AttrPath(urns.ENTERPRISE_USER, "department")
    assert node.children[1].path == AttrPath(None, "name", "familyName")


def test_value_path_with_relative_inner_paths():
    node = parse_filter('emails[type eq "work" and value co "@contoso.com"]')
    assert node == ValuePath(
        AttrPath(None, "emails"),
        And(
            (
                Comparison(AttrPath(None, "type"), "eq", "work"),
                Comparison(AttrPath(None, "value"), "co", "@contoso.com"),
            )
        ),
    )


def test_microsofts_work_email_query_reads_as_a_value_path():
    node = parse_filter(fixture("filters.json")["uniqueness_by_work_email"])
    assert node == ValuePath(
        AttrPath(None, "emails"),
        And(
            (
                Comparison(AttrPath(None, "type"), "eq", "work"),
                Comparison(AttrPath(None, "value"), "eq", "user@contoso.com"),
            )
        ),
    )


def test_every_documented_microsoft_filter_but_the_legacy_unquoted_one_parses():
    for name, text in fixture("filters.json").items():
        if name == "legacy_external_id_unquoted":
            assert "expected a value" in rejected(text)
        else:
            parse_filter(text)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ('userName "x"', "expected an operator"),
        ('userName eq "x', "unterminated"),
        ("userName eq", "expected a value"),
        ('userName eq "x" garbage', "expected 'and', 'or'"),
        ('(userName eq "x"', "')'"),
        ('userName eq "x")', "expected 'and', 'or'"),
        ('emails[type eq "work"', "']'"),
        ('emails[type[value eq "x"] eq "y"]', "brackets cannot nest"),
        ('emails[name.givenName eq "x"]', "only sub-attribute names"),
        ('userName eq "a" and', "an attribute path"),
        ('userName eq "x" & a pr', "Unexpected character '&'"),
        ("active gt true", "cannot compare"),
        ("title ge null", "cannot compare"),
        ("title co 5", "quoted string"),
        ("x eq 1e999", "Invalid number"),
        ('x eq "\\u0000"', "NUL or lone surrogate"),
        ('x eq "\\ud800"', "NUL or lone surrogate"),
        ('x eq "a\nb"', "unterminated or badly escaped"),
    ],
)
def test_invalid_filters_say_what_was_expected(text, fragment):
    assert fragment in rejected(text)


def test_position_is_reported():
    assert "position 10" in rejected('userName xx "a"')


def test_limits_on_length_depth_and_comparisons():
    assert "longer than" in rejected('userName eq "' + "a" * MAX_FILTER_LENGTH + '"')
    nested = "(" * (MAX_DEPTH + 1) + "a pr" + ")" * (MAX_DEPTH + 1)
    assert "nested deeper" in rejected(nested)
    parse_filter("(" * MAX_DEPTH + "a pr" + ")" * MAX_DEPTH)
    assert "comparisons" in rejected(" or ".join(["a pr"] * (MAX_COMPARISONS + 1)))
    assert "nested deeper" in rejected("not (" * 300 + "a pr" + ")" * 300)


def test_walk_and_equality_terms():
    node = parse_filter(f'userName eq "a" and {urns.ENTERPRISE_USER}:department eq "b"')
    assert equality_terms(node) == {"userName": "a", f"{urns.ENTERPRISE_USER}:department": "b"}
    assert equality_terms(parse_filter('userName ne "a"')) is None
    assert equality_terms(parse_filter('a eq "x" or b eq "y"')) is None
    assert len(list(walk(parse_filter('a pr or (b pr and emails[type eq "w"])')))) == 6


def test_patch_paths():
    assert parse_path("name.familyName") == PatchPath(AttrPath(None, "name", "familyName"))
    assert parse_path('emails[type eq "work"].value') == PatchPath(
        AttrPath(None, "emails"), Comparison(AttrPath(None, "type"), "eq", "work"), "value"
    )
    assert parse_path('members[value eq "7f4bc1a3"]') == PatchPath(
        AttrPath(None, "members"), Comparison(AttrPath(None, "value"), "eq", "7f4bc1a3")
    )
    assert parse_path(f"{urns.ENTERPRISE_USER}:employeeNumber").attribute == AttrPath(
        urns.ENTERPRISE_USER, "employeeNumber"
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        'emails[type eq "work"',
        'emails[type eq "work"].',
        "a b",
        "name.givenName[x pr]",
        'emails[type eq "work"].value.x',
        'emails eq "x"',
    ],
)
def test_invalid_patch_paths_are_invalid_path(text):
    rejected(text, "invalidPath")

import pytest

from integrations.scim.protocol import urns
from integrations.scim.protocol.errors import ScimError, conflict, not_found
from tests.helpers.scim import fixture


def test_error_object_has_the_rfc_7644_shape():
    error = ScimError(400, "invalidFilter", "Invalid filter at position 3")
    assert error.to_dict() == {
        "schemas": [urns.ERROR],
        "status": "400",
        "scimType": "invalidFilter",
        "detail": "Invalid filter at position 3",
    }


def test_error_without_scim_type_matches_microsofts_404_example():
    documented = fixture("get_user_not_found.response.json")
    error = not_found(documented["detail"])
    assert error.to_dict() == documented


def test_uniqueness_conflict_is_409():
    error = conflict('userName "bjensen" is taken')
    assert (error.status, error.scim_type) == (409, "uniqueness")
    assert error.to_dict()["status"] == "409"


def test_unknown_scim_type_is_a_programming_error():
    with pytest.raises(ValueError):
        ScimError(400, "notAType", "x")

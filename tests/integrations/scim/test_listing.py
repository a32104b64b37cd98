import pytest

from integrations.scim.protocol import urns
from integrations.scim.protocol.errors import ScimError
from integrations.scim.protocol.listing import MAX_PAGE_SIZE, Page, list_response, parse_page


@pytest.mark.parametrize(
    ("start_index", "count", "expected"),
    [
        (None, None, Page(1, MAX_PAGE_SIZE)),
        ("1", "20", Page(1, 20)),
        ("41", "20", Page(41, 20)),
        ("0", "5", Page(1, 5)),  # below 1 reads as 1
        ("-7", "5", Page(1, 5)),
        ("3", "-1", Page(3, 0)),  # negative count reads as 0
        ("3", "0", Page(3, 0)),
        ("1", "100000", Page(1, MAX_PAGE_SIZE)),  # cut to the maximum
        ("99999999999999999999", "1", Page(99999999999999999999, 1)),  # past the end: an empty page
        (" 2 ", "+3", Page(2, 3)),
        ("", "", Page(1, MAX_PAGE_SIZE)),
    ],
)
def test_paging_rules(start_index, count, expected):
    assert parse_page(start_index, count) == expected


@pytest.mark.parametrize(
    ("start_index", "count"),
    [("abc", None), (None, "1.5"), ("1_000", None), (None, "1e3"), ("9" * 31, None), (None, "0x10"), ("\u0661", None)],
)
def test_garbage_is_invalid_value(start_index, count):
    with pytest.raises(ScimError) as raised:
        parse_page(start_index, count)
    assert (raised.value.status, raised.value.scim_type) == (400, "invalidValue")


def test_page_slicing_and_configurable_maximum():
    page = parse_page("11", "10", max_count=5)
    assert (page.offset, page.stop) == (10, 15)


def test_list_response_shape():
    body = list_response([{"id": "a"}], total_results=7, page=Page(3, 1))
    assert body == {
        "schemas": [urns.LIST_RESPONSE],
        "totalResults": 7,
        "startIndex": 3,
        "itemsPerPage": 1,
        "Resources": [{"id": "a"}],
    }

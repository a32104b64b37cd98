"""ProbedNumberBook (one user per request, for SCIM) gives the answers the run-wide NumberBook gives, with a
number of queries that does not grow with the organization."""

import uuid

import pytest
from django.core.cache import cache

from extensions.models import Extension, RetainedNumber
from extensions.number_probe import ProbedNumberBook
from extensions.numbering import NumberBook
from tests.helpers.factories import make_extension

pytestmark = pytest.mark.django_db
RESERVED = [(1003, 1004)]
KEPT_FOR = str(uuid.uuid4())
SYNCED = str(uuid.uuid4())


@pytest.fixture(autouse=True)
def no_hint():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def numbers(organization):
    make_extension(organization, number="1000", display_name="Front desk")
    make_extension(organization, number="1001", display_name="Ada Lovelace", source=Extension.Source.ENTRA,
                   entra_object_id=SYNCED)
    RetainedNumber.objects.create(organization=organization, entra_object_id=KEPT_FOR, number="1002")
    make_extension(organization, number="1006", display_name="Lab")
    return organization


def loaded_book():
    """The run-wide book as a Graph run loads it, for the same rows."""
    holders = {"1000": "manual:Front desk (manual extension)", "1001": f"user:{SYNCED}",
               "1006": "manual:Lab (manual extension)"}
    return NumberBook(holders, {KEPT_FOR: "1002"}, RESERVED, 1000, 1010, {f"user:{SYNCED}": "Ada Lovelace"})


def probed_book(organization):
    return ProbedNumberBook(organization, RESERVED, 1000, 1010)


def test_both_books_answer_alike(numbers):
    loaded, probed = loaded_book(), probed_book(numbers)
    for number in [str(n) for n in range(1000, 1011)]:
        assert probed.holder(number) == loaded.holder(number), number
        assert probed.free_for(number, KEPT_FOR) == loaded.free_for(number, KEPT_FOR), number
    assert probed.next_free(KEPT_FOR) == loaded.next_free(KEPT_FOR) == "1002"
    newcomer = str(uuid.uuid4())
    first, second = loaded_book(), probed_book(numbers)
    picked = []
    for _ in range(4):
        a, b = first.next_free(newcomer), second.next_free(newcomer)
        assert a == b
        picked.append(b)
        first.take(a, newcomer)
        second.take(b, newcomer)
    assert picked == ["1005", "1007", "1008", "1009"]  # 1000-1002 held or kept, 1003-1004 reserved, 1006 held


def test_both_books_skip_reserved_and_invalid_numbers_alike(organization):
    """A number is given out only if it is a valid extension number (2+ digits) outside the reserved ranges."""
    loaded = NumberBook({}, {}, [(10, 10)], 8, 12)
    probed = ProbedNumberBook(organization, [(10, 10)], 8, 12)
    assert [n for n in ("8", "9", "10", "11", "012") if loaded.assignable(n)] == ["11"]
    assert loaded.next_free(KEPT_FOR) == probed.next_free(KEPT_FOR) == "11"
    assert loaded.next_free(KEPT_FOR) == "12" and loaded.next_free(KEPT_FOR) is None


def test_asking_about_a_synced_users_number_learns_their_name(numbers):
    book = probed_book(numbers)
    book.holder("1001")
    assert book.labels == {f"user:{SYNCED}": "Ada Lovelace"}  # conflict messages name the holder


def test_a_full_range_has_no_free_number(numbers):
    book = ProbedNumberBook(numbers, [], 1000, 1002)
    assert book.next_free(str(uuid.uuid4())) is None


def test_the_remembered_position_is_only_where_the_search_starts(numbers):
    newcomer = str(uuid.uuid4())
    assert probed_book(numbers).next_free(newcomer) == "1005"
    make_extension(numbers, number="1005", display_name="Taken meanwhile")
    assert probed_book(numbers).next_free(newcomer) == "1007"  # from the remembered 1006, checked against the rows
    Extension.objects.filter(organization=numbers, number="1000").delete()
    assert probed_book(numbers).next_free(newcomer) == "1008"  # a gap below the position waits for the reset ...
    cache.clear()
    assert probed_book(numbers).next_free(newcomer) == "1000"  # ... and is given out again after it


def test_queries_do_not_grow_with_the_organization(numbers, django_assert_max_num_queries):
    Extension.objects.bulk_create([Extension(organization=numbers, number=str(2000 + n), display_name=f"U{n}")
                                   for n in range(2000)])
    book = ProbedNumberBook(numbers, [], 2000, 9000)
    with django_assert_max_num_queries(3 + 2 * (2000 // 256 + 1)):
        assert book.next_free(str(uuid.uuid4())) == "4000"  # the first search walks the windows once
    with django_assert_max_num_queries(3):
        assert ProbedNumberBook(numbers, [], 2000, 9000).next_free(str(uuid.uuid4())) == "4001"

import pytest
from django.urls import reverse

from extensions.models import Extension
from organizations.models import AuditEntry

pytestmark = pytest.mark.django_db
LIST = reverse("extensions:list")


def post_create(client, **data):
    payload = {"number": "1234", "display_name": "Ada Lovelace"}
    payload.update(data)
    return client.post(reverse("extensions:create"), payload)


def test_create_normalizes_and_audits(admin_client, organization, admin_user):
    response = post_create(admin_client, email=" Ada@Example.COM ", business_phone="(425) 555-0100",
                           mobile_phone="+44 20 7946 0958")
    assert response.status_code == 302
    ext = Extension.objects.get(organization=organization, number="1234")
    assert ext.email == "ada@example.com"
    assert ext.business_phone == "+14255550100"
    assert ext.mobile_phone == "+442079460958"
    assert (ext.source, ext.status) == ("manual", "active")
    entry = AuditEntry.objects.get(organization=organization, action="extension.created")
    assert entry.actor == admin_user
    assert entry.changes["number"] == [None, "1234"]


@pytest.mark.parametrize(("number", "message"), [
    ("12a4", "2 to 10 digits"), ("0123", "does not start with 0"), ("1", "2 to 10 digits"),
    ("12345678901", "2 to 10 digits"),
])
def test_invalid_number_is_rejected_with_clear_error(admin_client, number, message):
    response = post_create(admin_client, number=number)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Extension.objects.exists()


def test_duplicate_number_names_the_holder(admin_client, extension_factory):
    extension_factory(number="1234", display_name="Grace Hopper")
    response = post_create(admin_client, number="1234")
    body = response.content.decode()
    assert "Extension 1234 is already assigned to Grace Hopper" in body
    assert Extension.objects.filter(number="1234").count() == 1


def test_invalid_email_and_phone_change_nothing(admin_client):
    response = post_create(admin_client, email="not-an-email", mobile_phone="12")
    body = response.content.decode()
    assert "Enter a valid email address" in body
    assert "is not a valid phone number" in body or "is not a phone number" in body
    assert not Extension.objects.exists()


def test_missing_display_name_is_required(admin_client):
    response = post_create(admin_client, display_name="")
    assert "This field is required" in response.content.decode()


def test_edit_keeps_own_number_and_records_changes(admin_client, extension_factory, organization):
    ext = extension_factory(number="1500", display_name="Old Name", email="old@example.com")
    response = admin_client.post(reverse("extensions:edit", args=[ext.pk]),
                                 {"number": "1500", "display_name": "New", "email": "old@example.com"})
    assert response.status_code == 302
    ext.refresh_from_db()
    assert ext.display_name == "New"
    entry = AuditEntry.objects.get(action="extension.updated")
    assert entry.changes == {"display_name": ["Old Name", "New"]}


def test_disable_and_enable(admin_client, extension_factory):
    ext = extension_factory()
    admin_client.post(reverse("extensions:status", args=[ext.pk]), {"status": "disabled"})
    ext.refresh_from_db()
    assert ext.status == "disabled"
    admin_client.post(reverse("extensions:status", args=[ext.pk]), {"status": "active"})
    ext.refresh_from_db()
    assert ext.status == "active"
    assert admin_client.get(reverse("extensions:status", args=[ext.pk])).status_code == 405


def test_entra_managed_extension_cannot_be_edited_by_hand(admin_client, extension_factory):
    ext = extension_factory(source=Extension.Source.ENTRA, display_name="From Entra")
    assert admin_client.get(reverse("extensions:edit", args=[ext.pk])).status_code == 403
    assert admin_client.post(reverse("extensions:status", args=[ext.pk]), {"status": "disabled"}).status_code == 403
    ext.refresh_from_db()
    assert ext.status == "active"


def test_search_sort_and_pagination(admin_client, extension_factory):
    for number in ("99", "100", "20", "3000"):
        extension_factory(number=number, display_name=f"N{number}")
    body = admin_client.get(LIST + "?sort=number").content.decode()
    assert body.index(">20<") < body.index(">99<") < body.index(">100<") < body.index(">3000<")
    body = admin_client.get(LIST + "?sort=-number").content.decode()
    assert body.index(">3000<") < body.index(">100<")
    body = admin_client.get(LIST + "?q=N20").content.decode()
    assert ">20<" in body and ">100<" not in body


def test_pagination_pages_of_fifty(admin_client, extension_factory):
    for i in range(120):
        extension_factory(number=str(2000 + i))
    page3 = admin_client.get(LIST + "?page=3").content.decode()
    assert "Page 3 of 3" in page3
    assert page3.count('class="num"') == 20
    assert "Page 3 of 3" in admin_client.get(LIST + "?page=999").content.decode()


def test_unknown_sort_falls_back_safely(admin_client, extension_factory):
    extension_factory(number="1001")
    assert admin_client.get(LIST + "?sort=password").status_code == 200


def test_list_query_count_does_not_grow_with_rows(admin_client, extension_factory, django_assert_max_num_queries):
    # 7: session, user, membership, connection badge, count, page, and the last user-sync run.
    for i in range(5):
        extension_factory(number=str(3000 + i))
    with django_assert_max_num_queries(7) as small:
        admin_client.get(LIST + "?q=User")
    for i in range(200):
        extension_factory(number=str(4000 + i))
    with django_assert_max_num_queries(7) as large:
        admin_client.get(LIST + "?q=User&sort=-name")
    assert len(large.captured_queries) == len(small.captured_queries)


def test_page_links_keep_the_search_filter_and_sort(admin_client, organization, extension_factory):
    for number in range(2000, 2120):
        extension_factory(number=str(number), display_name=f"Sales Rep {number}", department="Sales")
    page = admin_client.get(reverse("extensions:list"), {"q": "Sales", "status": "active", "sort": "-number",
                                                         "page": 2}).content.decode()
    assert 'href="?q=Sales&amp;status=active&amp;sort=-number&amp;page=3"' in page
    assert 'href="?q=Sales&amp;status=active&amp;sort=-number&amp;page=1"' in page


def test_a_number_retained_for_a_synced_user_is_refused_naming_whose(admin_client, organization):
    import uuid

    from extensions.models import RetainedNumber

    RetainedNumber.objects.create(organization=organization, entra_object_id=uuid.uuid4(), number="1234",
                                  holder_name="Megan Bowen <megan@contoso.com>")
    body = post_create(admin_client, number="1234").content.decode()
    assert "Extension 1234 is kept for Megan Bowen &lt;megan@contoso.com&gt;" in body
    assert not Extension.objects.filter(number="1234").exists()

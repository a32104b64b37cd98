"""Extension groups: each group's member count is the members it lists (disabled ones included, shown muted), only
the organization's own groups, and the page costs the same queries with more groups and members."""

import pytest
from django.urls import reverse

from extensions.models import ExtensionGroup
from tests.helpers.factories import make_extension

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("groups", [1, 20])
def test_counts_agree_with_the_lists_and_queries_do_not_grow(admin_client, organization, other_organization,
                                                             django_assert_max_num_queries, groups):
    for g in range(groups):
        group = ExtensionGroup.objects.create(organization=organization, name=f"Group {g:02d}")
        members = [make_extension(organization, number=f"{3000 + g * 10 + n}") for n in range(3)]
        members.append(make_extension(organization, number=f"{3000 + g * 10 + 3}", status="disabled"))
        group.members.add(*members)
    ExtensionGroup.objects.create(organization=other_organization, name="Their group").members.add(
        make_extension(other_organization, number="3000"))
    with django_assert_max_num_queries(6):
        html = admin_client.get(reverse("extensions:groups")).content.decode()
    assert html.count("· 4 members</span>") == groups and "Their group" not in html
    assert html.count('<li class="muted">') == groups

import pytest

from extensions.models import Extension

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_first_sync_all_users(emu, sync, organization):
    run = sync()
    assert run.status == "succeeded", (run.error, run.counts)
    print(run.counts, run.graph_requests)
    assert Extension.objects.filter(organization=organization, status="active").count() == 245
    run2 = sync()
    print(run2.counts, run2.graph_requests, run2.full)
    assert run2.graph_requests <= 2

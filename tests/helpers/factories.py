"""Small factories for tests: plain functions returning saved rows."""

import itertools

from django.contrib.auth import get_user_model

from extensions.models import Extension
from organizations.models import Membership, Organization

_seq = itertools.count(1)
ADMIN_PASSWORD = "Portal-Test-Passw0rd!"


def make_organization(name: str | None = None, **fields) -> Organization:
    n = next(_seq)
    name = name or f"Organization {n}"
    return Organization.objects.create(name=name, slug=fields.pop("slug", f"org-{n}"), **fields)


def make_admin(organization: Organization, username: str | None = None):
    user = get_user_model().objects.create_user(
        username=username or f"admin{next(_seq)}", password=ADMIN_PASSWORD, email="admin@example.com"
    )
    Membership.objects.create(user=user, organization=organization)
    return user


def make_extension(organization: Organization, **fields) -> Extension:
    n = next(_seq)
    defaults = {
        "number": str(1000 + n),
        "display_name": f"User {n}",
        "email": f"user{n}@example.com",
        "source": Extension.Source.MANUAL,
    }
    defaults.update(fields)
    return Extension.objects.create(organization=organization, **defaults)

"""{% uc_sign_in_link organization %}: the UC Client sign-in link with the organization in it (no email needed);
{% admin_microsoft_offered as offered %}: whether the admin sign-in page offers Sign in with Microsoft."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse

from sso.links import sign_in_link_value
from sso.selectors import admin_microsoft_sign_in_offered

register = template.Library()


@register.simple_tag
def uc_sign_in_link(organization) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('uc:login')}?{urlencode({'org': sign_in_link_value(organization)})}"


@register.simple_tag
def admin_microsoft_offered() -> bool:
    return admin_microsoft_sign_in_offered()

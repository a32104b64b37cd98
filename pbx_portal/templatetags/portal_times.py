"""{% when value %}: a time as pages show it, in the organization's zone with its name, UTC on hover.

{% when value "%H:%M" %} shows the time of day only; {{ value|age }} says how long ago ("less than a minute", not
Django's "0 minutes"). Loaded on every template (TEMPLATES builtins)."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

from pbx_portal.times import SHOWN, local_text, utc_iso, utc_text

register = template.Library()


@register.simple_tag
def when(value, fmt: str = SHOWN, empty: str = ""):
    if not value:
        return empty
    if isinstance(value, str):  # an ISO 8601 instant kept in JSON (e.g. a task's "at")
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return empty
    return format_html('<time datetime="{}" title="{}">{}</time>', utc_iso(value), utc_text(value),
                       local_text(value, fmt))


@register.filter
def age(value) -> str:
    """How long ago `value` was: "less than a minute" below a minute (timesince says "0 minutes"), else timesince."""
    if not value:
        return ""
    if (timezone.now() - value).total_seconds() < 60:
        return "less than a minute"
    return timesince(value)

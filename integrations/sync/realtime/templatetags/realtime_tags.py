"""{% realtime_panel "users" %}: the "Near real-time updates" card of a settings page (its own form and data)."""

from django import template

from integrations.sync.realtime.selectors import realtime_panel as panel_data

register = template.Library()


@register.inclusion_tag("realtime/_panel.html", takes_context=True)
def realtime_panel(context, kind: str):
    request = context["request"]
    return {**panel_data(request.organization, kind), "csrf_token": context.get("csrf_token"), "request": request}

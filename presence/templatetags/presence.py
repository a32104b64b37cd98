"""{% presence_badge extension page_extensions %}: a Teams presence badge with its age, for lists.

The first badge of a page loads the presence of every extension in ``page_extensions`` in one query; the
others read that. {% presence_section_context as presence %} gives the Collaboration page its section's data.
"""

from django import template
from django.template.loader import render_to_string

from presence.charts import presence_changes_chart, presence_state_chart
from presence.selectors import presence_by_extension
from presence.view_context import collaboration_section_context

register = template.Library()
CACHE_KEY = "presence_by_extension"


@register.simple_tag(takes_context=True)
def presence_badge(context, extension, page_extensions=None):
    cache = context.render_context.setdefault(CACHE_KEY, {})
    if extension.pk not in cache:
        page = [e for e in (page_extensions or ()) if e.pk not in cache]
        if extension not in page:
            page.append(extension)
        # Only extensions bound to an Entra user can have Teams presence: a page of manual ones costs no query.
        bound = [e.pk for e in page if _may_have_presence(e)]
        found = presence_by_extension(bound) if bound else {}
        for e in page:
            cache[e.pk] = found.get(e.pk)
    return render_to_string("presence/_presence_badge.html", {"presence": cache[extension.pk]})


def _may_have_presence(extension) -> bool:
    """Without loading deferred fields: only Entra-bound extensions have Teams presence."""
    deferred = extension.get_deferred_fields() if hasattr(extension, "get_deferred_fields") else set()
    if "entra_object_id" not in deferred:
        return bool(getattr(extension, "entra_object_id", None))
    if "source" not in deferred:
        return extension.source == "entra"
    return True


@register.simple_tag(takes_context=True)
def presence_section_context(context):
    request = context.get("request")
    return collaboration_section_context(request, form=context.get("presence_form"))


@register.inclusion_tag("presence/_charts.html", takes_context=True)
def presence_charts(context):
    """{% presence_charts %}: users per presence state now and changes per hour (Collaboration page)."""
    organization = context["request"].organization
    return {"states": presence_state_chart(organization=organization),
            "changes": presence_changes_chart(organization=organization)}

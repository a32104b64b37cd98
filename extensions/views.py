from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from extensions.filters import list_filters
from extensions.forms import ExtensionForm
from extensions.hooks import detail_context, list_context
from extensions.models import Extension
from extensions.selectors import extension_group_list, extension_list, next_free_number
from extensions.services import DuplicateExtensionNumber, extension_save, extension_set_status, extension_snapshot
from organizations.decorators import organization_required

PAGE_SIZE = 50
SORT_COLUMNS = (("number", "Extension"), ("name", "Name"), ("email", "E-mail"), ("department", "Department"),
                ("status", "Status"))
# Columns the admin may hide (the column chooser); number and Actions always show.
OPTIONAL_COLUMNS = (("name", "Name"), ("email", "E-mail"), ("department", "Department"), ("status", "Status"),
                    ("presence", "Teams presence"), ("job_title", "Job title"), ("source", "Source and sync"))
HIDDEN_BY_DEFAULT = "job_title"  # until the admin chooses (remembered in their browser); the detail page shows all


def _organization_extension(request, pk) -> Extension:
    """An extension of the admin's own organization; any other id is a 404, never a 403 that confirms it exists."""
    return get_object_or_404(Extension.objects.for_organization(request.organization), pk=pk)


@organization_required
def extension_list_view(request):
    filters, errors = list_filters(request.GET)
    query, status = filters["q"], filters["status"]
    if errors:  # refuse the search rather than run it: say why, show the unfiltered first page
        query = status = ""
    extensions, sort = extension_list(organization=request.organization, query=query, sort=filters["sort"],
                                      status=status)
    page = Paginator(extensions, PAGE_SIZE).get_page(None if errors else request.GET.get("page"))
    return render(request, "extensions/extension_list.html", {
        "page": page, "query": query, "sort": sort, "status": status, "filter_errors": errors,
        "statuses": Extension.Status.choices, "sort_columns": SORT_COLUMNS,
        "optional_columns": OPTIONAL_COLUMNS, "hidden_columns": HIDDEN_BY_DEFAULT, **list_context(request.organization),
    }, status=400 if errors else 200)


@organization_required
def extension_detail_view(request, pk):
    extension = _organization_extension(request, pk)
    return render(request, "extensions/extension_detail.html", {
        "extension": extension, "groups": extension.extension_groups.order_by("name"),
        **detail_context(extension),
    })


@organization_required
def extension_group_list_view(request):
    return render(request, "extensions/extensiongroup_list.html", {
        "groups": extension_group_list(organization=request.organization),
    })


@organization_required
def extension_create_view(request):
    extension = Extension(organization=request.organization, source=Extension.Source.MANUAL)
    form = ExtensionForm(request.POST or None, instance=extension, organization=request.organization,
                         suggested_number=next_free_number(organization=request.organization))
    if request.method == "POST" and form.is_valid():
        return _save(request, form, before=None, verb="created")
    return render(request, "extensions/extension_form.html", {"form": form, "extension": None})


@organization_required
def extension_edit_view(request, pk):
    extension = _organization_extension(request, pk)
    if extension.source != Extension.Source.MANUAL:
        return HttpResponseForbidden(
            "This extension is managed by Microsoft Entra ID; change it in Entra and run a sync."
        )
    before = extension_snapshot(extension)
    form = ExtensionForm(request.POST or None, instance=extension, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        return _save(request, form, before=before, verb="saved")
    return render(request, "extensions/extension_form.html", {"form": form, "extension": extension})


def _save(request, form, *, before, verb):
    try:
        extension = extension_save(extension=form.save(commit=False), actor=request.user, before=before)
    except DuplicateExtensionNumber:
        form.add_error("number", "This extension number was just taken by another change. Choose another number.")
        return render(request, "extensions/extension_form.html", {"form": form, "extension": form.instance})
    messages.success(request, f"Extension {extension.number} ({extension.display_name}) {verb}.")
    return redirect("extensions:list")


@require_POST
@organization_required
def extension_status_view(request, pk):
    extension = _organization_extension(request, pk)
    if extension.source != Extension.Source.MANUAL:
        return HttpResponseForbidden("This extension is managed by Microsoft Entra ID.")
    status = request.POST.get("status")
    if status not in Extension.Status.values:
        messages.error(request, "Unknown status.")
    else:
        extension_set_status(extension=extension, status=status, actor=request.user)
        messages.success(request, f"Extension {extension.number} is now {extension.get_status_display().lower()}.")
    return redirect("extensions:list")

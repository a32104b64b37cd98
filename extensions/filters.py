"""The Extensions list's query parameters, read through a form: odd input is a clear 400, never a 500."""

from django import forms

from extensions.models import Extension
from extensions.selectors import DEFAULT_SORT, SORTS

NUL_MESSAGE = "The search text contains a character that is not allowed."


class ExtensionListFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, error_messages={"null_characters_not_allowed": NUL_MESSAGE})
    status = forms.ChoiceField(required=False, choices=[("", "All statuses"), *Extension.Status.choices])
    sort = forms.CharField(required=False)

    def clean_q(self):
        return self.cleaned_data["q"].strip()

    def clean_sort(self):
        sort = self.cleaned_data["sort"]
        return sort if sort in SORTS else DEFAULT_SORT

    def clean_status(self):
        return self.cleaned_data["status"] or ""


def list_filters(params) -> tuple[dict, list[str]]:
    """(query, status, sort) from the query string, and the messages of the parameters that were refused."""
    data = params.copy()
    data["q"] = data.get("q", "")[:100]  # a long search is cut, not refused
    form = ExtensionListFilterForm(data)
    if form.is_valid():
        return form.cleaned_data, []
    errors = [str(message) for field in ("q", "status", "sort") for message in form.errors.get(field, [])]
    cleaned = {"q": "", "status": "", "sort": DEFAULT_SORT}
    cleaned.update({k: v for k, v in form.cleaned_data.items()})
    return cleaned, errors

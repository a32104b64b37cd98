"""What the rooms above extensions add to its pages (the last user sync, later Teams presence and more).

Extensions imports none of them: each registers a provider from its AppConfig.ready(). A provider takes the
organization and returns template context for the Extensions list.
"""

from collections.abc import Callable

ListContextProvider = Callable[[object], dict]
_list_context_providers: list[ListContextProvider] = []


def add_list_context(provider: ListContextProvider) -> None:
    if provider not in _list_context_providers:
        _list_context_providers.append(provider)


def list_context(organization) -> dict:
    context: dict = {}
    for provider in _list_context_providers:
        context.update(provider(organization))
    return context


DetailContextProvider = Callable[[object], dict]
_detail_context_providers: list[DetailContextProvider] = []


def add_detail_context(provider: DetailContextProvider) -> None:
    """A provider takes an extension and returns template context for its detail page (e.g. its sync history)."""
    if provider not in _detail_context_providers:
        _detail_context_providers.append(provider)


def detail_context(extension) -> dict:
    context: dict = {}
    for provider in _detail_context_providers:
        context.update(provider(extension))
    return context

"""What the rooms above extensions add to its pages (the last user sync, later Teams presence and more).

Extensions imports none of them: each registers a provider from its AppConfig.ready(). A list provider takes the
organization and returns template context for the Extensions list; a detail provider takes an extension and returns
context for its detail page (e.g. its sync history).
"""

from collections.abc import Callable

ContextProvider = Callable[[object], dict]


class _Providers:
    def __init__(self):
        self._providers: list[ContextProvider] = []

    def add(self, provider: ContextProvider) -> None:
        if provider not in self._providers:
            self._providers.append(provider)

    def context(self, subject) -> dict:
        context: dict = {}
        for provider in self._providers:
            context.update(provider(subject))
        return context


_list, _detail = _Providers(), _Providers()
add_list_context, list_context = _list.add, _list.context
add_detail_context, detail_context = _detail.add, _detail.context

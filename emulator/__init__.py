"""Microsoft Entra ID + Microsoft Graph v1.0 emulator (HTTPS) for tests, the demo and benchmarks.

Product code never imports this package; it reaches the emulator through settings only
(MICROSOFT_AUTHORITY_HOST, MICROSOFT_GRAPH_URL, MICROSOFT_CA_BUNDLE).
"""

__all__ = ["EmulatorConfig", "EmulatorServer"]


def __getattr__(name):  # lazy, so `python -m emulator --help` stays fast
    if name in ("EmulatorConfig", "EmulatorServer"):
        from emulator import server

        return getattr(server, name)
    raise AttributeError(name)

"""The one root of the errors a user can fix: ``TunegraphError``.

Every domain error of the library derives from it (the model's, the outputs', the graph
store's, the crawler's, the data contract's, the MPD files', settings that cannot work),
and its message is one line the user can act on. The CLI turns exactly these (and
click's own) into one ``Error: …`` line; anything else, a ``ValueError`` or ``OSError``
from deep inside included, is a bug and keeps its traceback. No imports here: every
layer may derive from it.
"""

from __future__ import annotations

__all__ = ["SettingsError", "TunegraphError"]


class TunegraphError(Exception):
    """Base of every user-facing error; the message is one line."""


class SettingsError(TunegraphError, ValueError):
    """Settings that cannot work (a settings object's ``validate``), told in one line."""

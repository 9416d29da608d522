"""Domain errors of the model side: each is a mistake a user can fix, told in one line."""

from __future__ import annotations

from tunegraph.errors import TunegraphError
from tunegraph.export_format import DataContractError


class ModelError(TunegraphError):
    """Base of the errors the CLI shows as one line (no traceback)."""


class DataError(ModelError):
    """The export directory cannot be used for training (missing, malformed, too small)."""


class ModelDirError(ModelError):
    """A model directory that is missing, incomplete, or does not match the data."""


class RequestError(ModelError):
    """A request the model cannot answer as asked (k out of range, a malformed request)."""


class UnknownIdError(RequestError):
    """A playlist or track id the model does not know."""


class NothingLeftError(RequestError):
    """The playlist or list already holds every track the model knows: no new track exists."""


__all__ = [
    "DataContractError",
    "DataError",
    "ModelDirError",
    "ModelError",
    "NothingLeftError",
    "RequestError",
    "UnknownIdError",
]

"""Project exceptions.

Every error raised on purpose by :mod:`geo` is a :class:`ZoneAtlasError`. Messages say what was
expected, what arrived, and (where there is one) the fix, so that the CLI and the dashboard can show
them to a person as they are.
"""

from __future__ import annotations


class ZoneAtlasError(Exception):
    """Base class of every error Zone Atlas raises on purpose."""


class DataSourceError(ZoneAtlasError):
    """A dataset could not be fetched, found or verified."""


class BoundaryError(ZoneAtlasError):
    """A boundary file could not be read or does not have the expected shape."""


class InputError(ZoneAtlasError):
    """An article or other user input cannot be used (empty, binary, too large, unreadable)."""


class RulesError(ZoneAtlasError):
    """A rules or alias file in ``data/`` is malformed."""


class ParameterError(ZoneAtlasError):
    """A parameter value is out of its allowed range."""


class WriteError(ZoneAtlasError):
    """A file could not be written (disk full, read-only folder, ...); nothing half-written is left."""


class ExportError(WriteError):
    """An export could not be written."""


class AccountError(ZoneAtlasError):
    """The dashboard's users file or an account request cannot be used (corrupt file, unknown user)."""


class StoreError(ZoneAtlasError):
    """The workspace store cannot be opened or written (read-only, full disk, corrupt, newer schema)."""


class WorkerError(ZoneAtlasError):
    """An analysis worker (a local process or a Dask cluster) died or cannot be reached."""

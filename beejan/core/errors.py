"""Exceptions a user can act on. The CLI prints their message as one line and exits non-zero."""


class BeejanError(Exception):
    """Base of every error the CLI reports without a traceback."""


class WarehouseError(BeejanError):
    """The warehouse cannot be started, stopped or reached."""


class SourceError(BeejanError):
    """A source system is unreachable, rejects our credentials or sends something unusable."""

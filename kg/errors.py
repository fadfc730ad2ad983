"""Errors a user can cause. The CLI catches KgError once and prints its message."""


class KgError(Exception):
    """Base of every error kg reports to a user as one line."""


class InputError(KgError):
    """A file or input that cannot be read, decoded or understood."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class StoreError(KgError):
    """A store that cannot be read or written as asked."""

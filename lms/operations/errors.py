"""The error every operation raises when it cannot go on."""


class BackupError(Exception):
    """The backup or the restore cannot go on; the message says why and what to do."""

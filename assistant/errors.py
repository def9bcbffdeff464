"""User-facing errors: one line, naming the file (or input) and the problem."""


class AssistantError(Exception):
    """Base for errors reported to the user as a single line, without a traceback."""


class LoadError(AssistantError):
    """A file could not be read as a document: message is '<path>: <problem>'."""


class IndexMissing(AssistantError):
    """No index has been built yet."""


class IndexCorrupt(AssistantError):
    """Index files fail their manifest check."""

"""The one error type users see.

Library code raises `BotError` with a message that says what went wrong *and what to do*;
the CLI, the API and the chat show that message without a traceback.
"""


class BotError(Exception):
    """A problem the user can act on. `str(err)` is the whole user-facing message."""

    def __init__(self, message: str, *, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(f"{message} {hint}" if hint else message)


class UnreadableFile(BotError):
    """One corpus file could not be read; ingest skips it and keeps what the index had."""

    def __init__(self, path: str, why: str):
        self.path = path
        self.why = why
        super().__init__(f"{path}: {why}", hint="Fix or remove the file, then run `bot ingest` again.")

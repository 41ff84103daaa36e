"""The one error type of the domain, carrying a protocol error code.

Its message is marked for the catalog (`N_`) where it is raised, with `%(name)s` placeholders
filled from its params; the API translates it where it answers (`app.api.errors`). Which HTTP
status carries each code is the API's business, not the domain's.
"""

from __future__ import annotations

from app.i18n import _


class CommandError(Exception):
    """A refusal with a protocol code and a message a person can read."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        self.code = code
        # The catalog's message and what fills it: translated where the refusal is answered.
        self.template = message
        self.params = params
        # In the source language, for logs and for callers that answer in it.
        self.message = message % params if params else message
        super().__init__(self.message)

    def translated(self) -> str:
        """The message in the language being served."""
        return _(self.template, **self.params)

"""The exceptions kg raises. Library code raises these; only the CLI prints.

>>> err = InputError("bad.ttl", "unexpected end of file", line=3, column=7)
>>> str(err)
'bad.ttl:3:7: unexpected end of file'
"""

from __future__ import annotations


class KgError(Exception):
    """Base of every error kg raises on purpose. The CLI exits with ``exit_code``."""

    exit_code = 2


class UsageError(KgError):
    """Bad arguments: an unknown format, a missing parameter, conflicting options."""


class InputError(KgError):
    """A file that cannot be read or parsed. Carries the file and, when known, the position."""

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None):
        self.path = str(path)
        self.message = message
        self.line = line
        self.column = column
        where = self.path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")


class FactsError(KgError):
    """Problems in facts files: one line per problem, all reported together."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class QueryError(KgError):
    """A query that cannot run: unknown name, bad syntax, refused operation, bad parameter."""


class UnsafeOperationError(KgError):
    """Something untrusted input asked for that kg refuses: network access, local files."""


class StoreError(KgError):
    """The embedded store is missing, locked or damaged."""


class NotConformingError(KgError):
    """Data does not conform to the shapes. Carries the validation report."""

    exit_code = 1

    def __init__(self, message: str, report):
        self.report = report
        super().__init__(message)


class ResourceLimitError(KgError):
    """A time or size limit was hit."""


class RemoteError(KgError):
    """A remote SPARQL store failed or answered outside the protocol."""

    status: int | None = None  # the HTTP status of a refused request, when there was one

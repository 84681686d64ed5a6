"""The one error type of the core: a problem in a data file or a page, with its place."""


class DataError(Exception):
    """A problem located in a file, printed as `path:line: message`, on one line whatever the
    data: a character that does not print (a newline, a control, a lone surrogate) is escaped."""

    def __init__(self, path: str, line: int | None, message: str):
        path, message = _printable(path), _printable(message)
        self.path = path
        self.line = line
        self.message = message
        place = f"{path}:{line}" if line is not None else path
        super().__init__(f"{place}: {message}")


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)

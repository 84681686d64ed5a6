"""The one error type of the core: a problem in a data file or a page, with its place."""


class DataError(Exception):
    """A problem located in a file, printed as `path:line: message`."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path = path
        self.line = line
        self.message = message
        place = f"{path}:{line}" if line is not None else path
        super().__init__(f"{place}: {message}")

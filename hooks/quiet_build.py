"""A quiet `mkdocs build`: at the default verbosity it prints what matters and nothing else.

MkDocs and mkdocs-static-i18n report each step of the build at INFO level (the directory
built into, the French overrides, ...): about ten lines a build that a maintainer must read
past to find a warning. At the default verbosity this hook drops those progress lines, and
only those: warnings, errors, any other INFO line and the closing "Documentation built in"
line still print. `mkdocs build -v` shows everything, and `mkdocs serve` is left as it is.
"""

from __future__ import annotations

import logging
import re

# The progress lines of a build, as MkDocs 1.6 and mkdocs-static-i18n 1.3 word them.
PROGRESS = re.compile(
    r"Cleaning site directory"
    r"|Building documentation to directory: "
    r"|mkdocs_static_i18n: (Building '\w+' documentation to directory: "
    r"|Adding '\w+' to the '[\w/]+' plugin 'lang' option"
    r"|Overriding '\w+' config '\w+' with "
    r"|Translated \d+ navigation elements to '\w+')"
)


def _not_progress(record: logging.LogRecord) -> bool:
    return not (record.levelno == logging.INFO and PROGRESS.match(record.getMessage()))


def on_startup(command, dirty):
    logger = logging.getLogger("mkdocs")
    if command != "build" or logger.getEffectiveLevel() != logging.INFO:
        return
    for handler in logger.handlers:
        if _not_progress not in handler.filters:
            handler.addFilter(_not_progress)

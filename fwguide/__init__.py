"""The rendering core of the firewall guide: load rule tables, validate them, render them.

Plain Python with no MkDocs import, so the site generator can change without a rewrite:
`hooks/` only glues MkDocs events to `fwguide.markers.expand`.
"""

LANGUAGES = ("en", "fr")

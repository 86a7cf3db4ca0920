"""A Babel extraction method for the keyed messages, so `pybabel extract` keeps them in the template.

The texts that were Python dicts are looked up by key (`t("nav.cart")`), not by their English, so no
source line holds them: their English source is the en catalog (msgctxt "<domain>:<key>", msgid the
English). babel.cfg maps that catalog to this method; `pybabel extract` then writes them to messages.pot
next to what the templates' `{% trans %}` / `_()` and the code's `_()` / `pgettext()` give, and
`pybabel update` keeps every language's translations of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from babel.messages.pofile import read_po


def extract_keyed(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                  options: dict[str, Any]) -> Iterator[tuple[int, str, tuple[str, str] | str, list[str]]]:
    """Every message of a `.po` file as a `pgettext(context, msgid)` call (or `gettext(msgid)`)."""
    for message in read_po(fileobj):
        if not message.id or not isinstance(message.id, str):
            continue
        lineno = message.lineno or 0
        comments = list(message.auto_comments)
        if message.context:
            yield lineno, "pgettext", (message.context, message.id), comments
        else:
            yield lineno, "gettext", message.id, comments

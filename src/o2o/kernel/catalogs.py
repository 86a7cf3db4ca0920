"""The texts of every page and message, read from gettext catalogs (`.po`, one per language).

`src/o2o/web/locale/<lang>/LC_MESSAGES/messages.po` (zh_CN, en, zh_TW, ...) are the only source of texts.
They are read once, at the first use, with Babel's `.po` reader, into plain dicts: a lookup afterwards is a
dict lookup. A language is a catalog: the locales offered are the catalogs present.

Two kinds of messages live in the catalogs:

- keyed ones (the texts that were Python dicts): `msgctxt "<domain>:<key>"`, `msgid` the English source,
  `msgstr` the language's text. `catalog_texts("shop.texts")` gives them back as the dict shape the pages
  use (`{locale: {key: text}}`), so call sites (`t("nav.cart")`) did not change;
- plain ones written in templates and code with `{% trans %}`, `_()`, `gettext()`, `pgettext()`: `Catalogs`
  answers them (the Jinja2 i18n extension's callables are installed per request from it).

A language that is not complete (zh_TW) falls back, message by message, to the default language of the
same script family (zh-CN) and then to English; zh_CN and en must be complete (a test checks).
"""

from __future__ import annotations

import gettext as gettext_module
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "web" / "locale"
DOMAIN = "messages"
SOURCE_LOCALE = "en"
DEFAULT_LOCALE = "zh-CN"
SEPARATOR = ":"  # msgctxt = "<domain>:<key>"


def tag_of(directory: str) -> str:
    """A catalog directory's name (zh_CN) as the pages' language tag (zh-CN)."""
    return directory.replace("_", "-")


def directory_of(tag: str) -> str:
    return tag.replace("-", "_")


def fallbacks(locale: str) -> tuple[str, ...]:
    """The languages asked in turn for a message: the language, then the default one if it is the same
    language (zh-TW -> zh-CN), then English."""
    chain = [locale]
    if locale != DEFAULT_LOCALE and locale.split("-")[0] == DEFAULT_LOCALE.split("-")[0]:
        chain.append(DEFAULT_LOCALE)
    if SOURCE_LOCALE not in chain:
        chain.append(SOURCE_LOCALE)
    return tuple(chain)


def po_path(locale: str, root: Path = LOCALE_DIR) -> Path:
    return root / directory_of(locale) / "LC_MESSAGES" / f"{DOMAIN}.po"


def available_locales(root: Path = LOCALE_DIR) -> tuple[str, ...]:
    """The languages with a catalog, the default first, then English, then the others by name."""
    found = sorted(tag_of(p.parent.parent.name) for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    first = [tag for tag in (DEFAULT_LOCALE, SOURCE_LOCALE) if tag in found]
    return (*first, *[tag for tag in found if tag not in first])


class Catalogs:
    """Every catalog under one directory, read into dicts.

    keyed[locale][domain][key] = text (empty translations left out, so fallbacks apply);
    plain[locale][(context, msgid)] = text for messages without a key.
    """

    def __init__(self, root: Path = LOCALE_DIR) -> None:
        from babel.messages.pofile import read_po  # only here: the pages' start-up reads the catalogs

        self.root = root
        self.locales = available_locales(root)
        self.keyed: dict[str, dict[str, dict[str, str]]] = {}
        self.plain: dict[str, dict[tuple[str | None, str], str]] = {}
        self.plurals: dict[str, dict[tuple[str | None, str], tuple[str, ...]]] = {}
        self.plural_index: dict[str, Callable[[int], int]] = {}
        self.names: dict[str, str] = {}
        for locale in self.locales:
            with po_path(locale, root).open("rb") as fh:
                catalog = read_po(fh, locale=directory_of(locale))
            keyed: dict[str, dict[str, str]] = {}
            plain: dict[tuple[str | None, str], str] = {}
            plurals: dict[tuple[str | None, str], tuple[str, ...]] = {}
            for message in catalog:
                if not message.id or not message.string or "fuzzy" in message.flags:
                    continue
                if not isinstance(message.id, str):  # (singular, plural): every form translated or none
                    forms = tuple(message.string)
                    if all(forms):
                        plurals[(message.context, message.id[0])] = forms
                    continue
                text = message.string if isinstance(message.string, str) else message.string[0]
                if not text or "fuzzy" in message.flags:
                    continue
                context = message.context
                if context and SEPARATOR in context:
                    domain, _, key = context.partition(SEPARATOR)
                    keyed.setdefault(domain, {})[key] = text
                plain[(context, message.id)] = text
            self.keyed[locale] = keyed
            self.plain[locale] = plain
            self.plurals[locale] = plurals
            self.plural_index[locale] = gettext_module.c2py(catalog.plural_expr or "0")
            self.names[locale] = _display_name(catalog, locale)
        self._texts: dict[str, dict[str, dict[str, str]]] = {}

    def texts(self, domain: str) -> dict[str, dict[str, str]]:
        """`{locale: {key: text}}` of one domain, every catalog's language, each filled from its fallbacks."""
        cached = self._texts.get(domain)
        if cached is None:
            cached = {}
            for locale in self.locales:
                merged: dict[str, str] = {}
                for fallback in reversed(fallbacks(locale)):
                    merged.update(self.keyed.get(fallback, {}).get(domain, {}))
                cached[locale] = merged
            self._texts[domain] = cached
        return {locale: dict(table) for locale, table in cached.items()}  # callers may extend their copy

    def gettext(self, locale: str, message: str, context: str | None = None) -> str:
        for fallback in fallbacks(locale):
            text = self.plain.get(fallback, {}).get((context, message))
            if text:
                return text
        return message

    def ngettext(self, locale: str, singular: str, plural: str, n: int, context: str | None = None) -> str:
        for fallback in fallbacks(locale):
            forms = self.plurals.get(fallback, {}).get((context, singular))
            if forms:
                index = self.plural_index[fallback](n)
                return forms[min(index, len(forms) - 1)]
        return singular if n == 1 else plural

    def domains(self) -> set[str]:
        return {domain for keyed in self.keyed.values() for domain in keyed}


def _display_name(catalog: object, locale: str) -> str:
    from babel import Locale

    try:
        return Locale.parse(directory_of(locale)).get_display_name() or locale
    except (ValueError, LookupError):
        return locale


_lock = threading.Lock()
_catalogs: Catalogs | None = None


def catalogs() -> Catalogs:
    """The process's catalogs, read at the first call."""
    global _catalogs
    if _catalogs is None:
        with _lock:
            if _catalogs is None:
                _catalogs = Catalogs()
    return _catalogs


def catalog_texts(domain: str) -> dict[str, dict[str, str]]:
    """A texts module's table, `{locale: {key: text}}`, from the catalogs."""
    return catalogs().texts(domain)


def catalog_messages(domain: str) -> dict[str, dict[str, str]]:
    """The same table the other way round, `{key: {locale: text}}` (kernel.i18n's MESSAGES)."""
    by_key: dict[str, dict[str, str]] = {}
    for locale, table in catalog_texts(domain).items():
        for key, text in table.items():
            by_key.setdefault(key, {})[locale] = text
    return by_key


def merged(*tables: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Several tables as one, later tables' keys winning, for every language of the catalogs (a table
    without a language gives that language its fallbacks' texts)."""
    out: dict[str, dict[str, str]] = {locale: {} for locale in catalogs().locales}
    for table in tables:
        for locale in out:
            for fallback in reversed(fallbacks(locale)):
                out[locale].update(table.get(fallback, {}))
    return out

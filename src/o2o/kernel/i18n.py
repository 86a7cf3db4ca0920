"""Messages in every language of the catalogs (zh-CN, en, ...). A key names a message; `t` picks the
caller's language. The texts are in the gettext catalogs (o2o.kernel.catalogs), domain kernel.i18n.messages."""

from __future__ import annotations

from collections.abc import Mapping

from o2o.kernel.catalogs import DEFAULT_LOCALE, available_locales, catalog_messages

LOCALES: tuple[str, ...] = available_locales()  # the catalogs present: a language is a catalog

MESSAGES: dict[str, Mapping[str, str]] = catalog_messages("kernel.i18n.messages")


def supported(tag: str | None) -> str | None:
    """The catalog's language for a language tag (en-US -> en, zh -> zh-CN, zh-Hant / zh-TW / zh-HK ->
    zh-TW when that catalog exists, else zh-CN), or None."""
    tag = (tag or "").strip().replace("_", "-").lower()
    if not tag:
        return None
    for locale in LOCALES:  # an exact match first (zh-tw, en)
        if tag == locale.lower():
            return locale
    language = tag.split("-")[0]
    if language == "zh" and "zh-TW" in LOCALES and any(p in tag.split("-")[1:] for p in ("hant", "tw", "hk", "mo")):
        return "zh-TW"
    if language == DEFAULT_LOCALE.split("-")[0]:
        return DEFAULT_LOCALE
    return next((locale for locale in LOCALES if locale.lower().split("-")[0] == language), None)


def negotiate(accept_language: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Pick a catalog's language from an Accept-Language header (q-values respected)."""
    if not accept_language:
        return default
    choices: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept_language.split(",")):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        locale = supported(tag)
        if locale:
            choices.append((weight, -i, locale))
    return max(choices)[2] if choices else default


def t(key: str, locale: str = DEFAULT_LOCALE, **values: object) -> str:
    texts = MESSAGES.get(key)
    if texts is None:
        return key
    text = texts.get(locale) or texts["en"]
    return text.format(**values) if values else text

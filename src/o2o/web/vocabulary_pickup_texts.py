"""Texts of the history notes a return's courier pickup writes ('pickup scheduled', by the desk or reported by
the courier: o2o.returns.service), read back by |history_note in the page's language. The lead converts this
module into the gettext catalogs."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts

TEXTS: dict[str, dict[str, str]] = catalog_texts("web.vocabulary_pickup_texts")

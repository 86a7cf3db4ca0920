"""Translations in gettext catalogs (issue 12 point 16): the catalogs are complete in zh_CN and en (no message
missing, empty, fuzzy or with other placeholders than its English), they are the only source of texts, a
language is a catalog (zh_TW, or any new one, without code), Jinja2's i18n callables answer in the page's
language, pybabel's extract/update keep every translation, and the converter moves a dict module."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import jinja2
import pytest
from babel.messages.pofile import read_po

from o2o.kernel import catalogs as cat
from o2o.kernel.i18n import LOCALES, negotiate, t
from o2o.web import i18n_import
from o2o.web.templating import LANGUAGE_NAMES, Translator, env, gettext_callables

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


def _read(locale: str, root: Path = cat.LOCALE_DIR):  # type: ignore[no-untyped-def]
    with cat.po_path(locale, root).open("rb") as fh:
        return read_po(fh, locale=cat.directory_of(locale))


def _names(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_message_is_translated_with_its_placeholders(locale):
    source, catalog = _read("en"), _read(locale)
    wanted = {(m.context, m.id) for m in source if m.id}
    have = {(m.context, m.id): m for m in catalog if m.id}
    missing = sorted(str(k) for k in wanted - have.keys())
    assert not missing, f"{locale}: missing {missing[:10]}"
    problems = []
    for key, m in have.items():
        if not m.string:
            problems.append(f"empty {key}")
        elif "fuzzy" in m.flags:
            problems.append(f"fuzzy {key}")
        elif _names(m.string) != _names(m.id):
            problems.append(f"placeholders {key}: {sorted(_names(m.string))} != {sorted(_names(m.id))}")
    assert not problems, f"{locale}: {problems[:10]}"


@pytest.mark.parametrize("locale", ["zh-CN", "en", "zh-TW"])
def test_translators_tools_accept_every_catalog(locale):
    """Babel's checks (those msgfmt --check and Poedit make): no format mismatch; a keyed text's "%"
    ("12% off") is not taken for a Python %-format."""
    catalog = _read(locale)
    problems = [(m.context, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert not problems, problems[:5]
    flagged = [m.context for m in catalog if m.id and "python-format" in m.flags]
    assert not flagged, flagged[:5]


def test_the_check_above_can_fail(tmp_path):
    """A catalog with a message missing, one empty and one with a wrong placeholder is caught."""
    for loc in ("en", "zh_CN"):
        shutil.copytree(cat.LOCALE_DIR / loc, tmp_path / loc)
    zh = _read("zh-CN", tmp_path)
    ids = [m for m in zh if m.id and m.context]
    zh.delete(ids[0].id, context=ids[0].context)
    ids[1].string = ""
    braced = next(m for m in ids[2:] if _names(m.id))
    braced.string = braced.string.replace("{", "{x").replace("}", "}") if braced.string else "{oops}"
    i18n_import.write_catalog(zh, "zh-CN", tmp_path)
    source = _read("en", tmp_path)
    back = {(m.context, m.id): m for m in _read("zh-CN", tmp_path) if m.id}
    assert (ids[0].context, ids[0].id) in {(m.context, m.id) for m in source} - back.keys()
    assert back[(ids[1].context, ids[1].id)].string == ""
    assert _names(back[(braced.context, braced.id)].string) != _names(braced.id)


def test_translated_zh_tw_messages_keep_their_placeholders():
    for m in _read("zh-TW"):
        if m.id and m.string:
            assert _names(m.string) == _names(m.id), m.context


def test_no_module_holds_texts_as_dicts():
    """The catalogs are the only source: a texts module still holding a dict is moved with
    `python -m o2o.web.i18n_import --all`."""
    left = [str(p.relative_to(ROOT)) for p in i18n_import.remaining()]
    assert not left, f"run `python -m o2o.web.i18n_import --all`: {left}"


def test_languages_are_the_catalogs_present():
    assert LOCALES[:2] == ("zh-CN", "en") and "zh-TW" in LOCALES
    assert LANGUAGE_NAMES == {"zh-CN": "中文", "en": "English", "zh-TW": "繁體中文"}
    assert negotiate("zh-TW,zh;q=0.8") == "zh-TW" and negotiate("zh-Hant-HK") == "zh-TW"
    assert negotiate("zh-Hans-CN") == "zh-CN" and negotiate("zh") == "zh-CN" and negotiate("en-GB") == "en"


def test_zh_tw_is_partial_and_falls_back_to_zh_cn_then_english():
    from o2o.shop.texts import TEXTS

    tw = Translator("zh-TW", [TEXTS])
    assert tw("nav.cart") == "購物車"  # translated in zh_TW
    assert tw("home.lead") == Translator("zh-CN", [TEXTS])("home.lead")  # not yet: zh_CN's
    assert t("not_found", "zh-TW", what="訂單") == "找不到訂單"
    assert t("insufficient_stock", "en") == "Not enough stock" and t("insufficient_stock", "zh-CN") == "库存不足"


def test_a_new_language_is_a_catalog_not_code(tmp_path):
    """A French catalog dropped next to the others is a language: its translations, English elsewhere."""
    for loc in ("en", "zh_CN"):
        shutil.copytree(cat.LOCALE_DIR / loc, tmp_path / loc)
    fr = _read("en", tmp_path)
    fr.locale = "fr"
    for m in fr:
        if m.id:
            m.string = "Panier" if m.context == "shop.texts:nav.cart" else ""
    (tmp_path / "fr" / "LC_MESSAGES").mkdir(parents=True)
    i18n_import.write_catalog(fr, "fr", tmp_path)
    found = cat.Catalogs(tmp_path)
    assert found.locales == ("zh-CN", "en", "fr")
    shop = found.texts("shop.texts")
    assert shop["fr"]["nav.cart"] == "Panier" and shop["fr"]["nav.orders"] == shop["en"]["nav.orders"]
    assert cat.fallbacks("fr") == ("fr", "en") and cat.fallbacks("zh-TW") == ("zh-TW", "zh-CN", "en")


def test_jinja_i18n_callables_answer_in_the_page_language():
    template = env.from_string('{{ pgettext("language:self", "English") }}|{% trans %}English{% endtrans %}|'
                               '{{ _("Hi %(name)s", name="<b>") }}|{% trans n=2 %}{{ n }} item{% pluralize %}'
                               '{{ n }} items{% endtrans %}')
    assert template.render(**gettext_callables("zh-CN")) == "中文|English|Hi &lt;b&gt;|2 items"
    assert template.render(**gettext_callables("zh-TW")).startswith("繁體中文|")
    assert template.render(**gettext_callables("en")).startswith("English|")
    assert isinstance(env, jinja2.Environment) and "jinja2.ext.InternationalizationExtension" in env.extensions


def test_pybabel_extract_and_update_keep_every_translation(tmp_path):
    """A translator's round trip: extract the template (keyed messages included), update every language."""
    pybabel = [sys.executable, "-m", "babel.messages.frontend"]
    pot = tmp_path / "messages.pot"
    subprocess.run([*pybabel, "-q", "extract", "-F", "babel.cfg", "-o", str(pot), "--no-location", "src/o2o"], cwd=ROOT,
                   check=True, capture_output=True)
    copy = tmp_path / "locale"
    shutil.copytree(cat.LOCALE_DIR, copy)
    subprocess.run([*pybabel, "-q", "update", "-i", str(pot), "-d", str(copy), "-D", "messages"], cwd=ROOT,
                   check=True, capture_output=True)
    before, after = cat.Catalogs(cat.LOCALE_DIR), cat.Catalogs(copy)
    assert after.keyed == before.keyed and after.plain == before.plain
    assert len(after.keyed["en"]) > 20  # every domain survived


def test_the_converter_moves_a_dict_module_and_is_rerunnable(tmp_path):
    for loc in ("en", "zh_CN", "zh_TW"):
        shutil.copytree(cat.LOCALE_DIR / loc, tmp_path / "locale" / loc)
    module = tmp_path / "demo_texts.py"
    module.write_text(textwrap.dedent('''\
        """Demo texts."""

        from __future__ import annotations

        from o2o.web.templating import Texts

        TEXTS: Texts = {
            "en": {"demo.hello": "Hello {name}", "demo.bye": "Bye"},
            "zh-CN": {"demo.hello": "你好 {name}", "demo.bye": "再见"},
        }
        '''))
    root = tmp_path / "locale"
    tables = i18n_import.convert(module, root)
    assert [t.domain for t in tables] == ["demo_texts"]
    assert 'TEXTS: Texts = catalog_texts("demo_texts")' in module.read_text()
    assert "你好" not in module.read_text()
    found = cat.Catalogs(root)
    assert found.texts("demo_texts")["zh-CN"] == {"demo.hello": "你好 {name}", "demo.bye": "再见"}
    assert found.texts("demo_texts")["zh-TW"]["demo.bye"] == "再见"  # untranslated in zh_TW: falls back
    tw = {m.context: m for m in _read("zh-TW", root)}
    assert tw["demo_texts:demo.hello"].string == "" and "python-brace-format" in tw["demo_texts:demo.hello"].flags
    assert i18n_import.convert(module, root) == []  # nothing left to move


def test_the_converter_takes_the_other_shapes_of_texts_modules(tmp_path):
    """EN/ZH pairs (and the pair's table) and kernel-style MESSAGES ({key: {locale: text}})."""
    for loc in ("en", "zh_CN"):
        shutil.copytree(cat.LOCALE_DIR / loc, tmp_path / "locale" / loc)
    root = tmp_path / "locale"
    pair = tmp_path / "pair_texts.py"
    pair.write_text(textwrap.dedent('''\
        from __future__ import annotations

        EN = {"p.a": "Apple {n}"}

        ZH = {"p.a": "苹果 {n}"}

        TEXTS = {"en": EN, "zh-CN": ZH}
        '''))
    messages = tmp_path / "msgs.py"
    messages.write_text(textwrap.dedent('''\
        from __future__ import annotations

        MESSAGES = {"m.x": {"en": "X", "zh-CN": "叉"}}
        '''))
    i18n_import.convert(pair, root)
    i18n_import.convert(messages, root)
    assert "EN =" not in pair.read_text() and 'TEXTS = catalog_texts("pair_texts")' in pair.read_text()
    assert 'MESSAGES = catalog_messages("msgs.messages")' in messages.read_text()
    found = cat.Catalogs(root)
    assert found.texts("pair_texts")["zh-CN"] == {"p.a": "苹果 {n}"} and found.texts("pair_texts")["en"] == {"p.a": "Apple {n}"}
    assert found.texts("msgs.messages")["zh-CN"] == {"m.x": "叉"}

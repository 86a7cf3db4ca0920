"""Move a module's texts from Python dicts into the gettext catalogs (re-runnable).

    python -m o2o.web.i18n_import o2o.pos.texts            # one module (dotted name or path)
    python -m o2o.web.i18n_import --all                    # every module of src/o2o still holding dicts
    python -m o2o.web.i18n_import --all --check            # list them, change nothing (exit 1 if any)

A table is a module-level assignment of a dict literal in one of the shapes the texts modules use:

- `TEXTS: Texts = {"en": {...}, "zh-CN": {...}}`          -> `TEXTS: Texts = catalog_texts("<domain>")`
- `EN = {...}`, `ZH = {...}` with `TEXTS = {"en": EN, "zh-CN": ZH}` -> `TEXTS = catalog_texts("<domain>")`
  (when EN/ZH are used elsewhere too: `EN = catalog_texts("<domain>")["en"]`)
- `MESSAGES = {"key": {"en": ..., "zh-CN": ...}}`           -> `MESSAGES = catalog_messages("<domain>")`

Each text becomes a catalog entry `msgctxt "<domain>:<key>"`, `msgid` its English, `msgstr` the
language's text, in every catalog under src/o2o/web/locale (languages other than en and zh_CN get the
entry untranslated, as `pybabel update` would add it). The domain is the module's name without `o2o.`
(plus the variable's name when it is not TEXTS/EN/ZH). The module's source is rewritten in place and read
back through the catalogs: the tool stops, changing nothing, if any text would differ.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import PYTHON_FORMAT, Catalog
from babel.messages.pofile import read_po, write_po

from o2o.kernel import catalogs as cat

SRC = Path(__file__).resolve().parents[1]  # src/o2o
LOCALES_IN_DICTS = ("en", "zh-CN")
FLAT_NAMES = {"EN": "en", "ZH": "zh-CN"}
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


@dataclass
class Table:
    name: str  # the variable
    kind: str  # "locales" | "by_key" | "flat"
    node: ast.stmt
    texts: dict[str, dict[str, str]]  # locale -> key -> text
    annotation: str | None
    domain: str = ""
    replacement: list[str] = field(default_factory=list)


def module_path(target: str) -> Path:
    path = Path(target)
    if path.suffix == ".py" and path.exists():
        return path.resolve()
    spec = importlib.util.find_spec(target)
    if spec is None or spec.origin is None:
        raise SystemExit(f"no module {target}")
    return Path(spec.origin).resolve()


def module_name(path: Path) -> str:
    try:
        rel = path.resolve().relative_to(SRC.parent).with_suffix("")
    except ValueError:  # a file outside the package: its own name
        return path.stem
    return ".".join(rel.parts)


def _literal_str_dict(node: ast.AST) -> dict[str, str] | None:
    if not isinstance(node, ast.Dict) or any(k is None for k in node.keys):
        return None
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return None
    if all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return value
    return None


def _is_locale_key(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in LOCALES_IN_DICTS


def _target(stmt: ast.stmt) -> tuple[str, ast.AST, str | None] | None:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id, stmt.value, None
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
        return stmt.target.id, stmt.value, ast.unparse(stmt.annotation)
    return None


def find_tables(tree: ast.Module) -> list[Table]:
    tables: list[Table] = []
    for stmt in tree.body:
        found = _target(stmt)
        if found is None:
            continue
        name, value, annotation = found
        if not isinstance(value, ast.Dict) or not value.keys or any(k is None for k in value.keys):
            continue
        if all(_is_locale_key(k) for k in value.keys):
            inner = [_literal_str_dict(v) for v in value.values]
            if all(d is not None for d in inner):
                texts = {k.value: d for k, d in zip(value.keys, inner, strict=True)}  # type: ignore[union-attr]
                tables.append(Table(name, "locales", stmt, texts, annotation))
            continue
        if all(isinstance(v, ast.Dict) and v.keys and all(_is_locale_key(k) for k in v.keys)
               for v in value.values):
            by_key = {}
            try:
                by_key = ast.literal_eval(value)
            except ValueError:
                continue
            texts: dict[str, dict[str, str]] = {}
            for key, per_locale in by_key.items():
                for locale, text in per_locale.items():
                    texts.setdefault(locale, {})[key] = text
            tables.append(Table(name, "by_key", stmt, texts, annotation))
            continue
        flat = _literal_str_dict(value)
        if flat is not None and name in FLAT_NAMES:
            tables.append(Table(name, "flat", stmt, {FLAT_NAMES[name]: flat}, annotation))
    return tables


def _pair_dict(tree: ast.Module, names: set[str]) -> ast.stmt | None:
    """The statement `X = {"en": EN, "zh-CN": ZH}` naming exactly the flat tables, if any."""
    for stmt in tree.body:
        found = _target(stmt)
        if found is None or not isinstance(found[1], ast.Dict):
            continue
        value = found[1]
        if (all(_is_locale_key(k) for k in value.keys) and all(isinstance(v, ast.Name) for v in value.values)
                and {v.id for v in value.values} == names):  # type: ignore[union-attr]
            return stmt
    return None


def _loads(tree: ast.Module, name: str) -> int:
    return sum(1 for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load))


def plan(path: Path) -> tuple[str, list[Table], list[tuple[int, int, list[str]]], set[str]]:
    """The module's tables and the source edits: (first line, last line, new lines), and the imports."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    tables = find_tables(tree)
    base = module_name(path).removeprefix("o2o.")
    edits: list[tuple[int, int, list[str]]] = []
    imports: set[str] = set()
    flat = [t for t in tables if t.kind == "flat"]
    for table in tables:
        table.domain = base if table.name in ("TEXTS", *FLAT_NAMES) else f"{base}.{table.name.lower()}"
    ann = lambda t: f": {t.annotation}" if t.annotation else ""  # noqa: E731
    for table in tables:
        if table.kind == "locales":
            edits.append((table.node.lineno, table.node.end_lineno or table.node.lineno,
                          [f'{table.name}{ann(table)} = catalog_texts("{table.domain}")']))
            imports.add("catalog_texts")
        elif table.kind == "by_key":
            edits.append((table.node.lineno, table.node.end_lineno or table.node.lineno,
                          [f'{table.name}{ann(table)} = catalog_messages("{table.domain}")']))
            imports.add("catalog_messages")
    if flat:
        imports.add("catalog_texts")
        names = {t.name for t in flat}
        pair = _pair_dict(tree, names)
        if pair is not None and all(_loads(tree, n) == 1 for n in names):
            for table in flat:  # EN and ZH go; the pair becomes the catalog's table
                edits.append((table.node.lineno, table.node.end_lineno or table.node.lineno, []))
            name, _, annotation = _target(pair)  # type: ignore[misc]
            edits.append((pair.lineno, pair.end_lineno or pair.lineno,
                          [f'{name}{": " + annotation if annotation else ""} = catalog_texts("{flat[0].domain}")']))
        else:
            for table in flat:
                edits.append((table.node.lineno, table.node.end_lineno or table.node.lineno,
                              [f'{table.name}{ann(table)} = catalog_texts("{table.domain}")'
                               f'["{FLAT_NAMES[table.name]}"]']))
    return source, tables, sorted(edits), imports


def rewrite(source: str, edits: list[tuple[int, int, list[str]]], imports: set[str]) -> str:
    lines = source.splitlines()
    for first, last, new in sorted(edits, reverse=True):
        lines[first - 1:last] = new
    tree = ast.parse("\n".join(lines) + "\n")
    last_import = max((n.end_lineno or n.lineno for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)),
                      default=0)
    existing = {a.name for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "o2o.kernel.catalogs"
                for a in n.names}
    missing = sorted(imports - existing)
    if missing:
        lines.insert(last_import, f"from o2o.kernel.catalogs import {', '.join(missing)}")
    text = "\n".join(lines) + "\n"
    return re.sub(r"\n{4,}", "\n\n\n", text)


def _flags(msgid: str) -> list[str]:
    return ["python-brace-format"] if PLACEHOLDER.search(msgid) else []


PERCENT_NOTE = "The % of this text is written ％ in the msgid, so that gettext does not take it for a %-format."


def msgid_of(english: str) -> tuple[str, list[str]]:
    """The msgid of an English text, and its comments: a "%" that gettext would read as a Python %-format
    ("12% off" reads as "% o") is written "％" in the msgid (the en catalog's msgstr keeps the "%"), so
    Babel does not flag the message python-format and msgfmt --check / Poedit do not refuse its
    translations."""
    if PYTHON_FORMAT.search(english):
        return english.replace("%", "％"), [PERCENT_NOTE]
    return english, []


def read_catalog(locale: str, root: Path) -> Catalog:
    path = cat.po_path(locale, root)
    if path.exists():
        with path.open("rb") as fh:
            return read_po(fh, locale=cat.directory_of(locale))
    catalog = Catalog(locale=cat.directory_of(locale), project="o2o", version="0.1", domain=cat.DOMAIN,
                      charset="utf-8", fuzzy=False)
    return catalog


def write_catalog(catalog: Catalog, locale: str, root: Path) -> None:
    path = cat.po_path(locale, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, sort_output=False, width=76)
    path.write_bytes(buffer.getvalue())


def add_to_catalogs(tables: list[Table], root: Path) -> None:
    locales = sorted(set(cat.available_locales(root)) | set(LOCALES_IN_DICTS))
    catalogs = {locale: read_catalog(locale, root) for locale in locales}
    by_context = {locale: {m.context: m for m in c if m.id and m.context} for locale, c in catalogs.items()}
    for table in tables:
        keys = list(dict.fromkeys(k for texts in table.texts.values() for k in texts))
        for key in keys:
            context = f"{table.domain}{cat.SEPARATOR}{key}"
            english = table.texts.get("en", {}).get(key)
            msgid, comments = msgid_of(english if english is not None else table.texts.get("zh-CN", {}).get(key, key))
            for locale, catalog in catalogs.items():
                old = by_context[locale].get(context)
                if locale in table.texts:
                    string = table.texts[locale].get(key, "")
                    flags = _flags(msgid)
                elif old is not None:  # a translation kept; marked fuzzy if its English changed
                    string = old.string
                    flags = _flags(msgid) + (["fuzzy"] if old.id != msgid else [])
                else:
                    string, flags = "", _flags(msgid)
                if old is not None:
                    catalog.delete(old.id, context=old.context)
                catalog.add(msgid, string, context=context, flags=flags, auto_comments=comments)
    for locale, catalog in catalogs.items():
        write_catalog(catalog, locale, root)


def _ruff_imports(path: Path) -> None:
    ruff = Path(sys.executable).with_name("ruff")
    if ruff.exists():  # the imports sorted as the project's lint wants them; optional
        subprocess.run([str(ruff), "check", "--quiet", "--select", "I,F401", "--fix", str(path)], check=False,
                       capture_output=True, cwd=SRC.parent.parent)


def convert(path: Path, root: Path = cat.LOCALE_DIR, check: bool = False) -> list[Table]:
    source, tables, edits, imports = plan(path)
    if not tables or check:
        return tables
    before = {p: p.read_bytes() if p.exists() else None
              for p in (cat.po_path(locale, root) for locale in {*cat.available_locales(root), *LOCALES_IN_DICTS})}
    flat = [t for t in tables if t.kind == "flat"]
    entries = [t for t in tables if t.kind != "flat"]
    if flat:  # EN and ZH are one table's two languages
        entries.append(Table("+".join(t.name for t in flat), "flat", flat[0].node,
                             {locale: texts for t in flat for locale, texts in t.texts.items()}, None,
                             flat[0].domain))
    add_to_catalogs(entries, root)
    read_back = cat.Catalogs(root)
    for table in entries:
        for locale in LOCALES_IN_DICTS:
            want = table.texts.get(locale, {})
            got = read_back.texts(table.domain).get(locale, {})
            wrong = [k for k, text in want.items() if got.get(k) != text]
            if wrong and any(want[k] for k in wrong):
                for p, data in before.items():  # put the catalogs back as they were
                    if data is None:
                        p.unlink(missing_ok=True)
                    else:
                        p.write_bytes(data)
                raise SystemExit(f"{path}: {table.name} [{locale}] would change: {wrong[:5]}")
    path.write_text(rewrite(source, edits, imports), encoding="utf-8")
    _ruff_imports(path)
    return tables


def remaining(root: Path = SRC) -> Iterator[Path]:
    """Modules of the package that still hold texts as dicts."""
    for path in sorted(root.rglob("*.py")):
        if path.name == "i18n_import.py":
            continue
        text = path.read_text(encoding="utf-8")
        if '"zh-CN"' not in text:
            continue
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        if find_tables(tree):
            yield path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m o2o.web.i18n_import", description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="dotted module names or paths")
    parser.add_argument("--all", action="store_true", help="every module of src/o2o that still holds dicts")
    parser.add_argument("--check", action="store_true", help="only list what would move; exit 1 if anything")
    args = parser.parse_args(argv)
    paths = [module_path(m) for m in args.modules]
    if args.all:
        paths += [p for p in remaining() if p not in paths]
    count = 0
    for path in paths:
        tables = convert(path, check=args.check)
        for table in tables:
            n = len({k for texts in table.texts.values() for k in texts})
            count += 1
            verb = "would move" if args.check else "moved"
            print(f"{verb} {module_name(path)}.{table.name}: {n} keys -> msgctxt \"{table.domain}:...\"")
    if args.check and count:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The translation catalogues: extract the bokmål texts, update the ``.po`` files, list what is missing.

    python -m bot.texts.catalogue update   # after adding or changing texts: .pot and .po files
    python -m bot.texts.catalogue check    # what lacks a translation; non-zero exit when out of date
    python -m bot.texts.catalogue check --strict   # ... or when anything at all is untranslated

The message ids are the bokmål texts: every module-level text constant in ``bot/texts/`` (what
``texts.NAME`` translates) and every ``gettext``/``ngettext``/``tr``/``tr_plural`` call with literal
strings in ``bot/`` and ``handlers/`` (Babel's extractor). Babel's ``Catalog.update`` keeps the
translations and marks a changed text fuzzy (shown in bokmål until someone checks it).
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib
import pkgutil
import re
import string
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.texts.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, SOURCE

ROOT = Path(__file__).resolve().parents[2]
TEXTS_DIR = Path(__file__).resolve().parent
KEYWORDS = {"gettext": None, "_": None, "tr": None, "ngettext": (1, 2), "tr_plural": (1, 2)}
CODE_DIRS = ("bot", "handlers")
SKIP_MODULES = {"i18n", "catalogue"}
# Modules whose every text must have a checked nynorsk and English translation (the test says so).
# All of them today; after a merge brings new texts, `update`, then translate what `check` lists.
COMPLETE_MODULES: tuple[str, ...] = (
    "applications",
    "calendar",
    "closed",
    "common",
    "coordinators",
    "deploy",
    "fetching",
    "format",
    "language",
    "members",
    "network",
    "pushes",
    "sources",
    "sources_admin",
    "sources_push",
    "truth",
    "web",
)
WIDTH = 100
# A fixed date in the headers: the files change only when the texts do (fewer merge conflicts).
STAMP = datetime(2026, 1, 1, tzinfo=UTC)
_LETTER = re.compile(r"[^\W\d_]")
_TAG = re.compile(r"</?([a-zA-Z]+)")

MessageId = str | tuple[str, str]


@dataclass
class Entry:
    msgid: MessageId
    locations: list[tuple[str, int]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    modules: set[str] = field(default_factory=set)


def has_words(text: str) -> bool:
    """A text worth translating: letters outside its placeholders."""
    return bool(_LETTER.search(re.sub(r"<[^>]*>", "", re.sub(r"\{[^{}]*\}", "", text))))


def _assigned(path: Path) -> dict[str, int]:
    """Names assigned at module level in a source file, with their line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines: dict[str, int] = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                lines.setdefault(target.id, node.lineno)
    return lines


def text_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(TEXTS_DIR)]) if m.name not in SKIP_MODULES)


def constants() -> list[Entry]:
    """Every translatable text constant of ``bot/texts/``, in file order."""
    import bot.texts

    found: dict[MessageId, Entry] = {}
    for name in text_modules():
        module = importlib.import_module(f"bot.texts.{name}")
        path = TEXTS_DIR / f"{name}.py"
        lines = _assigned(path)
        values = vars(module)
        for const, line in sorted(lines.items(), key=lambda item: item[1]):
            value = values.get(const)
            if not bot.texts.translatable(const, value) or not has_words(str(value)):
                continue
            entry = found.setdefault(str(value), Entry(str(value)))
            entry.modules.add(name)
            entry.locations.append((path.relative_to(ROOT).as_posix(), line))
            entry.names.append(const)
    return list(found.values())


def calls() -> list[Entry]:
    """Texts in ``gettext``/``ngettext`` calls (Babel's Python extractor)."""
    found: list[Entry] = []
    for directory in CODE_DIRS:
        for filename, line, message, _comments, _context in extract_from_dir(
            ROOT / directory, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            if filename.endswith("catalogue.py"):
                continue
            msgid: MessageId = message if isinstance(message, str) else (message[0], message[1])
            module = Path(filename).stem if directory == "bot" and filename.startswith("texts/") else ""
            found.append(Entry(msgid, [(f"{directory}/{filename}", line)], modules={module}))
    return found


def template() -> Catalog:
    """The message ids as a Babel catalogue (the ``.pot``)."""
    catalog = Catalog(
        project="foui-bot", locale=None, domain=DOMAIN, fuzzy=False, creation_date=STAMP, revision_date=STAMP
    )
    for entry in [*constants(), *calls()]:
        key = entry.msgid if isinstance(entry.msgid, str) else entry.msgid[0]
        existing = catalog.get(key)
        if existing is not None:
            existing.locations = [*existing.locations, *entry.locations]
            existing.auto_comments = [*existing.auto_comments, *entry.names]
            continue
        catalog[key] = Message(entry.msgid, locations=entry.locations, auto_comments=entry.names)
    return catalog


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(language: str) -> Catalog:
    path = po_path(language)
    if not path.is_file():
        return Catalog(
            locale=language,
            domain=DOMAIN,
            project="foui-bot",
            fuzzy=False,
            creation_date=STAMP,
            revision_date=STAMP,
        )
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def save(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(
            handle, catalog, width=WIDTH, ignore_obsolete=True, include_previous=False, include_lineno=False
        )


def update() -> Catalog:
    """Write the ``.pot`` and bring each language's ``.po`` up to date; bokmål translates itself."""
    pot = template()
    save(pot, LOCALE_DIR / f"{DOMAIN}.pot")
    for language in LANGUAGES:
        catalog = load(language)
        catalog.update(copy.deepcopy(pot), update_header_comment=False, update_creation_date=False)
        if language == SOURCE:
            for message in catalog:
                if message.id:
                    message.string = message.id
                    message.flags.discard("fuzzy")
        save(catalog, po_path(language))
    return pot


def fields(text: str) -> list[str]:
    """The placeholders of a text ("{count}", "{hour:02d}" → "hour:02d") and its HTML tags."""
    names = sorted(
        f"{name}:{spec}" for _lit, name, spec, _conv in string.Formatter().parse(text) if name is not None
    )
    return names + sorted(f"<{tag}>" for tag in _TAG.findall(text))


def _strings(message: Message) -> list[tuple[str, str]]:
    """(msgid, translation) pairs of a message; a plural compares each form with its plural id."""
    if isinstance(message.id, str):
        return [(message.id, str(message.string or ""))]
    forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return [(message.id[0 if i == 0 else 1], str(form or "")) for i, form in enumerate(forms)]


@dataclass
class Report:
    out_of_date: dict[str, list[str]] = field(default_factory=dict)  # language → msgids missing
    untranslated: dict[str, list[str]] = field(default_factory=dict)
    mismatched: dict[str, list[str]] = field(default_factory=dict)
    incomplete: dict[str, list[str]] = field(default_factory=dict)  # of COMPLETE_MODULES

    def ok(self, *, strict: bool = False) -> bool:
        bad = [self.out_of_date, self.mismatched, self.incomplete]
        if strict:
            bad.append(self.untranslated)
        return not any(any(v for v in d.values()) for d in bad)


def check(languages: Iterable[str] = LANGUAGES) -> Report:
    """Compare the catalogues with the texts: missing ids, missing translations, placeholders."""
    entries = [*constants(), *calls()]
    complete = {
        e.msgid if isinstance(e.msgid, str) else e.msgid[0]
        for e in entries
        if e.modules & set(COMPLETE_MODULES)
    }
    wanted = {e.msgid if isinstance(e.msgid, str) else e.msgid[0] for e in entries}
    report = Report()
    for language in languages:
        catalog = load(language)
        have = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
        report.out_of_date[language] = sorted(wanted - set(have))
        untranslated, mismatched = [], []
        for key, message in have.items():
            if key not in wanted:
                continue
            pairs = _strings(message)
            if "fuzzy" in message.flags or any(not text for _id, text in pairs):
                untranslated.append(key)
                continue
            if any(fields(source) != fields(text) for source, text in pairs):
                mismatched.append(key)
        report.untranslated[language] = untranslated
        report.mismatched[language] = mismatched
        report.incomplete[language] = [k for k in untranslated if k in complete] + sorted(
            k for k in report.out_of_date[language] if k in complete
        )
    return report


def _print(report: Report) -> None:
    for language in report.untranslated:
        missing = report.untranslated[language]
        print(
            f"{language}: {len(missing)} uten oversettelse, {len(report.mismatched[language])} med feil plassholdere"
        )
        for title, items in (
            ("mangler i katalogen (kjør update)", report.out_of_date[language]),
            ("feil plassholdere eller HTML", report.mismatched[language]),
            ("mangler i en ferdig modul", report.incomplete[language]),
            ("uten oversettelse", missing),
        ):
            for msgid in items:
                print(f"  [{title}] {msgid[:90]!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.texts.catalogue", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["update", "check"])
    parser.add_argument("--strict", action="store_true", help="check: every text must be translated")
    args = parser.parse_args(argv)
    if args.command == "update":
        pot = update()
        print(f"{len(pot)} tekster i {LOCALE_DIR.relative_to(ROOT)}/{DOMAIN}.pot")
    report = check()
    _print(report)
    return 0 if args.command == "update" or report.ok(strict=args.strict) else 1


if __name__ == "__main__":
    sys.exit(main())

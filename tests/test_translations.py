"""The .po files are the one source of translations: every string in the code and templates is in
each catalogue, translated, not fuzzy, and with the same placeholders as its msgid. The strings of
third-party apps that ship no Finnish or Swedish (django-celery-beat) are in locale_third_party/,
checked the same way against the installed app's sources."""

from __future__ import annotations

import importlib
import re
import shutil
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)
SKIPPED_DIRS = {"locale", "tests", "static", "docs", "scripts", "media", "node_modules"}
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]
# %(name)s, %s and %d (python-format); {name} (str.format, as in some email texts); %% is literal.
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdif]|%[sdif]|\{[A-Za-z_][A-Za-z0-9_]*\}")


# Installed apps whose strings are translated in locale_third_party/ (they ship no fi or sv).
THIRD_PARTY_APPS = ["django_celery_beat"]
CATALOGUES = ["locale", "locale_third_party"]


def catalogue(code: str, directory: str = "locale") -> polib.POFile:
    return polib.pofile(str(ROOT / directory / code / "LC_MESSAGES" / "django.po"))


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


def test_every_catalogue_is_on_the_locale_paths():
    assert [Path(p) for p in settings.LOCALE_PATHS] == [ROOT / d for d in CATALOGUES]


@pytest.mark.parametrize("directory", CATALOGUES)
@pytest.mark.parametrize("code", TRANSLATED)
def test_every_entry_is_translated_and_not_fuzzy(code, directory):
    po = catalogue(code, directory)
    missing = [e.msgid for e in po.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in po.fuzzy_entries() if not e.obsolete]
    assert not missing, f"{code}: {len(missing)} untranslated, e.g. {missing[:5]}"
    assert not fuzzy, f"{code}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_placeholders(code):
    wrong = []
    for entry in catalogue(code):
        if entry.obsolete or not entry.translated():
            continue
        if entry.msgid_plural:
            want = placeholders(entry.msgid_plural) | placeholders(entry.msgid)
            for form in entry.msgstr_plural.values():
                # A plural form may drop the count (Finnish "yksi" for 1) but adds nothing new.
                if not placeholders(form) <= want:
                    wrong.append((entry.msgid, form))
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            wrong.append((entry.msgid, entry.msgstr))
    assert not wrong, f"{code}: placeholders differ: {wrong[:5]}"


def test_every_string_in_the_sources_is_in_the_catalogues(tmp_path, settings, monkeypatch):
    """`makemessages` run on a scratch copy of the sources finds no msgid the catalogues lack."""
    assert shutil.which("xgettext"), "GNU gettext is needed: apt-get install gettext"
    skipped = shutil.ignore_patterns(".*", "__pycache__", "node_modules", "media", "*.mo", "*.png")
    for item in ROOT.iterdir():
        if item.is_dir() and item.name not in SKIPPED_DIRS and not item.name.startswith("."):
            shutil.copytree(item, tmp_path / item.name, ignore=skipped)
    # makemessages writes into the catalogue beside the files, so it runs where there is none.
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["fi"], no_obsolete=True, verbosity=0)
    scanned = polib.pofile(str(tmp_path / "locale" / "fi" / "LC_MESSAGES" / "django.po"))
    fresh = {(e.msgctxt, e.msgid) for e in scanned}
    for code in TRANSLATED:
        known = {(e.msgctxt, e.msgid) for e in catalogue(code) if not e.obsolete}
        absent = sorted(m for _c, m in fresh - known)
        assert not absent, f"{code}: {len(absent)} strings not in the .po, e.g. {absent[:5]}"


# Third-party strings use str.format's {0} and {} too. A positional one may be left out where
# English builds a plural from it (celery-beat's "{0} task{1} {2} successfully run"); nothing
# may be added, and every named one (and %s) is kept.
THIRD_PARTY_PLACEHOLDER = re.compile(PLACEHOLDER.pattern + r"|\{[0-9]*\}")


def _third_party_placeholders(text: str) -> Counter[str]:
    return Counter(THIRD_PARTY_PLACEHOLDER.findall(text.replace("%%", "")))


def _positional(name: str) -> bool:
    return bool(re.fullmatch(r"\{[0-9]*\}", name))


@pytest.mark.parametrize("code", TRANSLATED)
def test_third_party_translations_keep_the_placeholders(code):
    wrong = []
    for entry in catalogue(code, "locale_third_party"):
        want = _third_party_placeholders(entry.msgid) | _third_party_placeholders(
            entry.msgid_plural or ""
        )
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for form in forms:
            have = _third_party_placeholders(form)
            kept = all(have[p] >= n for p, n in want.items() if not _positional(p))
            if not have <= want or not kept:
                wrong.append((entry.msgid, form))
    assert not wrong, f"{code}: placeholders differ: {wrong[:5]}"


def test_every_string_of_the_third_party_apps_is_translated(tmp_path, settings, monkeypatch):
    """`makemessages` run on a copy of each app's installed sources finds no msgid that
    locale_third_party/ lacks (a new version's strings show up here)."""
    assert shutil.which("xgettext"), "GNU gettext is needed: apt-get install gettext"
    skipped = shutil.ignore_patterns("locale", "migrations", "__pycache__", "*.mo", "*.po")
    for name in THIRD_PARTY_APPS:
        source = Path(importlib.import_module(name).__file__).parent
        shutil.copytree(source, tmp_path / name, ignore=skipped)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["fi"], no_obsolete=True, verbosity=0)
    scanned = polib.pofile(str(tmp_path / "locale" / "fi" / "LC_MESSAGES" / "django.po"))
    fresh = {(e.msgctxt, e.msgid) for e in scanned if e.msgid}
    assert len(fresh) > 100  # the admin's menu, models, fields, help texts and actions
    for code in TRANSLATED:
        known = {(e.msgctxt, e.msgid) for e in catalogue(code, "locale_third_party")}
        absent = sorted(m for _c, m in fresh - known)
        assert not absent, f"{code}: {len(absent)} strings not in the .po, e.g. {absent[:5]}"

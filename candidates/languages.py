"""Languages and CEFR levels, shared by candidates, service profiles and requests."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    FINNISH = "fi", _("Finnish")
    SWEDISH = "sv", _("Swedish")
    ENGLISH = "en", _("English")
    RUSSIAN = "ru", _("Russian")
    ESTONIAN = "et", _("Estonian")
    GERMAN = "de", _("German")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    ARABIC = "ar", _("Arabic")
    SOMALI = "so", _("Somali")
    UKRAINIAN = "uk", _("Ukrainian")
    CHINESE = "zh", _("Chinese")
    NORWEGIAN = "no", _("Norwegian")
    JAPANESE = "ja", _("Japanese")


class CEFRLevel(models.IntegerChoices):
    """Common European Framework levels, stored as 1–6 so that "at least B2" is `level >= 4`."""

    A1 = 1, "A1"
    A2 = 2, "A2"
    B1 = 3, "B1"
    B2 = 4, "B2"
    C1 = 5, "C1"
    C2 = 6, "C2"


CEFR_DESCRIPTIONS = {
    CEFRLevel.A1: _("Understands and uses familiar everyday expressions and very basic phrases."),
    CEFRLevel.A2: _(
        "Handles simple, routine tasks: greets, answers simple questions, gives prices."
    ),
    CEFRLevel.B1: _("Deals with most situations at work; explains products simply; some effort."),
    CEFRLevel.B2: _("Serves customers fluently, explains and negotiates; few misunderstandings."),
    CEFRLevel.C1: _("Fluent and precise, also on the phone and with upset customers."),
    CEFRLevel.C2: _("Effortless, nuanced command, equal to a highly educated native user."),
}

LANGUAGE_INDEX = {code: i for i, code in enumerate(Language.values)}

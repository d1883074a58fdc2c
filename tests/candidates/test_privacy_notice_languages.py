"""The privacy notice reads whole in Swedish and Finnish, where a person gives consent (sign-up)
and where they review it (their privacy page): no paragraph falls back to English."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests import factories as f

pytestmark = pytest.mark.django_db

# The notice's headings and the first words of each paragraph (the paragraphs are long msgids).
HEADINGS = [
    "Privacy notice",
    "Who sees what.",
    "Automatic matching.",
    "People decide.",
    "Retention.",
]
PARAGRAPHS = [
    "Agency recruiters see",
    "When you consent to matching",
    "A recruiter approves",
    "If you",
]


def _notice_msgids() -> list[str]:
    from django.template.loader import get_template

    source = get_template("candidates/_privacy_notice.html").template.source
    found = [m for m in HEADINGS if f'"{m}"' in source]
    for start in PARAGRAPHS:
        begin = source.index(f'"{start}')
        found.append(source[begin + 1 : source.index('" %}', begin)])
    return found


@pytest.mark.parametrize("code", ["sv", "fi"])
def test_the_privacy_notice_is_whole_in_the_language(client, code):
    msgids = _notice_msgids()
    assert len(msgids) == len(HEADINGS) + len(PARAGRAPHS)
    with translation.override(code):
        expected = [gettext(m) for m in msgids]
    assert all(t != m for t, m in zip(expected, msgids, strict=True))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    signup = html.unescape(client.get(reverse("account_signup")).content.decode())
    client.force_login(f.CandidateUserFactory())
    privacy = html.unescape(client.get(reverse("candidate_privacy")).content.decode())
    for page in (signup, privacy):
        for text, msgid in zip(expected, msgids, strict=True):
            assert text in page and msgid not in page, msgid

"""Phone numbers in one spelling (E.164), so that the same number is found however written."""

from __future__ import annotations

import phonenumbers

PHONE_REGION = "FI"


def phone_e164(raw: str) -> str | None:
    """The number in E.164 (+358401234567), read as Finnish unless it says otherwise; None
    when it is not a valid phone number."""
    try:
        number = phonenumbers.parse(raw, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

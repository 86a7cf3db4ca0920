"""Coupon codes: random, unguessable, never sequential.

14 characters from a 30-letter alphabet without the look-alikes (0/O, 1/I/L, U/V): log2(30) x 14 = 68.7
bits from `secrets`. Shown in groups of four (`K7QM-3XRA-9HTP-WD`); typed input is normalised (case,
spaces and dashes do not matter) and a string that cannot be a code is refused before any look-up.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # 30 letters: no 0 O 1 I L U
LENGTH = 14
BITS = 68  # floor(LENGTH * log2(len(ALPHABET)))
_VALID = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")
_JUNK = re.compile(r"[\s\-]")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str | None:
    """The code a clerk typed or a scanner read, or None when it cannot be one."""
    code = _JUNK.sub("", typed or "").upper()
    return code if _VALID.match(code) else None


def display(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))

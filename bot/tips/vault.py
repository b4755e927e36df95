"""Encryption of tips at rest and keyed hashes of reporters, from `REPORT_ENCRYPTION_KEY`.

- Contents are sealed with Fernet (AES-128-CBC + HMAC-SHA256, authenticated: a changed byte
  makes decryption fail rather than return garbage).
- A Fernet token carries the time it was made, in clear. Every value is sealed as if at the
  epoch, so no sealed value tells when it was written (dates are stored, to the day, apart).
- Reporters are never stored by Telegram id. Two keyed hashes (HMAC-SHA256 under a key derived
  from the report key with HKDF, so the Fernet key itself is never reused) stand in for them:
  `user_ref(id)` is stable (ban list, the draft in progress), `day_ref(id, day)` changes every
  day (daily tip counting), so two tips can never be linked across days, and without the key
  neither can be turned back into a user id.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import json
from datetime import date
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEALED_AT = 0  # the time written into every Fernet token (see the module docstring)
KEYGEN_HINT = "make one with `python bot.py reports keygen` and put it in REPORT_ENCRYPTION_KEY"


class ReportKeyError(ValueError):
    """REPORT_ENCRYPTION_KEY is missing or malformed; the message says which and what to do."""


class SealError(ValueError):
    """A stored value could not be decrypted (wrong key, or the bytes were changed)."""


def generate_key() -> str:
    """A fresh random key for REPORT_ENCRYPTION_KEY (url-safe base64 of 32 bytes)."""
    return Fernet.generate_key().decode("ascii")


class Vault:
    """Seals and opens report contents; turns user ids into keyed, irreversible references."""

    def __init__(self, key: str) -> None:
        key = (key or "").strip()
        if not key:
            raise ReportKeyError(f"REPORT_ENCRYPTION_KEY is not set: {KEYGEN_HINT}")
        try:
            self._fernet = Fernet(key.encode("ascii"))
        except (ValueError, binascii.Error, UnicodeEncodeError) as exc:
            raise ReportKeyError(
                f"REPORT_ENCRYPTION_KEY is malformed (it must be 32 bytes in url-safe base64, "
                f"44 characters): {KEYGEN_HINT}"
            ) from exc
        self._hash_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"netralitas/reporter-ref/v1"
        ).derive(key.encode("ascii"))

    def seal(self, value: Any) -> str:
        """Encrypt a JSON-serialisable value; returns the token as text (its time field: 0)."""
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self._fernet.encrypt_at_time(data, SEALED_AT).decode("ascii")

    def open(self, token: str) -> Any:
        """Decrypt a value sealed by `seal` under the same key."""
        try:
            return json.loads(self._fernet.decrypt(token.encode("ascii")))
        except (InvalidToken, ValueError) as exc:
            raise SealError("cannot decrypt: wrong REPORT_ENCRYPTION_KEY or damaged data") from exc

    def _mac(self, message: str) -> str:
        return hmac.new(self._hash_key, message.encode("utf-8"), hashlib.sha256).hexdigest()

    def user_ref(self, user_id: int) -> str:
        """The stable keyed hash of a Telegram user id (drafts in progress, ban list)."""
        return self._mac(f"user:{int(user_id)}")

    def receipt_ref(self, nonce: str) -> str:
        """Keyed hash of the random code in a Send button: finds the receipt of a sent tip."""
        return self._mac(f"receipt:{nonce}")

    def day_ref(self, user_id: int, day: date) -> str:
        """Keyed hash of a user id on one day: counts tips per day, links nothing across days."""
        return self._mac(f"day:{day.isoformat()}:{int(user_id)}")


def throwaway_ref(salt: str, user_id: int) -> str:
    """A per-process hash of a user id, used only while no report key is configured (so even
    then conversation keys are never user ids)."""
    return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()

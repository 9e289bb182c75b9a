"""Helpdesk staff accounts: HELPDESK_USER/HELPDESK_PASSWORD plus HELPDESK_USERS, checked against scrypt hashes.

HELPDESK_USERS is `name:hash,name:hash,…`; make a hash with

    .venv-gateway/bin/python -m bot.gateway.helpdesk_users hash NAME     # asks the password twice

which prints `NAME:scrypt:16384:8:1:<salt>:<key>` (no `$`, `,` or spaces: safe unquoted in a sourced .env).
"""
from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import os
import sys
import time
from typing import Dict, Optional

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1      # Django's scrypt defaults: ~60 ms, 16 MB
MIN_PASSWORD_CHARS = 8
REMEMBER_S = 300                                   # a verified Basic-auth password is not re-hashed for 5 min


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=2 ** 28, dklen=32)


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt:{SCRYPT_N}:{SCRYPT_R}:{SCRYPT_P}:{b64(salt)}:{b64(key)}"


def check_hash(encoded: str) -> tuple:
    """(n, r, p, salt, key) of a hash made by hash_password; ValueError otherwise."""
    parts = encoded.split(":")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise ValueError("not a scrypt:N:r:p:salt:key hash")
    n, r, p = (int(x) for x in parts[1:4])
    salt, key = unb64(parts[4]), unb64(parts[5])
    if n < 2 or n & (n - 1) or not (1 <= r <= 64 and 1 <= p <= 16) or len(salt) < 8 or len(key) < 16:
        raise ValueError("bad scrypt parameters")
    return n, r, p, salt, key


def verify_password(encoded: str, password: str) -> bool:
    n, r, p, salt, key = check_hash(encoded)
    return hmac.compare_digest(_scrypt(password, salt, n, r, p), key)


def parse_users(value: str) -> Dict[str, str]:
    """`name:hash,name:hash` → {name: hash}; ValueError (naming the entry) when malformed or repeated."""
    users: Dict[str, str] = {}
    for entry in (e.strip() for e in value.replace("\n", ",").split(",")):
        if not entry:
            continue
        name, _, encoded = entry.partition(":")
        try:
            check_hash(encoded)
        except (ValueError, TypeError) as error:
            raise ValueError(f"HELPDESK_USERS: entry for {name!r} is not name:hash ({error})") from None
        if not name.strip() or name in users:
            raise ValueError(f"HELPDESK_USERS: empty or repeated name {name!r}")
        users[name] = encoded
    return users


class Accounts:
    """Every staff account with its hash; a check always costs one scrypt, whether the name exists or not."""

    def __init__(self, single_user: str, single_password: str, users: str = "", secret: str = ""):
        self.hashes = parse_users(users)
        # an account's password version: the same across restarts, another one when the password changes
        self.versions = {name: hmac.new(secret.encode(), f"hash\0{encoded}".encode(), "sha256").hexdigest()
                         for name, encoded in self.hashes.items()}
        if single_password and single_user not in self.hashes:
            self.hashes[single_user] = hash_password(single_password)
            self.versions[single_user] = hmac.new(secret.encode(), f"password\0{single_password}".encode(
                "utf-8", "surrogatepass"), "sha256").hexdigest()
        self.dummy = hash_password(os.urandom(16).hex())
        self.remember_key = os.urandom(32)
        self.remembered: Dict[bytes, float] = {}

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self.hashes

    def verify(self, name: str, password: str) -> Optional[str]:
        """The account name if the password is right, else None."""
        seen = hmac.new(self.remember_key, f"{name}\0{password}".encode("utf-8", "surrogatepass"), "sha256").digest()
        now = time.monotonic()
        if self.remembered.get(seen, 0) > now and name in self.hashes:
            return name
        ok = verify_password(self.hashes.get(name, self.dummy), password) and name in self.hashes
        if ok:
            if len(self.remembered) > 1000:
                self.remembered.clear()
            self.remembered[seen] = now + REMEMBER_S
        return name if ok else None


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] != "hash" or len(argv) > 2:
        print("使い方: python -m bot.gateway.helpdesk_users hash [ユーザー名]\n"
              "パスワードを尋ね、HELPDESK_USERS に書く「ユーザー名:ハッシュ」（名前なしならハッシュだけ）を表示します。",
              file=sys.stderr)
        return 2
    name = argv[1] if len(argv) == 2 else ""
    if any(c in name for c in ":,") or name != name.strip():
        print("ユーザー名に「:」「,」や前後の空白は使えません。", file=sys.stderr)
        return 2
    if sys.stdin.isatty():
        password = getpass.getpass("パスワード: ")
        if getpass.getpass("もう一度: ") != password:
            print("パスワードが一致しません。", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD_CHARS:
        print(f"パスワードは{MIN_PASSWORD_CHARS}文字以上にしてください。", file=sys.stderr)
        return 1
    if password == "change-me":
        print("「change-me」は説明書の例なので使えません。別のパスワードにしてください。", file=sys.stderr)
        return 1
    print(f"{name}:{hash_password(password)}" if name else hash_password(password))
    return 0


if __name__ == "__main__":
    sys.exit(main())

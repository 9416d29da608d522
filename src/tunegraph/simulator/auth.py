"""Client-credentials and test user tokens, with expiry read from an injectable clock.

A client token acts for the app only; a user token (test-only grant
``grant_type=test_user&user_id=…``) also acts for one user, who owns that user's
playlists: that is what development mode checks before serving items.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass

from tunegraph.simulator.clock import Clock

TEST_USER_GRANT = "test_user"


@dataclass(frozen=True)
class Token:
    value: str
    client_id: str
    user_id: str | None
    expires_at: float


class AuthError(Exception):
    """Why a request's credentials were refused; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class TokenStore:
    """Issues and checks bearer tokens for one app (client id and secret)."""

    def __init__(self, client_id: str, client_secret: str, ttl: float, clock: Clock) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.ttl = ttl
        self.clock = clock
        self._tokens: dict[str, Token] = {}
        self.issued = 0

    def client_matches(self, client_id: str | None, secret: str | None) -> bool:
        return secrets.compare_digest(client_id or "", self.client_id) and secrets.compare_digest(
            secret or "", self.client_secret
        )

    def issue(self, user_id: str | None = None) -> Token:
        """A fresh token valid for ``ttl`` seconds from now."""
        self._prune()
        token = Token(
            value=secrets.token_urlsafe(32),
            client_id=self.client_id,
            user_id=user_id,
            expires_at=self.clock() + self.ttl,
        )
        self._tokens[token.value] = token
        self.issued += 1
        return token

    def check(self, authorization: str | None) -> Token:
        """The token an ``Authorization`` header carries, or ``AuthError`` (401) saying why."""
        if not authorization:
            raise AuthError(401, "No token provided")
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value:
            raise AuthError(401, "Only valid bearer authentication supported")
        token = self._tokens.get(value)
        if token is None:
            raise AuthError(401, "Invalid access token")
        if self.clock() >= token.expires_at:
            raise AuthError(401, "The access token expired")
        return token

    def _prune(self) -> None:
        if len(self._tokens) > 10_000:
            now = self.clock()
            self._tokens = {k: t for k, t in self._tokens.items() if t.expires_at > now}


def basic_credentials(header: str | None) -> tuple[str | None, str | None]:
    """(client id, secret) from a ``Basic`` header; (None, None) when absent or unreadable."""
    if not header or not header.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else (None, None)

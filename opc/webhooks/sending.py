"""Where a webhook may point, and the one POST of an attempt.

A hook's URL is typed by a person and fetched by the server: left unchecked, it would let
anyone who may edit hooks make the server post into its own network (SSRF: the database,
a cloud's metadata address 169.254.169.254, an admin port on localhost). So:

* only http and https, with a host, no user:password, at most MAX_URL characters;
* every address the host resolves to must be public: private, shared (100.64.0.0/10),
  loopback, link-local, multicast, reserved and unspecified ones are refused -- checked
  when the hook is saved and again at each send (a name may resolve elsewhere later);
* the send connects to the address that was checked (not to a second lookup, which a
  hostile DNS server could answer differently), and follows no redirect.

WEBHOOK_ALLOW_PRIVATE (config, default false) lifts the address rule, for a park whose
tools are on its own network, and for tests against 127.0.0.1.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from opc.core.values import text_problem
from opc.webhooks.models import MAX_URL

DEFAULT_TIMEOUT_S = 5.0
MAX_ANSWER = 64 * 1024  # of a receiver's answer, read to learn a bot's verdict


class UnsafeUrl(ValueError):
    """A URL a hook may not point at; the message says why, for people."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (  # is_global: not private, nor 100.64.0.0/10 (CGNAT)
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def allow_private() -> bool:
    return bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE", False))


def check_form(url: str) -> tuple[str, str, int]:
    """The scheme, host and port of an acceptable URL (by its form alone); else UnsafeUrl."""
    problem = text_problem(url)
    if problem:
        raise UnsafeUrl(problem)
    if len(url) > MAX_URL:
        raise UnsafeUrl(_("At most %(n)d characters.", n=MAX_URL))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl(_("Not a valid URL.")) from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrl(_("Only http and https addresses."))
    if not parts.hostname:
        raise UnsafeUrl(_("The address has no host."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl(_("No user name or password in the address."))
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def addresses(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, all of them public unless WEBHOOK_ALLOW_PRIVATE;
    else UnsafeUrl."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeUrl(_("The host %(host)s cannot be found.", host=host)) from exc
    resolved = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not allow_private():
        for text in resolved:
            if not _public(ipaddress.ip_address(text.split("%")[0])):
                raise UnsafeUrl(_("The host %(host)s is on a private or local network.", host=host))
    return resolved


def check_url(url: str) -> None:
    """Whether a hook may point at `url` (its form and where its host resolves); UnsafeUrl."""
    _scheme, host, port = check_form(url)
    addresses(host, port)


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address, while Host names the URL's host."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """As _PinnedHTTP, over TLS: the certificate is checked against the URL's host."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `url` once, within WEBHOOK_TIMEOUT_S per step; no redirect followed.
    UnsafeUrl for an address no longer allowed; OSError (timeouts included) for a network
    failure."""
    scheme, host, port = check_form(url)
    address = addresses(host, port)[0]
    timeout = float(current_app.config.get("WEBHOOK_TIMEOUT_S", DEFAULT_TIMEOUT_S))
    pinned = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    connection = pinned(host, port, address, timeout)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.read(MAX_ANSWER))
    except http.client.HTTPException as exc:
        raise OSError(f"bad HTTP answer: {exc!r}") from exc
    finally:
        connection.close()

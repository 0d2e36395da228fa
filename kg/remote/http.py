"""Talking to remote SPARQL stores over HTTP: timeouts, retries, credentials.

The standard library's :mod:`http.client` does the work; this module adds what
a push or a remote query needs and what general-purpose clients get wrong for
us (rdflib's ``SPARQLStore`` ignores its timeout and re-sends basic-auth
credentials after a redirect to another origin):

- every request has one deadline for everything: connect, send, headers, body,
  redirects and retries together (a server trickling a byte at a time cannot
  hold it past the deadline: a watchdog shuts the socket down);
- an answer bigger than ``max_bytes`` (``KG_MAX_ANSWER_BYTES``, 512 MiB) is
  refused as it arrives, before it fills the memory;
- 5xx and 429 answers and dropped connections are retried with exponential
  backoff (``Retry-After`` honoured, capped); other failures are not;
- credentials (HTTP Basic or Digest, or a bearer token) are sent only to the
  origin of the URL the user named. Redirects are followed within that origin
  only; a redirect to another origin is an error, so credentials never follow it;
- a user and password go only where the server asks for them: the first
  request to an origin goes without them and its 401 challenge says how, HTTP
  Digest (RFC 7616, :mod:`kg.remote.digest`) when offered, else Basic; the
  request is sent again, and the origin's later requests carry the same scheme
  at once (Digest: the same nonce, ``nc`` counting up), so a Digest server never
  sees the password. A server answering 403 instead of 401 gets Basic;
- every failure is one line naming the URL, never the credentials: every form
  of a secret (as is, percent-encoded, HTML- or JSON-escaped, base64, the Basic
  ``user:password`` pair) is masked in a server's message before anything else
  shortens or tidies it.

>>> creds = Credentials(user="ann", password="s3cret")
>>> creds
Credentials(user='ann', password=***, token=None)
>>> creds.header()
'Basic YW5uOnMzY3JldA=='
>>> display_url("https://ann@example.org:8443/sparql?x=1")
'https://example.org:8443/sparql?x=1'
"""

from __future__ import annotations

import base64
import http.client
import re
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kg.errors import RemoteError, UsageError
from kg.rdf.limits import MAX_ANSWER_ENV, check_seconds, max_answer_bytes
from kg.remote.digest import ChallengeError, DigestSession, digest_challenge, parse_challenges

DEFAULT_TIMEOUT = 60.0
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 0.5
MAX_RETRY_AFTER = 30.0
MAX_REDIRECTS = 5
CONNECT_TIMEOUT_CAP = 30.0
USER_AGENT = "kg (https://w3id.org/kg)"
_READ_CHUNK = 1 << 16
# Of an error answer, only the start is shown: read no more than this.
_ERROR_BODY_BYTES = 1 << 16
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504}) | frozenset(range(505, 600))


Origin = tuple[str, str, int]  # scheme, host, port: what credentials are bound to


@dataclass(frozen=True)
class Credentials:
    """A user and password (HTTP Basic or Digest) or a bearer token; ``repr`` hides them.

    A user and password are sent once an origin has asked for them: the first
    request to an origin goes without them, its 401 says which scheme it wants
    (Digest preferred, else Basic), and the request is sent again. The scheme,
    and a Digest challenge with its nonce, are kept per origin for the lifetime
    of the object (one kg command), so later requests carry them at once. A
    bearer token is sent at once.
    """

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    _schemes: dict[Origin, str | DigestSession] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __repr__(self) -> str:
        return (
            f"Credentials(user={self.user!r}, password={'***' if self.password else None},"
            f" token={'***' if self.token else None})"
        )

    @classmethod
    def from_options(
        cls, user: str | None = None, password: str | None = None, token: str | None = None
    ) -> Credentials | None:
        """Credentials from command-line options, or None when none were given.

        >>> Credentials.from_options(token="t")
        Credentials(user=None, password=None, token=***)
        >>> Credentials.from_options() is None
        True
        """
        user, password, token = user or None, password or None, token or None
        if token and (user or password):
            raise UsageError("give either --user/--password or --token, not both")
        if password and not user:
            raise UsageError("--password needs --user (or KG_ENDPOINT_USER)")
        if user and password is None:
            raise UsageError(f"--user {user} needs --password (or KG_ENDPOINT_PASSWORD)")
        if not (user or token):
            return None
        for value in (user, password, token):
            if value and any(c in value for c in "\r\n"):
                raise UsageError("credentials cannot contain line breaks")
        if user and ":" in user:
            raise UsageError("--user cannot contain ':' (HTTP Basic authentication)")
        if token and not re.fullmatch(r"[\x21-\x7e]+", token):
            # HTTP headers carry ASCII; RFC 6750 tokens are letters, digits and -._~+/=
            raise UsageError("--token must be printable ASCII without spaces")
        return cls(user=user, password=password, token=token)

    def header(self) -> str:
        """The ``Authorization`` value of a bearer token or of HTTP Basic."""
        if self.token:
            return f"Bearer {self.token}"
        raw = f"{self.user}:{self.password or ''}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def scheme(self, home: Origin) -> str | None:
        """What goes to origin ``home``: "bearer", "basic", "digest", or None before its 401."""
        if self.token:
            return "bearer"
        found = self._schemes.get(home)
        return "digest" if isinstance(found, DigestSession) else found

    def authorization(
        self, home: Origin, method: str, target: str, body: bytes | None
    ) -> tuple[str | None, int]:
        """The ``Authorization`` value for ``method`` on ``target`` (path and query) of
        ``home`` (None until the origin has said which scheme it wants), and the
        Digest nonce count it carries (0 if not Digest)."""
        found = None if self.token else self._schemes.get(home)
        if isinstance(found, DigestSession):
            return found.header(method, target, body), found.nc
        if self.token or found == "basic":
            return self.header(), 0
        return None, 0

    def answer(self, home: Origin, www_authenticate: str, sent: str | None, nc: int) -> bool:
        """Learn from a 401 of ``home`` how to authenticate; True: send the request again.

        ``sent`` is the scheme the refused request used (None: no credentials),
        ``nc`` its Digest nonce count. A Digest challenge kg can answer is
        preferred to Basic. After Basic, only a Digest challenge is worth another
        try; after a nonce used before (it may have expired), a new challenge;
        after a fresh nonce, only a challenge saying it was ``stale`` (otherwise
        the password is wrong).
        """
        if self.token or self.user is None or self.password is None:
            return False
        try:
            challenges = parse_challenges(www_authenticate)
        except ChallengeError:
            challenges = []
        digest = digest_challenge(challenges)
        if digest is not None and (sent != "digest" or nc > 1 or digest.stale):
            self._schemes[home] = DigestSession(digest, self.user, self.password)
            return True
        if sent is None and (not challenges or any(c.scheme == "basic" for c in challenges)):
            self._schemes[home] = "basic"  # no challenge at all: Basic, the common case
            return True
        return False

    def secrets(self) -> list[str]:
        """What must never appear in a message: the password, the token, the Basic
        ``user:password`` pair and the header (their encoded forms: :func:`mask_secrets`)."""
        values = [v for v in (self.password, self.token) if v]
        if self.user and self.password:
            values.append(f"{self.user}:{self.password}")
        return values + [self.header(), self.header().split(" ", 1)[1]]


@dataclass
class Response:
    """A successful (2xx) answer, read whole (``body`` is a bytearray: no copy)."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes | bytearray
    url: str

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, lower case ('' when absent)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")


def split_url(url: str) -> urllib.parse.SplitResult:
    """Check that ``url`` is an absolute http(s) URL without credentials in it."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        raise UsageError(f"{display_url(url)}: not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{display_url(url)}: not an http(s) URL (write http://host:port/path)")
    if parts.username is not None or parts.password is not None:
        raise UsageError(
            f"{display_url(url)}: put credentials in --user/--password or --token"
            " (or KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD/KG_ENDPOINT_TOKEN), not in the URL"
        )
    return parts


def display_url(url: str) -> str:
    """``url`` without any ``user:password@`` part, for messages."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def origin(url: str) -> tuple[str, str, int]:
    """Scheme, host and port: what credentials are bound to.

    >>> origin("http://Example.org/a") == origin("http://example.org:80/b")
    True
    """
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` added to its query string.

    >>> with_query("http://h/store", graph="https://w3id.org/kg/graph/x")
    'http://h/store?graph=https%3A%2F%2Fw3id.org%2Fkg%2Fgraph%2Fx'
    """
    parts = urllib.parse.urlsplit(url)
    extra = urllib.parse.urlencode(params)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urllib.parse.urlunsplit(parts._replace(query=query))


_NAMED_ENTITIES = {"&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos", " ": "nbsp"}


def _char_forms(char: str) -> str:
    """A regular expression for one character of a secret in every way a server may
    write it: as is, percent-encoded (either case), ``+`` for a space (forms), an HTML
    entity (named, decimal or hexadecimal), a JSON or SPARQL ``\\u`` escape."""
    code = ord(char)
    forms = [re.escape(char)]
    forms.append("".join(f"%{b:02x}" for b in char.encode("utf-8")))
    forms.append(f"&#0*{code};")
    forms.append(f"&#[xX]0*{code:x};")
    if char in _NAMED_ENTITIES:
        forms.append(f"&{_NAMED_ENTITIES[char]};")
    if char == " ":
        forms.append(r"\+")
    if code < 0x10000:
        forms.append(rf"\\u{code:04x}")
    return "(?:" + "|".join(forms) + ")"


def _secret_pattern(secrets: Iterable[str]) -> re.Pattern | None:
    """One pattern matching any form of any of ``secrets`` (longest first)."""
    alternatives: list[str] = []
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        alternatives.append("".join(_char_forms(c) for c in secret))
        raw = secret.encode("utf-8")
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(raw).decode("ascii")
            alternatives.append(re.escape(encoded))
            if encoded.rstrip("="):
                alternatives.append(re.escape(encoded.rstrip("=")))
    if not alternatives:
        return None
    return re.compile("|".join(alternatives), re.IGNORECASE)


def mask_secrets(text: str, secrets: Iterable[str] | Credentials | None) -> str:
    """``text`` with every form of every secret replaced by ``***``.

    Applied first, to the text as the server sent it: cutting, collapsing white
    space or dropping tags first would change a secret so it no longer matches.

    >>> mask_secrets("got p%40ss&amp;w and cEBzcyZ3", ["p@ss&w"])
    'got *** and ***'
    """
    if isinstance(secrets, Credentials):
        secrets = secrets.secrets()
    pattern = _secret_pattern(secrets or [])
    return text if pattern is None else pattern.sub("***", text)


def _redact(text: str, secrets: list[str]) -> str:
    return mask_secrets(text, secrets)


def _server_message(
    body: bytes, content_type: str = "", secrets: list[str] | None = None, limit: int = 300
) -> str:
    """The first lines of an error body as one short line, secrets masked before
    anything else touches the text.

    Tags are dropped from HTML and XML (and from an untyped body that starts
    with ``<``), not from plain text, where ``<IRI>`` in a quoted query is text:

    >>> _server_message(b"SP031: bad: DROP SILENT GRAPH <http://e/g>", "text/plain")
    'SP031: bad: DROP SILENT GRAPH <http://e/g>'
    >>> _server_message(b"<html><h1>Bad gateway</h1></html>")
    'Bad gateway'
    """
    text = mask_secrets(body[:8192].decode("utf-8", errors="replace"), secrets)
    media = content_type.split(";", 1)[0].strip().lower()
    if "html" in media or "xml" in media or (not media and text.lstrip().startswith("<")):
        text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
        text = re.sub(r"<[^>]*>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Deadline:
    """The end of a whole request, and a watchdog that shuts its socket down then.

    A socket timeout bounds each read, not the sum: a server sending one byte
    every half second never trips it. At the deadline the watchdog shuts the
    connection down (on a duplicate of its descriptor, so the TLS layer's own
    socket object is not needed); whatever read or write was waiting returns,
    and :attr:`expired` tells the caller why.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._timer: threading.Timer | None = None

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0 or self.expired:
            raise TimeoutError
        return left

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` down at the deadline unless :meth:`release` comes first."""
        with self._lock:
            self._fd = sock.fileno()
        self._timer = threading.Timer(max(self.end - time.monotonic(), 0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._fd is None:
                return
            try:
                dup = socket.socket(fileno=socket.dup(self._fd))
                try:
                    dup.shutdown(socket.SHUT_RDWR)
                finally:
                    dup.close()
            except OSError:
                pass

    def release(self) -> None:
        """Before the socket is closed: its descriptor number may be reused after."""
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._fd = None


class _TooBig(Exception):
    def __init__(self, size: int | None):
        self.size = size


def _send_once(
    method: str,
    parts: urllib.parse.SplitResult,
    body: bytes | None,
    headers: dict[str, str],
    deadline: _Deadline,
    max_bytes: int,
) -> tuple[int, str, dict[str, str], bytearray]:
    """One HTTP exchange before ``deadline``; the body read whole, up to ``max_bytes``
    (an error answer: its first 64 KiB)."""
    connect_timeout = min(deadline.remaining(), CONNECT_TIMEOUT_CAP)
    if parts.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname,
            parts.port,
            timeout=connect_timeout,
            context=ssl.create_default_context(),
        )
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=connect_timeout)

    def create_connection(*args, **kwargs) -> socket.socket:
        sock = socket.create_connection(*args, **kwargs)
        deadline.watch(sock)  # before the TLS handshake, which a server can trickle too
        return sock

    conn._create_connection = create_connection  # the hook http.client itself uses
    try:
        try:
            conn.connect()
            conn.sock.settimeout(deadline.remaining())
            conn.request(method, request_target(parts), body=body, headers=headers)
            conn.sock.settimeout(deadline.remaining())
            response = conn.getresponse()
            found: dict[str, str] = {}
            for name, value in response.getheaders():
                name = name.lower()
                if name == "www-authenticate" and name in found:  # several challenge fields
                    value = f"{found[name]}, {value}"
                found[name] = value
            success = 200 <= response.status < 300
            most = max_bytes if success else _ERROR_BODY_BYTES
            declared = found.get("content-length", "").strip()
            if success and declared.isdigit() and int(declared) > max_bytes:
                raise _TooBig(int(declared))
            data = bytearray()
            while len(data) <= most:
                if conn.sock is not None:
                    conn.sock.settimeout(deadline.remaining())
                chunk = response.read(_READ_CHUNK)
                if not chunk:
                    break
                data += chunk
            if len(data) > most:
                if success:
                    raise _TooBig(None)
                del data[most:]
            if deadline.expired:  # a shutdown can look like the end of a body sent until close
                raise TimeoutError
            # not bytes(data): a copy would double the peak for an answer near the cap
            return response.status, response.reason, found, data
        except (OSError, http.client.HTTPException, ValueError):
            if deadline.expired:
                raise TimeoutError from None
            raise
    finally:
        deadline.release()
        conn.close()


def request_target(parts: urllib.parse.SplitResult) -> str:
    """The request-target sent on the request line (and in a Digest ``uri``).

    >>> request_target(urllib.parse.urlsplit("http://h:1/sparql?query=x#frag"))
    '/sparql?query=x'
    """
    return urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))


def _describe_os_error(where: str, err: BaseException, parts, timeout: float) -> str:
    host_port = f"{parts.hostname}:{origin(parts.geturl())[2]}"
    if isinstance(err, TimeoutError | socket.timeout):
        return f"{where}: no answer within {timeout:g} s (raise it with --timeout)"
    if isinstance(err, socket.gaierror):
        return f"{where}: cannot resolve the host name {parts.hostname!r}"
    if isinstance(err, ConnectionRefusedError):
        return f"{where}: connection refused (nothing listens on {host_port})"
    if isinstance(err, ssl.SSLCertVerificationError):
        return f"{where}: the server's TLS certificate is not trusted ({err.verify_message})"
    if isinstance(err, ssl.SSLError):
        return f"{where}: TLS error ({err.reason or err})"
    if isinstance(err, http.client.RemoteDisconnected | ConnectionResetError | BrokenPipeError):
        return f"{where}: the server closed the connection without answering"
    if isinstance(err, http.client.HTTPException):
        return f"{where}: the answer is not valid HTTP ({type(err).__name__})"
    reason = getattr(err, "strerror", None) or str(err) or type(err).__name__
    return f"{where}: cannot connect to {host_port} ({reason})"


def _status_error(
    where: str,
    status: int,
    reason: str,
    body: bytes,
    credentials,
    attempts: int,
    *,
    sent: bool = True,
    www_authenticate: str = "",
    content_type: str = "",
    secrets: list[str] | None = None,
) -> str:
    """The one-line message of a failed answer; ``sent``: credentials went with the request."""
    label = f"HTTP {status} {reason}".rstrip()
    if status == 401 and credentials and not sent:
        try:
            schemes = list(dict.fromkeys(c.name for c in parse_challenges(www_authenticate)))
        except ChallengeError:
            schemes = []
        asked = " or ".join(schemes) if schemes else "an unknown"
        return (
            f"{where}: {label}: the server asks for {asked} authentication, which kg does not"
            " speak (it speaks Basic, Digest with MD5 or SHA-256, and bearer tokens)"
        )
    if status == 401:
        hint = (
            "the server refused the credentials"
            if credentials
            else "the server wants credentials (give --user and --password, or --token)"
        )
        return f"{where}: {label}: {hint}"
    if status == 403 and not credentials:
        return (
            f"{where}: {label}: the server does not allow this operation without credentials"
            " (give --user and --password, or --token)"
        )
    if status == 403:
        return f"{where}: {label}: the credentials do not allow this operation"
    if status == 404:
        return f"{where}: {label}: no such endpoint on the server (check the URL)"
    message = _server_message(body, content_type, secrets)
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    return f"{where}: {label}{tries}" + (f": {message}" if message else "")


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    credentials: Credentials | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
    max_bytes: int | None = None,
) -> Response:
    """Send one request and return its 2xx answer, or raise :class:`RemoteError`.

    ``timeout`` bounds the whole request: connect, send, headers, body,
    redirects, retries and the waits between them. A 5xx or 429 answer or a
    dropped connection is retried ``retries`` times, waiting ``backoff``, then
    twice as long each time (or what ``Retry-After`` asks, up to 30 s), as
    long as the wait ends before the deadline. An answer bigger than
    ``max_bytes`` (default :func:`kg.rdf.limits.max_answer_bytes`) is refused.
    With a user and password, the first request to the origin goes without
    them; its 401 (or 403) is answered by sending the request again with
    Digest or Basic, as the server asks (see :meth:`Credentials.answer`; not
    counted as a retry, and at most twice per request).

    >>> request("GET", "http://127.0.0.1:9/q", timeout=1, retries=0)  # doctest: +SKIP
    Traceback (most recent call last):
    kg.errors.RemoteError: http://127.0.0.1:9/q: connection refused (nothing listens on 127.0.0.1:9)
    """
    parts = split_url(url)
    timeout = check_seconds(timeout)
    max_bytes = max_answer_bytes() if max_bytes is None else max_bytes
    home = origin(url)
    secrets = credentials.secrets() if credentials else []
    deadline = _Deadline(timeout)
    current, current_parts = url, parts
    attempts = 0
    redirects = 0
    challenges_answered = 0

    def wait_or_give_up(seconds: float) -> bool:
        """Wait before a retry, if the deadline leaves time for it to be of use."""
        if seconds >= deadline.end - time.monotonic():
            return False
        sleep(seconds)
        return True

    while True:
        where = display_url(current)
        sent = {"User-Agent": USER_AGENT, **(headers or {})}
        scheme, nc = None, 0  # what authenticates this attempt; its Digest nonce count
        if credentials and origin(current) == home:
            scheme = credentials.scheme(home)
            value, nc = credentials.authorization(home, method, request_target(current_parts), body)
            if value is not None:
                sent["Authorization"] = value
        attempts += 1
        try:
            status, reason, found, data = _send_once(
                method, current_parts, body, sent, deadline, max_bytes
            )
        except _TooBig as err:
            size = f"{err.size} bytes" if err.size is not None else f"over {max_bytes} bytes"
            raise RemoteError(
                _redact(
                    f"{where}: the answer is {size}, more than the {max_bytes}-byte limit"
                    f" (raise it with --max-answer-bytes or {MAX_ANSWER_ENV})",
                    secrets,
                )
            ) from None
        except (OSError, http.client.HTTPException) as err:
            retryable = isinstance(
                err, http.client.RemoteDisconnected | ConnectionResetError | BrokenPipeError
            )
            if retryable and attempts <= retries and wait_or_give_up(backoff * 2 ** (attempts - 1)):
                continue
            raise RemoteError(
                _redact(_describe_os_error(where, err, current_parts, timeout), secrets)
            ) from None
        if 200 <= status < 300:
            return Response(status, reason, found, data, current)
        challenge = found.get("www-authenticate", "")
        if (
            credentials
            and origin(current) == home
            and challenges_answered < 2
            and (
                status == 401
                and credentials.answer(home, challenge, scheme, nc)
                # some servers answer 403, not 401, to a request without credentials: Basic
                or status == 403
                and scheme is None
                and credentials.answer(home, "", None, 0)
            )
        ):
            challenges_answered += 1
            attempts -= 1  # answering a challenge is not a retry
            continue
        if status in (301, 302, 303, 307, 308) and "location" in found:
            target = urllib.parse.urljoin(current, found["location"])
            if origin(target) != home or urllib.parse.urlsplit(target).username:
                raise RemoteError(
                    _redact(
                        f"{where}: the server redirects to another origin"
                        f" ({display_url(target)}); kg does not follow it, so credentials stay"
                        " with the server you named (use that URL if you trust it)",
                        secrets,
                    )
                )
            if status in (301, 302, 303) and method not in ("GET", "HEAD"):
                raise RemoteError(
                    _redact(
                        f"{where}: HTTP {status}: the server redirects this {method} to"
                        f" {display_url(target)}; use that URL",
                        secrets,
                    )
                )
            redirects += 1
            if redirects > MAX_REDIRECTS:
                raise RemoteError(f"{display_url(url)}: more than {MAX_REDIRECTS} redirects")
            current, current_parts = target, urllib.parse.urlsplit(target)
            continue
        if (
            status in _RETRY_STATUSES
            and attempts <= retries
            and wait_or_give_up(
                _retry_delay(found.get("retry-after"), backoff * 2 ** (attempts - 1))
            )
        ):
            continue
        message = _status_error(
            where, status, reason, data, credentials, attempts,
            sent=scheme is not None, www_authenticate=challenge,
            content_type=found.get("content-type", ""), secrets=secrets,
        )  # fmt: skip
        error = RemoteError(_redact(message, secrets))
        error.status = status
        raise error


def _retry_delay(retry_after: str | None, default: float) -> float:
    """Seconds to wait before the next attempt.

    >>> _retry_delay("2", 0.5), _retry_delay(None, 0.5), _retry_delay("3600", 0.5)
    (2.0, 0.5, 30.0)
    """
    if retry_after and retry_after.strip().isdigit():
        return min(float(retry_after.strip()), MAX_RETRY_AFTER)
    return default

"""HTTP Digest authentication (RFC 7616), as pure functions and one small class.

- :func:`parse_challenges` reads a ``WWW-Authenticate`` header value, which may
  hold several challenges (``Basic realm="x", Digest realm="y", nonce="..."``).
- :func:`digest_challenge` picks the first Digest challenge kg can answer
  (algorithms MD5, SHA-256 and SHA-512-256, and their ``-sess`` variants; qop
  ``auth``, or ``auth-int`` when the server offers nothing else, or none at all
  as in RFC 2069). RFC 7616 has the server list its challenges in order of
  preference, so the first one supported is taken.
- :func:`response_value` is the ``response`` of RFC 7616 §3.4.1.
- :class:`DigestSession` answers one challenge again and again: each
  ``Authorization`` header it builds counts ``nc`` up (00000001, 00000002, ...)
  with a fresh ``cnonce`` from :mod:`secrets`, echoes ``opaque`` and hashes the
  user name when the server asks (``userhash=true``).

Passwords are encoded as UTF-8 (what RFC 7616's ``charset=UTF-8`` announces and
what servers that do not announce it use in practice).

The worked example of RFC 7616 §3.9.1:

>>> header = ('Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256,'
...           ' nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",'
...           ' opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"')
>>> challenge = digest_challenge(parse_challenges(header))
>>> challenge.algorithm, challenge.qop
('SHA-256', ('auth', 'auth-int'))
>>> response_value(challenge, "Mufasa", "Circle of Life", "GET", "/dir/index.html",
...                cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", nc=1)
'753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'
"""

from __future__ import annotations

import hashlib
import re
import secrets
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

# algorithm name (upper case, without -sess) -> hashlib constructor name
_HASHES = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_LEXEME = re.compile(
    rf"""\s*(?:
        (?P<comma>,)
      | (?P<quoted>"(?:[^"\\]|\\.)*")
      | (?P<token68>[A-Za-z0-9._~+/-]+=+(?=\s*(?:,|$)))
      | (?P<token>{_TOKEN})
      | (?P<equals>=)
    )""",
    re.VERBOSE | re.DOTALL,
)


class ChallengeError(ValueError):
    """A ``WWW-Authenticate`` value that does not follow RFC 7235's syntax."""


@dataclass(frozen=True)
class Challenge:
    """One challenge: its scheme (lower case) and parameters (names lower case)."""

    scheme: str
    params: dict[str, str] = field(default_factory=dict)
    token68: str | None = None
    name: str = ""  # the scheme as the server wrote it


def _lex(header: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    while position < len(header):
        if not header[position:].strip():
            break
        match = _LEXEME.match(header, position)
        if match is None:
            raise ChallengeError(f"unexpected {header[position:].strip()[:20]!r}")
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "quoted":
            value = re.sub(r"\\(.)", r"\1", value[1:-1], flags=re.DOTALL)
        out.append((kind, value))
        position = match.end()
    return out


def parse_challenges(header: str) -> list[Challenge]:
    """The challenges of a ``WWW-Authenticate`` header value, in order.

    Several header fields of that name are the same as one joined by commas.

    >>> [c.scheme for c in parse_challenges('Basic realm="a, b", Digest realm="r", nonce="n"')]
    ['basic', 'digest']
    >>> parse_challenges('Digest realm="r", nonce="n", stale=TRUE')[0].params["stale"]
    'TRUE'
    >>> parse_challenges("Bearer abc123==, Basic realm=x")[0].token68
    'abc123=='
    """
    tokens = _lex(header)
    challenges: list[Challenge] = []
    index = 0

    def at(i: int, kind: str) -> bool:
        return i < len(tokens) and tokens[i][0] == kind

    while index < len(tokens):
        if at(index, "comma"):
            index += 1
            continue
        if not at(index, "token"):
            raise ChallengeError(f"expected an authentication scheme, got {tokens[index][1]!r}")
        name = tokens[index][1]
        index += 1
        params: dict[str, str] = {}
        token68 = None
        # "Scheme token68" (a token68 is followed by a comma or the end, never by "=")
        alone = index + 1 == len(tokens) or at(index + 1, "comma")
        if at(index, "token68") or (at(index, "token") and alone):
            token68 = tokens[index][1]
            index += 1
        while token68 is None and index < len(tokens):
            # auth-param list: name = (token | quoted-string), separated by commas
            start = index
            while at(index, "comma"):
                index += 1
            if at(index, "token") and at(index + 1, "equals"):
                key = tokens[index][1].lower()
                if not any(at(index + 2, kind) for kind in ("token", "quoted", "token68")):
                    raise ChallengeError(f"parameter {key!r} has no value")
                if key in params:
                    raise ChallengeError(f"parameter {key!r} given twice")
                params[key] = tokens[index + 2][1]
                index += 3
                if index < len(tokens) and not at(index, "comma"):
                    raise ChallengeError(f"expected ',' after parameter {key!r}")
                continue
            index = start  # the next challenge begins here
            break
        challenges.append(Challenge(name.lower(), params, token68, name))
    return challenges


@dataclass(frozen=True)
class DigestChallenge:
    """A Digest challenge kg can answer."""

    realm: str
    nonce: str
    algorithm: str = "MD5"  # upper case, "-SESS" kept: MD5, SHA-256-SESS, ...
    qop: tuple[str, ...] = ()  # offered qop values, lower case; () = RFC 2069 style
    opaque: str | None = None
    stale: bool = False
    userhash: bool = False
    charset: str | None = None

    @property
    def base_algorithm(self) -> str:
        return self.algorithm.removesuffix("-SESS")

    @property
    def session(self) -> bool:
        return self.algorithm.endswith("-SESS")

    @property
    def chosen_qop(self) -> str | None:
        """``auth`` when offered, else ``auth-int``, else None (no qop)."""
        for value in ("auth", "auth-int"):
            if value in self.qop:
                return value
        return None


def _supported(algorithm: str) -> bool:
    name = _HASHES.get(algorithm.upper().removesuffix("-SESS"))
    return name is not None and name in hashlib.algorithms_available


def digest_challenge(challenges: list[Challenge]) -> DigestChallenge | None:
    """The first Digest challenge whose algorithm and qop kg supports, or None.

    >>> digest_challenge(parse_challenges('Digest realm="r", nonce="n", algorithm=SHA-1, '
    ...     'Digest realm="r", nonce="m", algorithm=MD5-sess, qop="auth"'))
    DigestChallenge(realm='r', nonce='m', algorithm='MD5-SESS', qop=('auth',), opaque=None, \
stale=False, userhash=False, charset=None)
    >>> digest_challenge(parse_challenges('Basic realm="r"')) is None
    True
    """
    for challenge in challenges:
        if challenge.scheme != "digest":
            continue
        params = challenge.params
        algorithm = params.get("algorithm", "MD5").upper()
        if "realm" not in params or "nonce" not in params or not _supported(algorithm):
            continue
        qop = tuple(v.strip().lower() for v in params.get("qop", "").split(",") if v.strip())
        if qop and not {"auth", "auth-int"} & set(qop):
            continue
        return DigestChallenge(
            realm=params["realm"],
            nonce=params["nonce"],
            algorithm=algorithm,
            qop=qop,
            opaque=params.get("opaque"),
            stale=params.get("stale", "").lower() == "true",
            userhash=params.get("userhash", "").lower() == "true",
            charset=params.get("charset"),
        )
    return None


def _hash(algorithm: str, data: str | bytes) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.new(_HASHES[algorithm], raw).hexdigest()


def response_value(
    challenge: DigestChallenge,
    user: str,
    password: str,
    method: str,
    uri: str,
    *,
    cnonce: str,
    nc: int,
    body: bytes | None = None,
) -> str:
    """The ``response`` parameter (RFC 7616 §3.4.1; RFC 2069 form when no qop).

    The MD5 example of RFC 7616 §3.9.1:

    >>> md5 = DigestChallenge(realm="http-auth@example.org", qop=("auth", "auth-int"),
    ...                       nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v")
    >>> response_value(md5, "Mufasa", "Circle of Life", "GET", "/dir/index.html",
    ...                cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", nc=1)
    '8ca523f5e9506fed4657c9700eebdbec'
    """
    algorithm = challenge.base_algorithm
    qop = challenge.chosen_qop
    a1 = _hash(algorithm, f"{user}:{challenge.realm}:{password}")
    if challenge.session:
        a1 = _hash(algorithm, f"{a1}:{challenge.nonce}:{cnonce}")
    a2 = f"{method}:{uri}"
    if qop == "auth-int":
        a2 += ":" + _hash(algorithm, body or b"")
    ha2 = _hash(algorithm, a2)
    if qop is None:
        return _hash(algorithm, f"{a1}:{challenge.nonce}:{ha2}")
    return _hash(algorithm, f"{a1}:{challenge.nonce}:{nc:08x}:{cnonce}:{qop}:{ha2}")


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def authorization(
    challenge: DigestChallenge,
    user: str,
    password: str,
    method: str,
    uri: str,
    *,
    cnonce: str,
    nc: int,
    body: bytes | None = None,
) -> str:
    """The ``Authorization`` header value answering ``challenge`` for one request.

    ``uri`` is the request-target exactly as sent (path and query).

    >>> c = DigestChallenge(realm="r", nonce="n", qop=("auth",), opaque="o")
    >>> authorization(c, "ann", "pw", "GET", "/q?x=1", cnonce="c", nc=2)  # doctest: +ELLIPSIS
    'Digest username="ann", realm="r", uri="/q?x=1", algorithm=MD5, nonce="n", nc=00000002, \
cnonce="c", qop=auth, response="...", opaque="o"'
    """
    response = response_value(
        challenge, user, password, method, uri, cnonce=cnonce, nc=nc, body=body
    )
    if challenge.userhash:
        name = f"username={_quote(_hash(challenge.base_algorithm, f'{user}:{challenge.realm}'))}"
    elif user.isascii() and user.isprintable():
        name = f"username={_quote(user)}"
    else:  # RFC 7616 §3.4.4: username* in the extended notation of RFC 5987
        name = f"username*=UTF-8''{urllib.parse.quote(user, safe='')}"
    parts = [
        name,
        f"realm={_quote(challenge.realm)}",
        f"uri={_quote(uri)}",
        f"algorithm={challenge.algorithm.replace('-SESS', '-sess')}",
        f"nonce={_quote(challenge.nonce)}",
    ]
    qop = challenge.chosen_qop
    if qop is not None:
        parts += [f"nc={nc:08x}", f"cnonce={_quote(cnonce)}", f"qop={qop}"]
    parts.append(f"response={_quote(response)}")
    if challenge.opaque is not None:
        parts.append(f"opaque={_quote(challenge.opaque)}")
    if challenge.userhash:
        parts.append("userhash=true")
    return "Digest " + ", ".join(parts)


def new_cnonce() -> str:
    """A client nonce: 128 random bits from :mod:`secrets`, hex-encoded."""
    return secrets.token_hex(16)


class DigestSession:
    """Answers one server challenge for as many requests as the server accepts its nonce.

    >>> c = DigestChallenge(realm="r", nonce="n", qop=("auth",))
    >>> session = DigestSession(c, "ann", "pw", cnonce=lambda: "c")
    >>> [session.header("GET", "/q").split("nc=")[1][:8] for _ in range(2)]
    ['00000001', '00000002']
    >>> session
    DigestSession(realm='r', algorithm='MD5', nc=2)
    """

    def __init__(
        self,
        challenge: DigestChallenge,
        user: str,
        password: str,
        *,
        cnonce: Callable[[], str] = new_cnonce,
    ):
        self.challenge = challenge
        self._user = user
        self._password = password
        self._cnonce = cnonce
        self.nc = 0

    def __repr__(self) -> str:
        return (
            f"DigestSession(realm={self.challenge.realm!r},"
            f" algorithm={self.challenge.algorithm!r}, nc={self.nc})"
        )

    def header(self, method: str, uri: str, body: bytes | None = None) -> str:
        """The next ``Authorization`` value (``nc`` one higher than the last)."""
        self.nc += 1
        return authorization(
            self.challenge,
            self._user,
            self._password,
            method,
            uri,
            cnonce=self._cnonce(),
            nc=self.nc,
            body=body,
        )

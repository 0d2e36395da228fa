"""HTTP Digest authentication: RFC 7616's worked examples, challenge parsing, and kg.remote.http
answering a Digest server on 127.0.0.1 (nonce reuse, stale nonces, a wrong password)."""

from __future__ import annotations

import hashlib
import http.server
import re
import threading

import pytest

from kg.errors import RemoteError
from kg.remote.digest import (
    Challenge,
    ChallengeError,
    DigestChallenge,
    DigestSession,
    authorization,
    digest_challenge,
    parse_challenges,
    response_value,
)
from kg.remote.http import Credentials, request

# RFC 7616 §3.9.1
USER, PASSWORD, URI = "Mufasa", "Circle of Life", "/dir/index.html"
REALM = "http-auth@example.org"
NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
OPAQUE = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
RFC_CHALLENGES = (
    f'Digest realm="{REALM}", qop="auth, auth-int", algorithm=SHA-256, nonce="{NONCE}",'
    f' opaque="{OPAQUE}", '
    f'Digest realm="{REALM}", qop="auth, auth-int", algorithm=MD5, nonce="{NONCE}",'
    f' opaque="{OPAQUE}"'
)


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_rfc7616_worked_examples(algorithm, expected):
    challenge = DigestChallenge(
        realm=REALM, nonce=NONCE, algorithm=algorithm, qop=("auth", "auth-int"), opaque=OPAQUE
    )
    assert response_value(challenge, USER, PASSWORD, "GET", URI, cnonce=CNONCE, nc=1) == expected
    assert authorization(challenge, USER, PASSWORD, "GET", URI, cnonce=CNONCE, nc=1) == (
        f'Digest username="Mufasa", realm="{REALM}", uri="{URI}", algorithm={algorithm},'
        f' nonce="{NONCE}", nc=00000001, cnonce="{CNONCE}", qop=auth, response="{expected}",'
        f' opaque="{OPAQUE}"'
    )


def test_rfc7616_challenges_parse_and_the_first_supported_is_taken():
    challenges = parse_challenges(RFC_CHALLENGES)
    assert [(c.scheme, c.params["algorithm"]) for c in challenges] == [
        ("digest", "SHA-256"),
        ("digest", "MD5"),
    ]
    chosen = digest_challenge(challenges)
    assert chosen == DigestChallenge(
        realm=REALM, nonce=NONCE, algorithm="SHA-256", qop=("auth", "auth-int"), opaque=OPAQUE
    )
    assert chosen.chosen_qop == "auth"


@pytest.mark.skipif(
    "sha512_256" not in hashlib.algorithms_available, reason="OpenSSL without SHA-512/256"
)
def test_rfc7616_sha512_256_userhash_example_with_its_erratum():
    """RFC 7616 §3.9.2; the RFC's own username hash and response are wrong (erratum 4897)."""
    header = (
        'Digest realm="api@example.org", qop="auth", algorithm=SHA-512-256,'
        ' nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK",'
        ' opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", charset=UTF-8, userhash=true'
    )
    challenge = digest_challenge(parse_challenges(header))
    value = authorization(
        challenge, "Jäsøn Doe", "Secret, or not?", "GET", "/doe.json",
        cnonce="NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v", nc=1,
    )  # fmt: skip
    assert 'username="793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b"' in value
    assert 'response="3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5"' in value
    assert value.endswith(", userhash=true")


def _h(algorithm: str, text: str) -> str:
    return hashlib.new(algorithm, text.encode()).hexdigest()


@pytest.mark.parametrize(("algorithm", "hashlib_name"), [("MD5", "md5"), ("SHA-256", "sha256")])
def test_sess_variants(algorithm, hashlib_name):
    challenge = DigestChallenge(realm="r", nonce="n", algorithm=f"{algorithm}-SESS", qop=("auth",))
    a1 = _h(hashlib_name, f"{_h(hashlib_name, 'u:r:p')}:n:c")
    expected = _h(hashlib_name, f"{a1}:n:00000003:c:auth:{_h(hashlib_name, 'PUT:/x')}")
    assert response_value(challenge, "u", "p", "PUT", "/x", cnonce="c", nc=3) == expected
    header = authorization(challenge, "u", "p", "PUT", "/x", cnonce="c", nc=3)
    assert f"algorithm={algorithm}-sess," in header


def test_auth_int_hashes_the_body_and_no_qop_is_rfc2069():
    auth_int = DigestChallenge(realm="r", nonce="n", qop=("auth-int",))
    a2 = f"POST:/u:{_h('md5', 'body')}"
    expected = _h("md5", f"{_h('md5', 'u:r:p')}:n:00000001:c:auth-int:{_h('md5', a2)}")
    assert response_value(auth_int, "u", "p", "POST", "/u", cnonce="c", nc=1, body=b"body") == (
        expected
    )
    legacy = DigestChallenge(realm="r", nonce="n")
    header = authorization(legacy, "u", "p", "GET", "/u", cnonce="c", nc=1)
    assert "nc=" not in header and "cnonce=" not in header and "qop=" not in header
    ha1, ha2 = _h("md5", "u:r:p"), _h("md5", "GET:/u")
    assert f'response="{_h("md5", f"{ha1}:n:{ha2}")}"' in header


def test_user_names_are_quoted_or_sent_in_extended_notation():
    challenge = DigestChallenge(realm="r", nonce="n", qop=("auth",))
    quoted = authorization(challenge, 'a"b\\c', "p", "GET", "/", cnonce="c", nc=1)
    assert quoted.startswith('Digest username="a\\"b\\\\c", ')
    extended = authorization(challenge, "Jäsøn Doe", "p", "GET", "/", cnonce="c", nc=1)
    assert extended.startswith("Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, ")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('Basic realm="simple"', [Challenge("basic", {"realm": "simple"}, None, "Basic")]),
        (
            'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"',
            [
                Challenge(
                    "newauth", {"realm": "apps", "type": "1", "title": 'Login to "apps"'},
                    None, "Newauth",
                ),
                Challenge("basic", {"realm": "simple"}, None, "Basic"),
            ],
        ),  # RFC 7235 §4.1's example
        (
            "Bearer, Digest realm=r,nonce=n , Negotiate abc+/d==",
            [
                Challenge("bearer", {}, None, "Bearer"),
                Challenge("digest", {"realm": "r", "nonce": "n"}, None, "Digest"),
                Challenge("negotiate", {}, "abc+/d==", "Negotiate"),
            ],
        ),
        ('Digest realm="a, b=c", nonce="x"', [Challenge("digest", {"realm": "a, b=c", "nonce": "x"}, None, "Digest")]),
        ("", []),
    ],
)  # fmt: skip
def test_parse_challenges(header, expected):
    assert parse_challenges(header) == expected


@pytest.mark.parametrize(
    "header", ['Digest realm="open', 'Digest realm="a", =b', 'Digest realm="a" nonce="b"', "=x", "Digest a=1, a=2"]
)  # fmt: skip
def test_malformed_challenges(header):
    with pytest.raises(ChallengeError):
        parse_challenges(header)


@pytest.mark.parametrize(
    ("header", "algorithm"),
    [
        ('Digest realm="r", nonce="n"', "MD5"),  # MD5 when not said
        ('Digest realm="r", nonce="n", algorithm=sha-256-sess', "SHA-256-SESS"),
        ('Digest realm="r", nonce="n", algorithm=SHA-1, Digest realm="r", nonce="m"', "MD5"),
        ('Digest realm="r", nonce="n", qop="auth-conf"', None),  # no qop kg speaks
        ('Digest nonce="n"', None),  # no realm
        ('Basic realm="r"', None),
    ],
)
def test_which_digest_challenge(header, algorithm):
    chosen = digest_challenge(parse_challenges(header))
    assert (chosen.algorithm if chosen else None) == algorithm


def test_a_session_counts_and_draws_a_fresh_cnonce_each_time():
    session = DigestSession(DigestChallenge(realm="r", nonce="n", qop=("auth",)), "u", "p")
    headers = [session.header("GET", "/") for _ in range(3)]
    assert [re.search(r"nc=(\w+)", h).group(1) for h in headers] == [
        "00000001",
        "00000002",
        "00000003",
    ]
    cnonces = {re.search(r'cnonce="([^"]+)"', h).group(1) for h in headers}
    assert len(cnonces) == 3 and all(len(c) == 32 for c in cnonces)
    assert "p" not in repr(session).replace("pha", "")


# --- kg.remote.http against a Digest server -----------------------------------------------------


class DigestServer:
    """An HTTP server on 127.0.0.1 that checks Digest MD5 (qop=auth) on every request.

    Its own check of the response (not kg's code). A nonce serves ``uses`` requests,
    then answers 401 with ``stale=true`` (when the digest was right) and a new nonce.
    Challenges go in two WWW-Authenticate fields, Basic first: kg must prefer Digest.
    """

    def __init__(self, user: str, password: str, *, uses: int = 100):
        self.user, self.password, self.uses = user, password, uses
        self.nonces: dict[str, int] = {}
        self.seen: list[tuple[str, str, str | None, int]] = []  # method, path, auth, status
        self.counter = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                auth = self.headers.get("Authorization")
                status, stale = owner.check(self.command, self.path, auth)
                owner.seen.append((self.command, self.path, auth, status))
                self.send_response(status)
                if status == 401:
                    self.send_header("WWW-Authenticate", 'Basic realm="kg"')
                    self.send_header(
                        "WWW-Authenticate",
                        f'Digest realm="kg", nonce="{owner.new_nonce()}", qop="auth",'
                        f' opaque="op4que", algorithm=MD5, stale={"true" if stale else "false"}',
                    )
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_GET = do_POST = do_PUT = _handle

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def new_nonce(self) -> str:
        self.counter += 1
        nonce = f"nonce-{self.counter}"
        self.nonces[nonce] = 0
        return nonce

    def check(self, method: str, path: str, auth: str | None) -> tuple[int, bool]:
        if not auth or not auth.startswith("Digest "):
            return 401, False
        fields: dict[str, str] = {}
        for name, quoted, bare in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', auth):
            fields[name] = quoted or bare
        if fields.get("opaque") != "op4que" or fields.get("uri") != path:
            return 400, False
        ha1 = _h("md5", f"{fields['username']}:kg:{self.password}")
        ha2 = _h("md5", f"{method}:{fields['uri']}")
        right = _h(
            "md5",
            f"{ha1}:{fields['nonce']}:{fields['nc']}:{fields['cnonce']}:{fields['qop']}:{ha2}",
        )
        if fields["username"] != self.user or fields["response"] != right:
            return 401, False
        if fields["nonce"] not in self.nonces:
            return 401, False
        self.nonces[fields["nonce"]] += 1
        if self.nonces[fields["nonce"]] > self.uses:
            return 401, True
        return 200, False

    def __enter__(self) -> DigestServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_digest_is_answered_and_the_nonce_reused():
    creds = Credentials(user="ann", password="pw-1")
    with DigestServer("ann", "pw-1") as server:
        for path in ("/q?a=1", "/q?a=2", "/store"):
            response = request("PUT", server.base + path, body=b"data", credentials=creds)
            assert response.body == b"ok"
    statuses = [(path, status) for _, path, _, status in server.seen]
    assert statuses == [("/q?a=1", 401), ("/q?a=1", 200), ("/q?a=2", 200), ("/store", 200)]
    sent = [auth for _, _, auth, _ in server.seen]
    assert sent[0] is None  # nothing before the server asks
    assert [re.search(r"nc=(\w+)", a).group(1) for a in sent[1:]] == [
        "00000001",
        "00000002",
        "00000003",
    ]
    assert all("nonce-1" in a and "pw-1" not in a for a in sent[1:])


def test_a_stale_nonce_is_replaced():
    creds = Credentials(user="ann", password="pw-1")
    with DigestServer("ann", "pw-1", uses=1) as server:
        for _ in range(2):
            request("GET", f"{server.base}/q", credentials=creds)
    assert [status for *_, status in server.seen] == [401, 200, 401, 200]
    assert 'nonce="nonce-2", nc=00000001' in server.seen[3][2]


def test_a_wrong_password_is_one_line_and_not_retried():
    creds = Credentials(user="ann", password="wrong-pw")
    with DigestServer("ann", "pw-1") as server, pytest.raises(RemoteError) as err:
        request("GET", f"{server.base}/q", credentials=creds)
    assert (
        str(err.value)
        == f"{server.base}/q: HTTP 401 Unauthorized: the server refused the credentials"
    )
    assert [status for *_, status in server.seen] == [401, 401]

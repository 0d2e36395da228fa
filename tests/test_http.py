"""kg.remote.http against real sockets on 127.0.0.1: retries, redirects, credentials, timeouts."""

from __future__ import annotations

import pytest

from kg.errors import RemoteError, UsageError
from kg.remote.http import Credentials, display_url, origin, request, split_url
from tests.sparql_server_support import (
    Reply,
    ScriptedServer,
    refusing_port,
    silent_listener,
)

SECRET = "pa55-w0rd-xyz"
CREDS = Credentials(user="ann", password=SECRET)  # for tests whose server never asks for them
BASIC = "Basic YW5uOnBhNTUtdzByZC14eXo="
ASK_BASIC = Reply(401, headers={"WWW-Authenticate": 'Basic realm="kg"'})


def creds() -> Credentials:
    """Fresh credentials: they remember, per origin, the scheme the server asked for."""
    return Credentials(user="ann", password=SECRET)


def test_connection_refused():
    with refusing_port() as port:
        url = f"http://127.0.0.1:{port}/query"
        with pytest.raises(RemoteError) as err:
            request("GET", url, retries=0)
    assert str(err.value) == f"{url}: connection refused (nothing listens on 127.0.0.1:{port})"


def test_unknown_host():
    with pytest.raises(RemoteError) as err:
        request("GET", "http://no-such-host.invalid/sparql", timeout=5)
    assert str(err.value) == (
        "http://no-such-host.invalid/sparql: cannot resolve the host name 'no-such-host.invalid'"
    )


def test_timeout_when_the_server_never_answers():
    with silent_listener() as base, pytest.raises(RemoteError) as err:
        request("GET", f"{base}/query", timeout=0.5, credentials=CREDS)
    assert str(err.value) == f"{base}/query: no answer within 0.5 s (raise it with --timeout)"


def test_500_then_200_is_retried_with_backoff():
    waits: list[float] = []
    script = [Reply(500, b"busy"), Reply(503, b"busy", {"Retry-After": "2"}), Reply(200, b"ok")]
    with ScriptedServer(script) as server:
        response = request("GET", f"{server.base}/q", sleep=waits.append)
    assert (response.status, response.body) == (200, b"ok")
    assert len(server.received) == 3
    assert waits == [0.5, 2.0]  # backoff, then what Retry-After asked


def test_5xx_gives_up_after_the_retries():
    waits: list[float] = []
    page = Reply(502, b"<html><body><h1>Bad gateway</h1></body></html>")
    with ScriptedServer([page]) as server, pytest.raises(RemoteError) as err:
        request("POST", f"{server.base}/q", body=b"x", retries=2, sleep=waits.append)
    assert str(err.value) == f"{server.base}/q: HTTP 502 Bad Gateway after 3 attempts: Bad gateway"
    assert waits == [0.5, 1.0]
    assert len(server.received) == 3


@pytest.mark.parametrize(
    ("status", "with_creds", "message"),
    [
        (
            401,
            False,
            "HTTP 401 Unauthorized: the server wants credentials (give --user and --password, or --token)",
        ),
        (401, True, "HTTP 401 Unauthorized: the server refused the credentials"),
        (403, True, "HTTP 403 Forbidden: the credentials do not allow this operation"),
        (
            403,
            False,
            "HTTP 403 Forbidden: the server does not allow this operation without credentials (give --user and --password, or --token)",
        ),
        (404, False, "HTTP 404 Not Found: no such endpoint on the server (check the URL)"),
        (400, False, "HTTP 400 Bad Request: error at 1:8: expected a variable"),
    ],
)
def test_client_errors_are_not_retried(status, with_creds, message):
    reply = Reply(status, b"error at 1:8:\n expected a variable\n", {"WWW-Authenticate": "Basic"})
    with ScriptedServer([reply]) as server, pytest.raises(RemoteError) as err:
        request("GET", f"{server.base}/q", credentials=creds() if with_creds else None)
    assert str(err.value) == f"{server.base}/q: {message}"
    # with credentials: the first request goes without them, the second answers the challenge
    sent = [r.headers.get("Authorization") for r in server.received]
    assert sent == ([None, BASIC] if with_creds else [None])


def test_credentials_are_sent_to_the_named_origin():
    script = [Reply(200, b"ok"), ASK_BASIC, Reply(200, b"ok")]
    user = creds()
    with ScriptedServer(script) as server:
        request("GET", f"{server.base}/q", credentials=Credentials(token="tok-123"))
        request("GET", f"{server.base}/q", credentials=user)
        request("GET", f"{server.base}/r", credentials=user)
    assert [r.headers.get("Authorization") for r in server.received] == [
        "Bearer tok-123",  # a token goes at once
        None,  # a password only once the server has asked for it
        BASIC,
        BASIC,  # and then at once
    ]


def test_a_server_that_never_asks_gets_no_password():
    with ScriptedServer([Reply(200, b"ok")]) as server:
        request("GET", f"{server.base}/q", credentials=creds())
    assert "Authorization" not in server.received[0].headers


def test_a_403_without_a_challenge_gets_basic():
    with ScriptedServer([Reply(403), Reply(200, b"ok")]) as server:
        response = request("PUT", f"{server.base}/q", body=b"x", credentials=creds())
    assert response.body == b"ok"
    assert [r.headers.get("Authorization") for r in server.received] == [None, BASIC]


def test_a_scheme_kg_does_not_speak():
    ask = Reply(401, headers={"WWW-Authenticate": "Negotiate, NTLM"})
    with ScriptedServer([ask]) as server, pytest.raises(RemoteError) as err:
        request("GET", f"{server.base}/q", credentials=creds())
    assert str(err.value) == (
        f"{server.base}/q: HTTP 401 Unauthorized: the server asks for Negotiate or NTLM"
        " authentication, which kg does not speak (it speaks Basic, Digest with MD5 or SHA-256,"
        " and bearer tokens)"
    )
    assert len(server.received) == 1


def test_same_origin_redirect_is_followed_with_credentials():
    script = [ASK_BASIC, Reply(307, headers={"Location": "/elsewhere"}), Reply(200, b"ok")]
    with ScriptedServer(script) as s:
        response = request("POST", f"{s.base}/q", body=b"data", credentials=creds())
    assert response.body == b"ok"
    assert response.url == f"{s.base}/elsewhere"
    assert [(r.method, r.path, r.body, r.headers.get("Authorization")) for r in s.received] == [
        ("POST", "/q", b"data", None),
        ("POST", "/q", b"data", BASIC),
        ("POST", "/elsewhere", b"data", BASIC),
    ]


def test_redirect_to_another_origin_is_not_followed():
    with ScriptedServer([Reply(200, b"stolen")]) as other:
        target = f"{other.base}/query"
        moved = Reply(302, headers={"Location": target})
        with ScriptedServer([moved]) as server, pytest.raises(RemoteError) as err:
            request("GET", f"{server.base}/query", credentials=CREDS)
    assert str(err.value) == (
        f"{server.base}/query: the server redirects to another origin ({target}); kg does not"
        " follow it, so credentials stay with the server you named (use that URL if you trust it)"
    )
    assert other.received == []
    assert SECRET not in str(err.value)


def test_a_see_other_redirect_of_a_put_is_refused():
    moved = Reply(303, headers={"Location": "/other"})
    with ScriptedServer([moved]) as server, pytest.raises(RemoteError) as err:
        request("PUT", f"{server.base}/store", body=b"x")
    assert str(err.value) == (
        f"{server.base}/store: HTTP 303: the server redirects this PUT to {server.base}/other;"
        " use that URL"
    )


def test_secrets_are_redacted_from_server_messages():
    echo = Reply(400, f"bad request from ann:{SECRET}".encode())
    with ScriptedServer([echo]) as server, pytest.raises(RemoteError) as err:
        request("GET", f"{server.base}/q", credentials=CREDS)
    assert str(err.value) == f"{server.base}/q: HTTP 400 Bad Request: bad request from ***"


def test_credentials_in_the_url_are_refused_without_echoing_them():
    with pytest.raises(UsageError) as err:
        split_url(f"http://ann:{SECRET}@127.0.0.1:1/q")
    assert str(err.value) == (
        "http://127.0.0.1:1/q: put credentials in --user/--password or --token"
        " (or KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD/KG_ENDPOINT_TOKEN), not in the URL"
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://h/q", "ftp://h/q: not an http(s) URL (write http://host:port/path)"),
        ("http:///q", "http:///q: not an http(s) URL (write http://host:port/path)"),
        ("http://h:99999/q", "http://h:99999/q: not a valid URL"),
    ],
)
def test_bad_urls(url, message):
    with pytest.raises(UsageError) as err:
        split_url(url)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"user": "a", "password": "p", "token": "t"},
            "give either --user/--password or --token, not both",
        ),
        ({"password": "p"}, "--password needs --user (or KG_ENDPOINT_USER)"),
        ({"user": "a"}, "--user a needs --password (or KG_ENDPOINT_PASSWORD)"),
        ({"user": "a:b", "password": "p"}, "--user cannot contain ':' (HTTP Basic authentication)"),
        ({"token": "t\r\nX-Evil: 1"}, "credentials cannot contain line breaks"),
    ],
)
def test_credential_options(options, message):
    with pytest.raises(UsageError) as err:
        Credentials.from_options(**options)
    assert str(err.value) == message


def test_repr_hides_secrets():
    text = repr(Credentials(user="ann", password=SECRET)) + repr(Credentials(token=SECRET))
    assert SECRET not in text


def test_origin_and_display_url():
    assert origin("https://H.example/x") == ("https", "h.example", 443)
    assert origin("http://h:8080/x") != origin("http://h:8081/x")
    assert display_url("http://u:p@h/x?y=1") == "http://h/x?y=1"

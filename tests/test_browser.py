"""kg serve in a real headless Chromium: click a query, read the table, follow the evidence.

Screenshots of every page visited are saved under each test's temporary directory.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from kg.query import query
from kg.sparql.output import shorten
from tests.serve_support import chromium

# Waiting for a page is not a timing assertion: the limit only stops a hung browser.
PAGE_LIMIT = 60


@pytest.fixture
def browser(tmp_path):
    with chromium(tmp_path / "profile") as driver:
        yield driver


def wait_for(driver, css: str):
    return WebDriverWait(driver, PAGE_LIMIT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def table_rows(driver) -> list[list[str]]:
    table = wait_for(driver, "table#results")
    return [
        [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]


def expected_rows(name: str, store) -> list[list[str]]:
    """What the table should show: IRIs shortened, literals as they are, unbound empty."""
    result = query(name, store=store)
    return [
        [
            "" if t is None else shorten(t.value) if type(t).__name__ == "NamedNode" else t.value
            for t in row
        ]
        for row in result.rows
    ]


def test_run_a_query_by_clicking_and_read_the_table(browser, mini_url, tmp_path):
    browser.get(mini_url + "/")
    browser.save_screenshot(str(tmp_path / "front.png"))
    browser.find_element(By.CSS_SELECTOR, 'button.run[data-query="participants"]').click()
    assert table_rows(browser) == [
        ["kgr:rao-ott-meeting", "kgr:asha-rao", "Asha Rao"],
        ["kgr:rao-ott-meeting", "kgr:ben-ott", "Ben Ott"],
    ]
    assert browser.find_element(By.ID, "count").text == "2 rows"
    links = browser.find_elements(By.CSS_SELECTOR, "a.download")
    assert [a.text for a in links] == ["CSV", "JSON", "TSV", "XML"]
    assert links[0].get_attribute("download") == "participants.csv"
    browser.save_screenshot(str(tmp_path / "participants.png"))
    assert (tmp_path / "participants.png").stat().st_size > 0


def test_a_parameter_typed_into_its_field(browser, mini_url, tmp_path):
    browser.get(mini_url + "/")
    field = browser.find_element(By.CSS_SELECTOR, '#q-participants input[name="meeting"]')
    field.send_keys("kgr:nothing-here")
    browser.find_element(By.CSS_SELECTOR, 'button.run[data-query="participants"]').click()
    assert table_rows(browser) == []
    assert browser.find_element(By.ID, "count").text == "0 rows"
    browser.save_screenshot(str(tmp_path / "no-rows.png"))


def test_follow_an_iri_to_its_highlighted_evidence(browser, mini_url, tmp_path):
    browser.get(mini_url + "/queries/participants")
    wait_for(browser, "table#results")
    browser.find_element(By.LINK_TEXT, "kgr:asha-rao").click()
    assert wait_for(browser, "h1#label").text == "Asha Rao"
    marks = browser.find_elements(By.CSS_SELECTOR, "#evidence mark.quote")
    assert [m.text for m in marks] == ["Minister Asha Rao"]
    context = browser.find_element(By.CSS_SELECTOR, "#evidence .context")
    assert (
        context.text
        == "Delhi, 3 May (Wire): Minister Asha Rao met Chancellor Ben Ott of Freedonia today."
    )
    # Highlighted: the stylesheet's yellow, not the page's white.
    assert marks[0].value_of_css_property("background-color") == "rgba(255, 229, 138, 1)"
    browser.save_screenshot(str(tmp_path / "asha-rao.png"))

    # On to the source: the passage is marked in the whole text and linked to the facts.
    browser.find_element(By.CSS_SELECTOR, "#evidence a.source").click()
    wait_for(browser, "#fulltext")
    assert browser.current_url.endswith("#span-21-38")
    cited = browser.find_elements(By.CSS_SELECTOR, "#fulltext mark.cite")
    assert "Minister Asha Rao" in [m.text for m in cited]
    entry = browser.find_element(By.ID, "cite-span-21-38")
    assert entry.text.splitlines() == ["Minister Asha Rao 21–38", "supports: Asha Rao STATED"]
    browser.save_screenshot(str(tmp_path / "source.png"))


def test_editor_runs_with_ctrl_enter_and_shows_errors(browser, mini_url, tmp_path):
    browser.get(mini_url + "/editor")
    editor = wait_for(browser, "textarea#editor")
    editor.clear()
    editor.send_keys("SELECT ?person WHERE { ?person a kg:Person } ORDER BY ?person")
    editor.send_keys(Keys.CONTROL, Keys.ENTER)
    assert table_rows(browser) == [["kgr:asha-rao"], ["kgr:ben-ott"]]
    browser.save_screenshot(str(tmp_path / "editor.png"))

    editor = browser.find_element(By.ID, "editor")
    editor.clear()
    editor.send_keys("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    browser.find_element(By.ID, "run-editor").click()
    error = wait_for(browser, "#error")
    assert error.text == "query: SERVICE is refused: it would send a request to another server"
    browser.save_screenshot(str(tmp_path / "editor-error.png"))


def test_seed_signing_query_by_clicking(browser, seed_url, seed_store, tmp_path):
    browser.get(seed_url + "/")
    browser.find_element(By.CSS_SELECTOR, 'button.run[data-query="signing"]').click()
    rows = table_rows(browser)
    assert rows == expected_rows("signing", seed_store)
    header = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table#results th")]
    signatories = sorted({row[header.index("signatoryLabel")] for row in rows})
    assert signatories == ["@DrSJaishankar", "Kaja Kallas", "Rajnath Singh"]
    browser.save_screenshot(str(tmp_path / "signing.png"))


def test_seed_entity_page_highlights_its_passages(browser, seed_url, tmp_path):
    browser.get(seed_url + "/entity?iri=kgr:kaja-kallas")
    assert wait_for(browser, "h1#label").text == "Kaja Kallas"
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#evidence mark.quote")]
    assert "EU Vice President Kaja Kallas" in marks
    assert all(marks)
    browser.save_screenshot(str(tmp_path / "kaja-kallas.png"))


@pytest.fixture
def other_site():
    """A page on another site (http://localhost:N, not http://127.0.0.1:PORT) with forms
    that send a query to kg serve, the way any web page a visitor opens could."""
    import http.server
    import threading

    pages: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}", pages
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("method", "path"), [("post", "/sparql"), ("get", "/sparql"), ("post", "/editor")]
)
def test_a_form_on_another_site_cannot_query_the_server(
    browser, mini_url, other_site, method, path
):
    # The same forms on the server's own pages are answered: the other tests use them.
    site, pages = other_site
    pages["/"] = (
        f'<form method="{method}" action="{mini_url}{path}">'
        '<input name="query" value="ASK {}"><button id="send">send</button></form>'
    ).encode()
    browser.get(site + "/")
    browser.find_element(By.ID, "send").click()
    WebDriverWait(browser, PAGE_LIMIT).until(lambda d: d.current_url.startswith(mini_url))
    assert wait_for(browser, "body").text == (
        "cross-site request refused (Sec-Fetch-Site: cross-site); open the page at its own address"
    )

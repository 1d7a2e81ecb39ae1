"""A source URL's credentials (userinfo, a signature, an access token) reach the server and nothing else: not
``spec/``, not the API-diff reports, not a message, not a log record."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline import api_diff, fetch_spec
from pipeline.fetch_spec import load_source, redact_url, scrub_url
from tests.pipeline.conftest import ROOT, LoopbackServer, Route

USER, PASSWORD = "u5er-zqx", "pa55-w0rd-zqx"
SIGNATURE, TOKEN = "5e1f" * 16, "t0ken-zqx-4711"
SECRETS = (USER, PASSWORD, SIGNATURE, TOKEN, "X-Amz-Signature", "access_token")
QUERY = f"X-Amz-Signature={SIGNATURE}&api-version=2&access_token={TOKEN}"
UPSTREAM = (ROOT / "spec" / "upstream.yaml").read_bytes()


def signed_url(server: LoopbackServer, path: str, route: Route) -> str:
    """``path`` served with ``route`` at a URL with userinfo and token-like query parameters."""
    plain = server.serve(f"{path}?{QUERY}", route)
    return plain.replace("http://", f"http://{USER}:{PASSWORD}@", 1)


def leaks(*texts: str) -> list[str]:
    """The secrets that appear in any of ``texts``."""
    return [secret for secret in SECRETS if any(secret in text for text in texts)]


Said = Callable[[], tuple[str, str, str]]


@pytest.fixture
def said(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> Said:
    """What the command said so far: stdout, stderr and every log record of any level, one per line."""
    caplog.set_level(logging.DEBUG)

    def read() -> tuple[str, str, str]:
        output = capsys.readouterr()
        return output.out, output.err, "\n".join(f"{record.name}: {record.getMessage()}" for record in caplog.records)

    return read


def test_a_pull_records_scheme_host_and_path_and_nothing_secret(
    http_server: LoopbackServer, spec_dir: Path, said: Said
) -> None:
    url = signed_url(http_server, "/upstream.yaml", Route(UPSTREAM, headers={"Content-Type": "application/yaml"}))

    code = fetch_spec.main([url, "--spec-dir", str(spec_dir)])

    out, err, logged = said()
    assert code == 0, err
    assert http_server.requested == [f"/upstream.yaml?{QUERY}"]
    assert "HTTP Request: GET http://127.0.0.1:" in logged
    files = [path.read_text(encoding="utf-8") for path in spec_dir.iterdir()]
    assert leaks(*files, out, err, logged) == []
    assert json.loads((spec_dir / "source.json").read_text())["source"] == http_server.url("/upstream.yaml")


FAILURES = {
    "http-error": (Route(b"gone", status=404), "HTTP 404 Not Found from http://127.0.0.1:"),
    "redirect": (
        Route(b"", status=302, headers={"Location": f"ftp://{USER}@x.invalid/a?access_token={TOKEN}"}),
        "ftp://",
    ),
    "not-a-document": (Route(b"<!DOCTYPE html><html><body>sign in</body></html>"), "http://127.0.0.1:"),
}


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failed_pull_names_the_url_without_its_secrets(
    http_server: LoopbackServer, spec_dir: Path, said: Said, failure: str
) -> None:
    route, words = FAILURES[failure]
    before = {path.name: path.read_bytes() for path in spec_dir.iterdir()}

    code = fetch_spec.main([signed_url(http_server, "/upstream.yaml", route), "--spec-dir", str(spec_dir)])

    out, err, logged = said()
    assert code == 1
    assert words in err
    assert leaks(out, err, logged) == []
    assert {path.name: path.read_bytes() for path in spec_dir.iterdir()} == before


def test_the_api_diff_reports_name_a_url_without_its_secrets(
    http_server: LoopbackServer, tmp_path: Path, said: Said
) -> None:
    url = signed_url(http_server, "/upstream.yaml", Route(UPSTREAM))
    markdown, report = tmp_path / "r.md", tmp_path / "r.json"

    code = api_diff.main([url, url, "--markdown", str(markdown), "--json", str(report), "--no-cache"])

    out, err, logged = said()
    assert code == 0, err
    assert f"`{http_server.url('/upstream.yaml')}`" in markdown.read_text(encoding="utf-8")
    reports = (markdown.read_text(encoding="utf-8"), report.read_text(encoding="utf-8"))
    assert leaks(*reports, out, err, logged) == []


def test_only_the_query_parameters_a_setting_names_safe_are_kept(http_server: LoopbackServer, tmp_path: Path) -> None:
    url = signed_url(http_server, "/upstream.yaml", Route(UPSTREAM))
    (tmp_path / "pyproject.toml").write_text('[tool.payex-spec]\nsafe-query-parameters = ["api-version"]\n')

    assert load_source(url, root=tmp_path).source == http_server.url("/upstream.yaml?api-version=2")
    assert load_source(url, root=ROOT).source == http_server.url("/upstream.yaml")
    assert (
        redact_url("https://h.invalid:8443/a%20b/c.json?v=1#frag", {"v"}) == "https://h.invalid:8443/a%20b/c.json?v=1"
    )


def test_scrubbing_removes_userinfo_and_token_values_quoted_apart_from_the_url() -> None:
    url = f"https://{USER}:{PASSWORD}@h.invalid/a.json?{QUERY}"
    message = f"bad {url}; token {TOKEN}, user {USER}:{PASSWORD}, short v=2"

    scrubbed = scrub_url(message, url)

    assert leaks(scrubbed) == []
    assert "bad https://h.invalid/a.json;" in scrubbed
    assert scrubbed.endswith("short v=2")
    assert scrub_url(message, "spec/upstream.yaml") == message

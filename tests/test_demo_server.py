"""The README's demo command serves the portal the production way: gunicorn, DEBUG off, static
files collected and served by WhiteNoise, the portal's own error pages.

Runs ``scripts/demo --no-seed`` exactly as the README does, pointed at a temporary SQLite file,
a temporary static directory and a free port, and talks to it over HTTP.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# Variables of the test run that are not the demo's: the test settings module, the services.
NOT_THE_DEMOS = ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "DATABASE_URL", "CELERY_BROKER_URL",
                 "CELERY_RESULT_BACKEND", "CACHE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "STATIC_ROOT", "PORT")
# No proxy from the environment: the server is on the loopback.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with OPENER.open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("demo")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in NOT_THE_DEMOS}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", STATIC_ROOT=str(tmp_path / "static"),
               PORT=str(port), WEB_CONCURRENCY="1")
    log = (tmp_path / "demo.log").open("w")
    server = subprocess.Popen([str(REPO_ROOT / "scripts" / "demo"), "--no-seed"], cwd=REPO_ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            if server.poll() is not None:
                pytest.fail(f"scripts/demo exited with {server.returncode}:\n{(tmp_path / 'demo.log').read_text()}")
            try:
                _get(base + "/accounts/login/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"scripts/demo did not answer in time:\n{(tmp_path / 'demo.log').read_text()}")
                time.sleep(0.5)
        yield base
    finally:
        # scripts/demo execs gunicorn: its process group is the server and its workers.
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def test_the_demo_command_serves_the_login_page_and_static_files_with_gunicorn_and_debug_off(demo_server):
    status, headers, login = _get(demo_server + "/accounts/login/")

    assert status == 200
    assert headers["Server"] == "gunicorn"
    assert "登录" in login and "csrfmiddlewaretoken" in login
    # A content-hashed name: the manifest storage of a collectstatic run, which DEBUG off needs.
    stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', login)
    assert stylesheet, login

    status, headers, css = _get(demo_server + stylesheet.group(1))

    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert "immutable" in headers["Cache-Control"]  # WhiteNoise's header for hashed files
    assert ".login-card" in css


def test_the_demo_server_answers_a_missing_page_with_the_portals_404_and_no_debug_listing(demo_server):
    status, _headers, page = _get(demo_server + "/no-such-page/")

    assert status == 404
    assert 'data-testid="error-page"' in page and "五强组织" in page
    for debug_only in ("URLconf", "Traceback", "DEBUG = True", "urlpatterns", "admin/"):
        assert debug_only not in page

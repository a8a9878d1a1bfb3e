"""The real app: each test module gets a data folder of its own (a copy of the demo database,
built once per session), `streamlit run serve.py` (the app and its own routes, as `make run`
starts them) on a free port using it, and Debian's Chromium driven by Playwright (never a
downloaded browser). What one module writes, no other module sees."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy.engine import Engine

from bench.postgres import free_port
from db.engine import DATA_DIR_VARIABLE, create_engine_for
from tests.conftest import REPO, copy_data_folder
from tests.e2e.browser import EXPECT_TIMEOUT_MS, new_page, wait_until

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_SECONDS = 120
PORT_ATTEMPTS = 3


@pytest.fixture(scope="session", autouse=True)
def _generous_expect_timeout() -> None:
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where each step's screenshot goes (`POSITIONEN_SCREENSHOTS`, else a temp dir)."""
    folder = Path(
        os.environ.get("POSITIONEN_SCREENSHOTS") or tempfile.mkdtemp(prefix="positionen-screens-")
    )
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def app_data(
    request: pytest.FixtureRequest,
    sqlite_demo_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, str]:
    """The environment of this module's app: a data folder of its own holding a copy of the
    demo database (`positionen.db`), so no module sees what another one wrote."""
    module = request.module.__name__.rsplit(".", 1)[-1]
    folder = tmp_path_factory.mktemp(f"app-{module}") / "daten"
    copy_data_folder(sqlite_demo_template, folder)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env[DATA_DIR_VARIABLE] = str(folder)
    env["PYTHONUNBUFFERED"] = "1"  # the log shows at once that the server is listening
    return env


def app_engine(app_data: dict[str, str]) -> Engine:
    """An engine on this module's app database, for arranging what a test needs and checking
    what the app stored (dispose of it when done)."""
    return create_engine_for(f"sqlite:///{Path(app_data[DATA_DIR_VARIABLE]) / 'positionen.db'}")


@pytest.fixture(scope="module")
def app_url(app_data: dict[str, str]) -> Iterator[str]:
    """This module's app server, on a free port, using this module's data folder."""
    log = Path(app_data[DATA_DIR_VARIABLE]).with_name("streamlit.log")
    with running_app(app_data, log) as url:
        yield url


@contextmanager
def running_app(env: dict[str, str], log: Path) -> Iterator[str]:
    """`streamlit run serve.py` on a free port until the block ends. Another process may take
    the port between our probe and Streamlit's bind: then it is tried again on another one."""
    for _attempt in range(PORT_ATTEMPTS):
        port = free_port()
        with log.open("wb") as output:
            server = subprocess.Popen(
                streamlit_command(port), cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        url = f"http://127.0.0.1:{port}"
        try:
            if wait_until_serving(url, server, log):
                yield url
                return
        finally:
            stop(server)
    pytest.fail(f"streamlit found no free port in {PORT_ATTEMPTS} attempts:\n{tail(log)}")


def streamlit_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "serve.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]


def wait_until_serving(url: str, server: subprocess.Popen[bytes], log: Path) -> bool:
    """True once *our* server answers its health check; False if it could not get the port."""

    def serving() -> str | None:
        if server.poll() is not None:
            return "port taken" if "is not available" in tail(log) else "exited"
        # Streamlit names its address only once it holds the port: before that, an answer
        # on the port could come from someone else's server.
        if f"URL: {url}" not in tail(log):
            return None
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
                return "serving" if response.status == 200 else None
        except OSError:
            return None

    outcome = wait_until(
        serving,
        timeout=STARTUP_SECONDS,
        what=f"streamlit serving at {url}",
        explain=lambda: tail(log),
    )
    if outcome == "exited":
        pytest.fail(f"streamlit exited with {server.returncode}:\n{tail(log)}")
    return outcome == "serving"


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`make test` does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a browser context of this test's own."""
    page = new_page(browser)
    yield page
    page.context.close()

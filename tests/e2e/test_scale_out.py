"""Scale-out as deploy/ describes it: two app replicas on one PostgreSQL database and one file
store, behind Debian's nginx running deploy/nginx.conf, driven in headless Chromium.

The database is created empty and prepared the way an operator does it (`positionen migrate`,
then `positionen demo`); the replicas start with the flags of deploy/positionen@.service and
one shared cookie secret. What one replica writes, the other reads; two editors of one
paragraph on different replicas get the conflict view; nginx pins each browser to one replica
and carries the WebSocket.
"""

from __future__ import annotations

import http.client
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from bench.postgres import free_port
from db.engine import create_engine_for, read_session
from db.models import Paper
from tests.conftest import REPO, PostgresCluster
from tests.e2e.browser import new_page, open_editor, saved_text, snapshot, wait_until
from tests.e2e.test_journeys import log_in
from tests.e2e.test_papers import TDA_PAPER

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

DEPLOY = REPO / "deploy"
NGINX = "/usr/sbin/nginx"
POSITIONEN = str(Path(sys.executable).with_name("positionen"))
COOKIE_SECRET = "scale-out-test-cookie-secret-0123456789abcdef"
STARTUP_SECONDS = 120
# Loads a same-origin address in an iframe and returns its text (or why it was blocked).
SAME_ORIGIN_FRAME = """(address) => new Promise((resolve) => {
    const frame = document.createElement("iframe");
    frame.onload = () => {
        try { resolve(frame.contentDocument.body.innerText.trim()); }
        catch (error) { resolve("blocked: " + error); }
    };
    frame.src = address;
    document.body.appendChild(frame);
})"""


@dataclass
class Deployment:
    replicas: list[str]  # each replica's own address, bypassing nginx
    proxy: str  # nginx
    database_url: str
    access_log: Path

    def upstream_of(self, replica: str) -> str:
        return replica.removeprefix("http://")


# --- rendering the deploy files ---------------------------------------------------------------


def production_flags() -> list[str]:
    """The Makefile's STREAMLIT_FLAGS (what `make run` passes) as "flag value", bar port and
    address, which differ behind nginx."""
    makefile = (REPO / "Makefile").read_text()
    found = re.search(r"^STREAMLIT_FLAGS :=(.*?)(?<!\\)$", makefile, re.MULTILINE | re.DOTALL)
    assert found is not None, "the Makefile has no STREAMLIT_FLAGS"
    words = found.group(1).replace("\\\n", " ").split()
    pairs = [f"{flag} {value}" for flag, value in zip(words[::2], words[1::2], strict=True)]
    return [p for p in pairs if not p.startswith(("--server.port", "--server.address"))]


def streamlit_arguments(port: int) -> list[str]:
    """The ExecStart of deploy/positionen@.service for instance `port`, from `run` on."""
    unit = (DEPLOY / "positionen@.service").read_text()
    command = re.search(r"^ExecStart=(.*?)(?<!\\)$", unit, re.MULTILINE | re.DOTALL)
    assert command is not None, "positionen@.service has no ExecStart"
    words = shlex.split(command.group(1).replace("\\\n", " "))
    assert words[0].endswith("/streamlit") and words[1:3] == ["run", "serve.py"]
    return [word.replace("%i", str(port)) for word in words[1:]]


def render_site(*, listen: str, upstreams: list[str], access_log: Path) -> str:
    """deploy/nginx.conf with its envsubst placeholders filled in."""
    values = {
        "POSITIONEN_LISTEN": listen,
        "POSITIONEN_SERVER_NAME": "localhost",
        "POSITIONEN_UPSTREAMS": " ".join(f"server {u};" for u in upstreams),
        "POSITIONEN_ACCESS_LOG": str(access_log),
    }
    template = (DEPLOY / "nginx.conf").read_text()
    used = set(re.findall(r"\$\{(POSITIONEN_[A-Z_]+)\}", template))
    assert used == set(values), f"placeholders in deploy/nginx.conf: {sorted(used)}"
    return re.sub(r"\$\{(POSITIONEN_[A-Z_]+)\}", lambda m: values[m.group(1)], template)


def main_config(prefix: Path, site: Path) -> str:
    """A whole nginx.conf around the site file, with every path inside `prefix`."""
    # As root, workers run as nobody (never as root); they only need the temp folders, which
    # the master creates for them inside the world-traversable prefix.
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 1;\npid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} warn;\n"
        "events { worker_connections 256; }\n"
        f"http {{\n    access_log off;\n{temp}\n    include {site};\n}}\n"
    )


# --- processes --------------------------------------------------------------------------------


class Processes:
    """Child processes with their output in log files; stopped in reverse order."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        with (self.folder / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self.running.append((name, process))

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def wait_healthy(self, name: str, url: str, deadline: float) -> None:
        process = dict(self.running)[name]

        def healthy() -> bool:
            if process.poll() is not None:
                pytest.fail(f"{name} exited with {process.returncode}:\n{self.log(name)}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
                    return bool(response.status == 200)
            except OSError:
                return False

        wait_until(
            healthy,
            timeout=max(deadline - time.monotonic(), 0),
            what=f"{name} answering {url}/_stcore/health",
            explain=lambda: self.log(name),
        )

    def stop_all(self) -> None:
        for _name, process in reversed(self.running):
            if process.poll() is None:
                process.terminate()
        for _name, process in reversed(self.running):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def run_cli(command: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [POSITIONEN, command], env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, f"positionen {command}: {result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def empty_database(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A database without any table, as an operator gets it from the DBA."""
    name = f"scale_out_{os.getpid()}"
    admin = sa.create_engine(postgres_cluster.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield postgres_cluster.url(name)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@pytest.fixture(scope="module")
def deployment(empty_database: str) -> Iterator[Deployment]:
    if not Path(NGINX).exists():
        pytest.fail(f"{NGINX} is missing: install Debian's nginx (`make test` does)")
    root = Path(tempfile.mkdtemp(prefix="positionen-scale-out-"))
    root.chmod(0o755)  # nginx workers (nobody) create their temp files below it
    files, nginx_prefix = root / "files", root / "nginx"
    files.mkdir()
    nginx_prefix.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env |= {
        "DATABASE_URL": empty_database,
        "POSITIONEN_DATA_DIR": str(files),  # the shared file store
        "STREAMLIT_SERVER_COOKIE_SECRET": COOKIE_SECRET,
    }
    # Once, before any replica starts (deploy/README.md, "Migrations").
    assert "upgraded from empty" in run_cli("migrate", env)
    assert "demo data loaded" in run_cli("demo", env)

    processes = Processes(root)
    try:
        ports = [free_port(), free_port()]
        replicas = [f"http://127.0.0.1:{port}" for port in ports]
        for number, port in enumerate(ports, start=1):
            command = [sys.executable, "-m", "streamlit", *streamlit_arguments(port)]
            processes.start(f"replica-{number}", command, env)

        access_log = nginx_prefix / "access.log"
        proxy_port = free_port()
        site = nginx_prefix / "positionen.conf"
        site.write_text(
            render_site(
                listen=f"127.0.0.1:{proxy_port}",
                upstreams=[r.removeprefix("http://") for r in replicas],
                access_log=access_log,
            )
        )
        config = nginx_prefix / "nginx.conf"
        config.write_text(main_config(nginx_prefix, site))
        nginx = [NGINX, "-p", str(nginx_prefix), "-c", str(config), "-e", "stderr"]
        checked = subprocess.run(
            [*nginx, "-t"], capture_output=True, text=True, timeout=30, check=False
        )
        assert checked.returncode == 0, checked.stderr
        processes.start("nginx", [*nginx, "-g", "daemon off;"], env)

        deadline = time.monotonic() + STARTUP_SECONDS
        for number, replica in enumerate(replicas, start=1):
            processes.wait_healthy(f"replica-{number}", replica, deadline)
        proxy = f"http://127.0.0.1:{proxy_port}"
        processes.wait_healthy("nginx", proxy, deadline)
        yield Deployment(replicas, proxy, empty_database, access_log)
    finally:
        processes.stop_all()
        shutil.rmtree(root, ignore_errors=True)


# --- helpers ----------------------------------------------------------------------------------


def access_lines(deployment: Deployment) -> list[dict[str, str]]:
    """The access log as (request, status, upstream, replica cookie) records."""
    pattern = re.compile(
        r'"(?P<request>[^"]*)" (?P<status>\d+) .* upstream=(?P<upstream>\S+) '
        r"replica=(?P<replica>\S+)$"
    )
    lines = deployment.access_log.read_text().splitlines()
    return [m.groupdict() for m in map(pattern.search, lines) if m]


def get(url: str, *, cookie: str | None = None) -> http.client.HTTPResponse:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    response: http.client.HTTPResponse = urllib.request.urlopen(request, timeout=10)
    response.read()
    response.close()
    return response


def paper_id(deployment: Deployment) -> int:
    engine = create_engine_for(deployment.database_url)
    with read_session(engine) as session:
        paper = session.exec(select(Paper).where(Paper.title == TDA_PAPER)).one()
    engine.dispose()
    assert paper.id is not None
    return paper.id


def open_paper(browser: Browser, base: str, paper: int, email: str) -> Page:
    page = new_page(browser, height=1600)
    page.goto(f"{base}/papier?papier={paper}")
    log_in(page, email)
    expect(page.get_by_role("heading", name=TDA_PAPER)).to_be_visible()
    return page


# --- tests ------------------------------------------------------------------------------------


def test_deploy_files_start_replicas_with_the_production_flags() -> None:
    arguments = " ".join(streamlit_arguments(8501))
    compose = (DEPLOY / "compose.yaml").read_text()
    flags = production_flags()
    assert "--server.enableXsrfProtection true" in flags
    for flag in flags:
        assert flag in arguments
        assert flag in " ".join(compose.split())
    assert "--server.address 127.0.0.1" in arguments
    assert "STREAMLIT_SERVER_COOKIE_SECRET" in compose


def test_nginx_pins_each_browser_to_one_replica_and_sets_the_headers(
    deployment: Deployment,
) -> None:
    first = get(deployment.proxy + "/")
    assert first.status == 200
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert first.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert first.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert first.headers["Referrer-Policy"] == "same-origin"
    assert first.headers["Server"] == "nginx"  # no version
    pin = re.search(r"positionen_replica=([0-9a-f]{32});", first.headers["Set-Cookie"])
    assert pin is not None

    # 24 browsers, each asking three times: each always reaches the same replica, and both
    # replicas get browsers (all 24 on one would happen about once in 8 million runs).
    cookies = [f"positionen_replica={n:032x}" for n in range(1, 25)]
    for cookie in cookies * 3:
        get(deployment.proxy + "/", cookie=cookie)
    get(deployment.proxy + "/", cookie=f"positionen_replica={pin.group(1)}")
    served: dict[str, set[str]] = {}
    for line in access_lines(deployment):
        served.setdefault(line["replica"], set()).add(line["upstream"])
    assert all(len(upstreams) == 1 for upstreams in served.values()), served
    assert set().union(*served.values()) == {deployment.upstream_of(r) for r in deployment.replicas}

    # Larger than Streamlit's upload limit: refused by nginx before any replica sees it.
    connection = http.client.HTTPConnection(deployment.proxy.removeprefix("http://"), timeout=10)
    connection.putrequest("PUT", "/_stcore/upload_file/session/file")
    connection.putheader("Content-Length", str(52 * 1024 * 1024))
    connection.endheaders()
    assert connection.getresponse().status == 413
    connection.close()


def test_a_browser_works_through_nginx_over_the_websocket(
    browser: Browser, deployment: Deployment, screenshots: Path
) -> None:
    page = new_page(browser)
    context = page.context
    page.goto(deployment.proxy)
    log_in(page, "referat@demo.example")  # the form reaches the replica over the WebSocket
    expect(page.get_by_role("heading", name="Guten Tag, Ralf Reiners")).to_be_visible()
    page.get_by_role("link", name="Papiere").first.click()
    expect(page.get_by_text(TDA_PAPER).first).to_be_visible()
    snapshot(page, screenshots / "scale-out-1-through-nginx.png")
    # X-Frame-Options SAMEORIGIN still lets the app frame its own pages (components do).
    framed = page.evaluate(SAME_ORIGIN_FRAME, "/_stcore/health")
    assert framed == "ok", framed
    pin = next(c["value"] for c in context.cookies() if c["name"] == "positionen_replica")
    context.close()

    # nginx logs the WebSocket when it closes, a moment after the browser has gone.
    def ours() -> list[dict[str, str]]:
        return [line for line in access_lines(deployment) if line["replica"] == pin]

    def streams() -> list[dict[str, str]]:
        return [line for line in ours() if line["request"].startswith("GET /_stcore/stream")]

    stream = wait_until(
        streams, timeout=30, what="nginx logging the closed WebSocket", explain=ours
    )
    lines = ours()
    assert all(line["status"] == "101" for line in stream), lines
    assert len({line["upstream"] for line in lines}) == 1, lines


def test_one_replica_reads_what_the_other_wrote_and_a_stale_save_conflicts(
    browser: Browser, deployment: Deployment, screenshots: Path
) -> None:
    replica_a, replica_b = deployment.replicas
    paper = paper_id(deployment)
    on_a = open_paper(browser, replica_a, paper, "referat@demo.example")
    on_b = open_paper(browser, replica_b, paper, "s.schulte@demo.example")
    for page in (on_a, on_b):
        open_editor(page)

    on_a.get_by_role("textbox", name="Text").first.fill("Fassung aus Replik A.")
    on_a.get_by_role("button", name="Speichern").first.click()
    expect(saved_text(on_a, "Fassung aus Replik A.")).to_be_visible()

    # B opened the paragraph before A saved: its save is stale, and replica B shows the text
    # replica A wrote, read from the shared database.
    on_b.get_by_role("textbox", name="Text").first.fill("Fassung aus Replik B.")
    on_b.get_by_role("button", name="Speichern").first.click()
    expect(on_b.get_by_text("während Sie ihn bearbeitet haben")).to_be_visible()
    expect(on_b.get_by_text("Ralf Reiners hat diesen Absatz gespeichert")).to_be_visible()
    expect(on_b.get_by_text("Fassung aus Replik A.").first).to_be_visible()
    snapshot(on_b, screenshots / "scale-out-2-conflict-on-b.png")
    on_b.get_by_role("button", name="Meine übernehmen").click()
    expect(on_b.get_by_text("während Sie ihn bearbeitet haben")).to_have_count(0)
    expect(on_b.get_by_text("Fassung aus Replik B.").first).to_be_visible()
    on_a.context.close()
    on_b.context.close()

    # What B wrote is what A shows now, and what nginx serves (from either replica).
    for base, email in (
        (replica_a, "referat@demo.example"),
        (deployment.proxy, "vorstand@demo.example"),
    ):
        page = open_paper(browser, base, paper, email)
        expect(page.get_by_text("Fassung aus Replik B.").first).to_be_visible()
        expect(page.get_by_text("Fassung aus Replik A.")).to_have_count(0)
        page.context.close()


def test_nginx_hides_the_metrics_and_keeps_invitation_tokens_out_of_its_log(
    deployment: Deployment,
) -> None:
    assert get(deployment.replicas[0] + "/_stcore/metrics").status == 200  # on its own port
    for path in ("/_stcore/metrics", "//_stcore/metrics", "/_stcore/%6detrics?format=x"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            get(deployment.proxy + path)
        assert refused.value.code == 404, path
    assert get(deployment.proxy + "/_stcore/health").status == 200

    token = "geheimes-einladungs-token-im-log"
    assert get(f"{deployment.proxy}/aufruf?einladung={token}&aufruf=1").status == 200
    log = wait_until(
        lambda: [line for line in access_lines(deployment) if "/aufruf" in line["request"]],
        timeout=10,
        what="nginx logging the invitation request",
    )
    assert [line["request"] for line in log] == ["GET /aufruf HTTP/1.1"]
    assert token not in deployment.access_log.read_text()

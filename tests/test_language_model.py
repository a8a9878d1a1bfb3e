"""The client for the association's own language model, against a local server on 127.0.0.1
that speaks the chat-completions protocol with scripted answers: good answers, malformed
ones, timeouts, HTTP errors, redirects. And the admin's settings for it, on the page too."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from db.engine import create_engine_for, read_session, write_session
from db.models import AuditEvent, Setting
from positions.core import language_model, settings
from positions.core.errors import InvalidInput, PermissionDenied
from positions.core.language_model import LanguageModelError
from positions.core.permissions import SYSTEM
from positions.core.settings import LanguageModel
from tests import factories
from tests.apptest import log_in
from tests.test_app import switch


def completion(content: str) -> bytes:
    """A chat-completions answer as OpenAI-compatible servers send it."""
    return json.dumps(
        {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "model": "test-model",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content}},
            ],
        }
    ).encode()


@dataclass(frozen=True)
class Script:
    """One scripted answer: a status and a body, after an optional delay."""

    body: bytes = b""
    status: int = 200
    delay: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()


def reply(content: str | dict[str, Any]) -> Script:
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    return Script(completion(text))


@dataclass
class ModelServer:
    """A chat-completions endpoint on 127.0.0.1 that answers from a script (the last answer
    repeats) and keeps every request it received."""

    answers: list[Script] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def config(self, **changes: Any) -> LanguageModel:
        values: dict[str, Any] = {"base_url": self.base_url, "model": "test-model"}
        values.update(changes)
        return LanguageModel(**values)

    def next_answer(self) -> Script:
        if len(self.answers) > 1:
            return self.answers.pop(0)
        return self.answers[0] if self.answers else reply({"ok": True})

    def everything_sent(self) -> str:
        """Every byte every request carried, decoded: for asserting what never left."""
        return "\n".join(raw.decode("utf-8") for raw in self.raw)


def _handler(server: ModelServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            server.raw.append(raw)
            server.paths.append(self.path)
            server.headers.append(dict(self.headers.items()))
            try:
                server.bodies.append(json.loads(raw))
            except ValueError:
                server.bodies.append({})
            answer = server.next_answer()
            if answer.delay:
                time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except OSError:  # the client gave up waiting
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def model_server() -> Iterator[ModelServer]:
    server = ModelServer()
    http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    http.daemon_threads = True
    http.block_on_close = False
    server.port = http.server_address[1]
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield server
    http.shutdown()
    http.server_close()


ASK = [{"role": "user", "content": "Geheimtext über Netzentgelte"}]


def test_a_good_answer_comes_back_as_json(model_server: ModelServer) -> None:
    model_server.answers = [reply({"name": "Netzentgelte senken"})]
    answer = language_model.chat_json(model_server.config(), ASK)
    assert answer == {"name": "Netzentgelte senken"}
    [body] = model_server.bodies
    assert model_server.paths == ["/v1/chat/completions"]
    assert body["model"] == "test-model" and body["messages"] == ASK
    assert body["response_format"] == {"type": "json_object"}
    assert "Authorization" not in model_server.headers[0]


def test_the_api_key_goes_as_a_bearer_token(model_server: ModelServer) -> None:
    language_model.chat_json(model_server.config(api_key="s3cret"), ASK)
    assert model_server.headers[0]["Authorization"] == "Bearer s3cret"


def test_a_json_answer_inside_a_code_fence_is_read(model_server: ModelServer) -> None:
    model_server.answers = [reply('```json\n{"name": "Thema"}\n```')]
    assert language_model.chat_json(model_server.config(), ASK) == {"name": "Thema"}


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (Script(b"<html>Bad Gateway</html>"), "keine lesbare Antwort"),
        (Script(b'{"choices": []}'), "keine lesbare Antwort"),
        (reply("Gerne! Hier ist Ihr Thema: Netzentgelte."), "nicht im verlangten Format"),
        (reply('{"name": "abgebrochen'), "nicht im verlangten Format"),
        (reply("[1, 2, 3]"), "nicht im verlangten Format"),
        (Script(b"Internal Server Error", status=500), "HTTP 500"),
        (Script(b"", status=401), "API-Schlüssel"),
        (Script(b"", status=404), "Adresse und Modellnamen"),
    ],
)
def test_malformed_answers_and_http_errors_give_a_german_message(
    model_server: ModelServer, script: Script, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    model_server.answers = [script]
    with caplog.at_level(logging.WARNING), pytest.raises(LanguageModelError) as raised:
        language_model.chat_json(model_server.config(), ASK)
    assert message in raised.value.message
    # The log gets an English reason, never what was sent.
    assert "language model request failed" in caplog.text
    assert "Geheimtext" not in caplog.text


def test_a_model_that_does_not_answer_in_time_is_given_up_on(model_server: ModelServer) -> None:
    model_server.answers = [Script(completion("{}"), delay=2.0)]
    started = time.monotonic()
    with pytest.raises(LanguageModelError) as raised:
        language_model.chat_json(model_server.config(timeout_seconds=0.3), ASK)
    assert time.monotonic() - started < 1.8
    assert "nicht innerhalb von 0,3 Sekunden geantwortet" in raised.value.message
    assert raised.value.reason == "timeout after 0.3 s"


def test_an_unreachable_model_gives_a_german_message() -> None:
    # Nothing listens on a port just released.
    probe = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = probe.server_address[1]
    probe.server_close()
    config = LanguageModel(base_url=f"http://127.0.0.1:{port}/v1", model="m", timeout_seconds=2)
    with pytest.raises(LanguageModelError, match="nicht erreichbar"):
        language_model.chat_json(config, ASK)


def test_a_redirect_is_not_followed(model_server: ModelServer) -> None:
    """Statements go to the configured address only, never on to another one."""
    elsewhere = "http://127.0.0.1:9/v1/chat/completions"
    model_server.answers = [Script(b"", status=302, headers=(("Location", elsewhere),))]
    with pytest.raises(LanguageModelError, match="HTTP 302"):
        language_model.chat_json(model_server.config(), ASK)
    assert len(model_server.raw) == 1


def test_a_proxy_from_the_environment_is_not_used(
    model_server: ModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert language_model.chat_json(model_server.config(), ASK) == {"ok": True}


@pytest.mark.parametrize("address", ["file:///etc/passwd", "ftp://host/v1", "127.0.0.1:11434"])
def test_only_web_addresses_are_asked(address: str) -> None:
    with pytest.raises(LanguageModelError, match="Adresse des Sprachmodells ist ungültig"):
        language_model.chat_json(LanguageModel(base_url=address, model="m"), ASK)


def test_the_connection_test_names_the_model(model_server: ModelServer) -> None:
    confirmation = language_model.check_connection(model_server.config())
    assert confirmation.startswith("Das Modell „test-model“ antwortet (")
    assert model_server.bodies[0]["max_tokens"] == 20


# --- settings ------------------------------------------------------------------------------


def test_without_settings_there_is_no_model(engine: Engine) -> None:
    with read_session(engine) as session:
        assert settings.language_model(session=session) is None


def test_admins_store_the_model_and_the_key_stays_out_of_the_audit(engine: Engine) -> None:
    values = LanguageModel(
        base_url=" http://llm.verband.local:11434/v1/ ",
        model=" llama3.1:8b ",
        api_key="s3cret",
        timeout_seconds=30,
    )
    with write_session(engine) as session:
        settings.save_language_model(session=session, actor=SYSTEM, values=values)
    with read_session(engine) as session:
        stored = settings.language_model(session=session)
        assert stored == LanguageModel(
            base_url="http://llm.verband.local:11434/v1",
            model="llama3.1:8b",
            api_key="s3cret",
            timeout_seconds=30.0,
        )
        assert not stored.send_internal and not stored.send_anonymous
        events = session.exec(select(AuditEvent).where(AuditEvent.object_type == "setting")).all()
        assert events and "s3cret" not in json.dumps([e.detail for e in events])
    with write_session(engine) as session:
        settings.save_language_model(session=session, actor=SYSTEM, values=None)
    with read_session(engine) as session:
        assert settings.language_model(session=session) is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (LanguageModel(base_url="file:///etc", model="m"), "http:// oder https://"),
        (LanguageModel(base_url="http://llm/v1", model=" "), "Namen des Modells"),
        (LanguageModel(base_url="http://llm/v1", model="m", timeout_seconds=0), "Wartezeit"),
    ],
)
def test_bad_model_settings_are_refused(
    engine: Engine, values: LanguageModel, message: str
) -> None:
    with write_session(engine) as session, pytest.raises(InvalidInput, match=message):
        settings.save_language_model(session=session, actor=SYSTEM, values=values)


def test_only_admins_configure_the_model(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        with pytest.raises(PermissionDenied):
            settings.save_language_model(
                session=session, actor=staff, values=LanguageModel("http://llm/v1", "m")
            )


# --- the settings page ---------------------------------------------------------------------


def model_form(app: AppTest) -> dict[str, Any]:
    """The widgets of the language model's form, by label."""
    widgets = [
        *app.text_input,
        *app.number_input,
        *app.checkbox,
        *app.button,
    ]
    return {w.label: w for w in widgets if "language_model" in str(getattr(w, "form_id", ""))}


def test_the_admin_tests_and_saves_the_model_on_the_settings_page(
    demo_url: str, model_server: ModelServer
) -> None:
    app = switch(log_in("admin@demo.example"), "ui/pages/settings.py")
    assert "Sprachmodell (optional)" in [s.value for s in app.subheader]
    form = model_form(app)
    form["Adresse des Modells"].input(model_server.base_url)
    form["Modell"].input("test-model")
    form["API-Schlüssel (falls der Dienst einen verlangt)"].input("s3cret")
    assert form["„nur intern“-Stellungnahmen an das Modell senden erlaubt"].value is False
    form["Verbindung testen"].click().run()
    assert not app.exception and not app.error
    assert any("Das Modell „test-model“ antwortet" in s.value for s in app.success)
    assert model_server.headers[-1]["Authorization"] == "Bearer s3cret"
    with read_session(create_engine_for(demo_url)) as session:
        assert session.get(Setting, settings.LANGUAGE_MODEL) is None  # a test saves nothing

    form = model_form(app)
    form["Adresse des Modells"].input(model_server.base_url)
    form["Modell"].input("test-model")
    form["API-Schlüssel (falls der Dienst einen verlangt)"].input("s3cret")
    form["Sprachmodell speichern"].click().run()
    assert not app.exception and not app.error
    with read_session(create_engine_for(demo_url)) as session:
        stored = settings.language_model(session=session)
    assert stored is not None and stored.api_key == "s3cret" and stored.model == "test-model"

    # The key is never shown again, only that one is set; saving again keeps it.
    form = model_form(app)
    key = form["API-Schlüssel (falls der Dienst einen verlangt)"]
    assert key.value == "" and "gesetzt" in (key.placeholder or "")
    assert "API-Schlüssel: gesetzt" in [c.value for c in app.caption]
    assert all("s3cret" not in str(w.value) for w in app.text_input)
    form["„nur intern“-Stellungnahmen an das Modell senden erlaubt"].check()
    form["Sprachmodell speichern"].click().run()
    with read_session(create_engine_for(demo_url)) as session:
        stored = settings.language_model(session=session)
    assert stored is not None and stored.api_key == "s3cret" and stored.send_internal


def test_a_failing_connection_test_shows_why(demo_url: str, model_server: ModelServer) -> None:
    model_server.answers = [Script(b"", status=500)]
    app = switch(log_in("admin@demo.example"), "ui/pages/settings.py")
    form = model_form(app)
    form["Adresse des Modells"].input(model_server.base_url)
    form["Modell"].input("test-model")
    form["Verbindung testen"].click().run()
    assert not app.exception
    assert any("HTTP 500" in e.value for e in app.error)

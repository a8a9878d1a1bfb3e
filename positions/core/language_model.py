"""A client for the association's own language model: an OpenAI-compatible chat-completions
endpoint (Ollama, vLLM, llama.cpp server) that an admin configures in the settings.

Nothing is sent unless a model is configured (`settings.language_model` returns None
otherwise, and every feature keeps working without it). Requests go straight to the
configured address: proxies from the environment are bypassed and redirects refused, so
text never takes a detour to another machine. Only the standard library is used.

Every failure (no answer within the wait time, no connection, an HTTP error, an answer that
is not the JSON asked for) becomes a `LanguageModelError` with a German message for the
page; the log gets an English reason and never the text that was sent or received.

Limits: the wait time applies to each network step (connecting, each read), as urllib
measures it, not to the request as a whole; a model that keeps trickling bytes can take
longer. Answers larger than `MAX_ANSWER_BYTES` are refused.
"""

from __future__ import annotations

import json
import logging
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from positions.core.errors import PositionenError
from positions.core.settings import LanguageModel

log = logging.getLogger(__name__)

MAX_ANSWER_BYTES = 4 * 1024 * 1024
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


class LanguageModelError(PositionenError):
    """The model could not give a usable answer; `message` is German, `reason` English for
    the log (it names no statement text)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _failed(message: str, reason: str) -> LanguageModelError:
    log.warning("language model request failed: %s", reason)
    return LanguageModelError(message, reason=reason)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would send the statements on to an address nobody configured."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# No ProxyHandler settings from the environment: the model sits inside the association.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


@dataclass(frozen=True)
class Answer:
    """What the model said, and how long it took."""

    text: str
    seconds: float


def endpoint(config: LanguageModel) -> str:
    """The chat-completions address under the configured base address."""
    base = config.base_url.rstrip("/")
    parsed = urlparse(base)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise _failed(
            "Die Adresse des Sprachmodells ist ungültig; bitte prüfen Sie die Einstellungen.",
            f"invalid base url scheme {parsed.scheme!r}",
        )
    return base + "/chat/completions"


def chat(
    config: LanguageModel,
    messages: list[dict[str, str]],
    *,
    json_answer: bool = True,
    max_tokens: int | None = None,
) -> Answer:
    """Send one chat request and return the text of the first choice."""
    body: dict[str, Any] = {
        "model": config.model,
        "messages": messages,
        "temperature": 0,
        "stream": False,
    }
    if json_answer:
        body["response_format"] = {"type": "json_object"}
    if max_tokens is not None:
        body["max_tokens"] = max_tokens
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    # `endpoint` lets only http:// and https:// addresses through.
    request = urllib.request.Request(  # noqa: S310
        endpoint(config),
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers=headers,
        method="POST",
    )
    started = time.monotonic()
    raw = _send(request, config.timeout_seconds)
    return Answer(_content(raw), time.monotonic() - started)


def _send(request: urllib.request.Request, timeout: float) -> bytes:
    wait = f"{timeout:g} {'Sekunde' if timeout == 1 else 'Sekunden'}".replace(".", ",")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            raw: bytes = response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise _http_error(error.code) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise _timed_out(wait, timeout) from None
        raise _failed(
            "Das Sprachmodell ist nicht erreichbar. Bitte prüfen Sie die Adresse in den "
            "Einstellungen und ob der Dienst läuft.",
            f"connection failed: {type(error.reason).__name__}",
        ) from None
    except TimeoutError:
        raise _timed_out(wait, timeout) from None
    except OSError as error:  # reset or closed connection, a broken answer
        raise _failed(
            "Die Verbindung zum Sprachmodell ist abgebrochen. Bitte versuchen Sie es erneut.",
            f"connection broken: {type(error).__name__}",
        ) from None
    if len(raw) > MAX_ANSWER_BYTES:
        raise _failed(
            "Die Antwort des Sprachmodells ist zu groß.", f"answer over {MAX_ANSWER_BYTES} bytes"
        )
    return raw


def _timed_out(wait: str, timeout: float) -> LanguageModelError:
    return _failed(
        f"Das Sprachmodell hat nicht innerhalb von {wait} geantwortet. Versuchen Sie es mit "
        "einem kleineren Thema erneut oder erhöhen Sie die Wartezeit in den Einstellungen.",
        f"timeout after {timeout:g} s",
    )


def _http_error(code: int) -> LanguageModelError:
    if code in {401, 403}:
        message = (
            f"Das Sprachmodell hat die Anfrage abgelehnt (HTTP {code}). Ist der API-Schlüssel "
            "in den Einstellungen richtig?"
        )
    elif code == 404:
        message = (
            "Unter dieser Adresse gibt es das Sprachmodell nicht (HTTP 404). Bitte prüfen "
            "Sie Adresse und Modellnamen in den Einstellungen."
        )
    elif 300 <= code < 400:
        message = (
            f"Das Sprachmodell leitet auf eine andere Adresse um (HTTP {code}); Anfragen "
            "gehen nur an die eingestellte Adresse. Bitte tragen Sie die richtige ein."
        )
    else:
        message = (
            f"Das Sprachmodell hat mit einem Fehler geantwortet (HTTP {code}). Bitte "
            "versuchen Sie es später erneut."
        )
    return _failed(message, f"HTTP {code}")


_UNREADABLE = "Das Sprachmodell hat keine lesbare Antwort geliefert. Bitte versuchen Sie es erneut."


def _content(raw: bytes) -> str:
    """The message text of the first choice of a chat-completions answer."""
    try:
        answer = json.loads(raw.decode("utf-8"))
        content = answer["choices"][0]["message"]["content"]
    except (ValueError, UnicodeDecodeError, KeyError, IndexError, TypeError):
        raise _failed(_UNREADABLE, "answer is not a chat completion") from None
    if not isinstance(content, str):
        raise _failed(_UNREADABLE, "answer content is not text")
    return content


def parse_json_object(text: str) -> dict[str, Any]:
    """The JSON object in a model's answer; a code fence around it is tolerated."""
    fenced = _FENCE.match(text)
    candidate = fenced.group(1) if fenced else text.strip()
    try:
        value = json.loads(candidate)
    except ValueError:
        raise _failed(
            "Das Sprachmodell hat nicht im verlangten Format (JSON) geantwortet. Bitte "
            "versuchen Sie es erneut; hilft das nicht, eignet sich das Modell nicht dafür.",
            "answer content is not JSON",
        ) from None
    if not isinstance(value, dict):
        raise _failed(
            "Das Sprachmodell hat nicht im verlangten Format (JSON) geantwortet.",
            "answer content is not a JSON object",
        )
    return value


def chat_json(
    config: LanguageModel, messages: list[dict[str, str]], *, max_tokens: int | None = None
) -> dict[str, Any]:
    """Send one chat request that asks for a JSON object and return the object."""
    return parse_json_object(chat(config, messages, json_answer=True, max_tokens=max_tokens).text)


def check_connection(config: LanguageModel) -> str:
    """Ask the model for a one-word answer; a German confirmation, or `LanguageModelError`.
    Sends no statement text."""
    answer = chat(
        config,
        [{"role": "user", "content": 'Antworte nur mit dem JSON-Objekt {"ok": true}.'}],
        json_answer=True,
        max_tokens=20,
    )
    seconds = f"{answer.seconds:.1f}".replace(".", ",")
    return f"Das Modell „{config.model}“ antwortet ({seconds} Sekunden)."

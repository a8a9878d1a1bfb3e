"""The app under `streamlit.testing.v1.AppTest`, for page tests: a fresh app, and one signed
in through its login form as a person would."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

import demo
from tests.conftest import REPO

# The paper editor's suggested sources: "1\\. „excerpt“ — member", best first.
SUGGESTED_SOURCE = re.compile(r"^\d+\\\. „")
PAGE_TIMEOUT = 30  # seconds one run of a page may take on a busy two-core machine


def new_app(*, timeout: float = PAGE_TIMEOUT) -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=timeout)


def log_in(
    email: str, password: str = demo.DEMO_PASSWORD, *, timeout: float = PAGE_TIMEOUT
) -> AppTest:
    """The app after `email` signed in with `password` (the demo's by default)."""
    app = new_app(timeout=timeout).run()
    [email_input] = [w for w in app.text_input if w.label == "E-Mail"]
    [password_input] = [w for w in app.text_input if w.label == "Passwort"]
    email_input.input(email)
    password_input.input(password)
    [submit] = [b for b in app.button if b.label == "Anmelden"]
    submit.click().run()
    return app

"""Text typed into an editor and not yet saved, kept in this browser: a reload, a closed tab
or an ended session then loses nothing.

Streamlit sends a form's text to the server only on submit, so the browser keeps it: a
components-v2 script (it runs in the page itself, not in an iframe) listens to what is typed
into the page's editors and stores it in `localStorage` under `STORAGE_PREFIX` + scope. When
a page opens, the script reports the drafts stored for its editors; the page offers to
restore them (into the widget's session state, before the widget is made) or to discard
them. A successful save deletes the draft. Scopes name the user, so a person who logs in
after another on the same browser never sees the other's drafts; logging out deletes them all
(web/routes.py sends `Clear-Site-Data`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.scriptrunner import StopException

from positions.core.formatting import date_time
from positions.core.permissions import Actor
from ui.widgets import md

STORAGE_PREFIX = "positionen:entwurf:"
EXCERPT_CHARS = 300

# Runs in the app's page. One document-level listener serves every editor on the page: it
# stores a field's text a moment after the typing stops, and at once when the page goes
# away. Each mount reports the drafts it finds once; the component's state carries them to
# Python. A "clear" number that grows deletes a draft (after a save or a discard).
_JS = """
const PREFIX = "positionen:entwurf:";
const WAIT_MS = 400;
const editors = new Map();  // storage key -> {label, box, base}
const pending = new Map();  // storage key -> {timer, text, base}
const cleared = new Map();  // storage key -> the clear number carried out last
const reports = new Map();  // mount -> {scope: draft} reported so far
let listening = false;

function store(key, text, base) {
  try {
    const draft = { text, base_version: base, saved_at: new Date().toISOString() };
    localStorage.setItem(key, JSON.stringify(draft));
  } catch (error) {
    // Storage full or switched off: the draft is not kept, the form works as before.
  }
}

function flush() {
  for (const [key, waiting] of pending) {
    clearTimeout(waiting.timer);
    store(key, waiting.text, waiting.base);
  }
  pending.clear();
}

function typed(event) {
  const field = event.target;
  if (!(field instanceof HTMLTextAreaElement)) return;
  for (const [key, editor] of editors) {
    if (field.getAttribute("aria-label") !== editor.label) continue;
    if (!field.closest("." + CSS.escape(editor.box))) continue;
    clearTimeout(pending.get(key)?.timer);
    const waiting = { text: field.value, base: editor.base };
    waiting.timer = setTimeout(() => {
      pending.delete(key);
      store(key, waiting.text, waiting.base);
    }, WAIT_MS);
    pending.set(key, waiting);
  }
}

function listen() {
  if (listening) return;
  listening = true;
  document.addEventListener("input", typed, { capture: true, passive: true });
  window.addEventListener("pagehide", flush);
  // What is typed before this point is not kept: the mark lets the browser tests (and
  // anyone debugging) see when the page starts keeping drafts.
  document.documentElement.dataset.positionenEntwurf = "bereit";
}

function stored(key) {
  try {
    const raw = localStorage.getItem(key);
    return raw ? JSON.parse(raw) : null;
  } catch (error) {
    return null;
  }
}

function clear(key, number) {
  if (!number || cleared.get(key) === number) return;
  cleared.set(key, number);
  clearTimeout(pending.get(key)?.timer);
  pending.delete(key);
  try {
    localStorage.removeItem(key);
  } catch (error) {
    // Nothing stored, nothing to delete.
  }
}

function forgetOlderThan(seconds) {
  const limit = Date.now() - seconds * 1000;
  try {
    for (const key of Object.keys(localStorage)) {
      if (!key.startsWith(PREFIX)) continue;
      const savedAt = Date.parse(stored(key)?.saved_at ?? "");
      if (!(savedAt >= limit)) localStorage.removeItem(key);
    }
  } catch (error) {
    // Storage switched off: nothing was kept.
  }
}

export default function (component) {
  const { data, key: mount, setStateValue } = component;
  if (data.forgetOlderThan !== null && data.forgetOlderThan !== undefined) {
    forgetOlderThan(data.forgetOlderThan);
    return;
  }
  const report = reports.get(mount) ?? {};
  reports.set(mount, report);
  let found = false;
  const mine = [];
  for (const editor of data.editors) {
    const key = PREFIX + editor.scope;
    clear(key, editor.clear);
    editors.set(key, { label: editor.label, box: editor.box, base: editor.base });
    mine.push(key);
    if (editor.scope in report) continue;
    const draft = pending.has(key) ? null : stored(key);
    report[editor.scope] = draft;
    found = found || draft !== null;
  }
  listen();
  if (found) setStateValue("drafts", { ...report });
  return () => {
    for (const key of mine) editors.delete(key);
  };
}
"""
_component = st.components.v2.component("positionen_drafts", js=_JS)


@dataclass(frozen=True)
class Draft:
    """Text typed into an editor and kept in the browser, from the version it was typed on."""

    text: str
    base_version: int | None
    saved_at: datetime


@dataclass(frozen=True)
class Editor:
    """A text area whose typing the browser keeps: its label and widget key find it."""

    scope_key: str
    label: str
    widget_key: str
    saved_text: str
    base_version: int | None


def scope(actor: Actor, kind: str, object_id: int) -> str:
    """The scope of one person's draft of one thing, e.g. "u12:absatz:7"."""
    return f"u{actor.user_id}:{kind}:{object_id}"


@contextmanager
def keep_drafts(page_key: str, editors: Sequence[Editor]) -> Iterator[dict[str, Draft]]:
    """Keep what is typed into `editors` in this browser, around the code that shows them;
    yields the drafts of earlier visits that differ from the saved text, by scope, as long
    as they are neither restored nor discarded.

    The script's place is here, above the editors, but it is sent when the block ends: its
    report starts a new run at once, and a run cut off before its text areas reached the
    page would leave a text area whose value the session set (the saved text) empty."""
    holder = st.container()
    found = _found(page_key, editors)
    try:
        yield found
    except StopException:  # the page shows an error and stops: it keeps its drafts
        _mount(holder, page_key, editors)
        raise
    _mount(holder, page_key, editors)


@contextmanager
def keep_draft(
    scope_key: str,
    label: str,
    *,
    widget_key: str,
    saved_text: str,
    base_version: int | None,
) -> Iterator[Draft | None]:
    """`keep_drafts` for a page with one editor."""
    editor = Editor(scope_key, label, widget_key, saved_text, base_version)
    with keep_drafts(scope_key, [editor]) as found:
        yield found.get(scope_key)


def _found(page_key: str, editors: Sequence[Editor]) -> dict[str, Draft]:
    """The drafts the browser reported on its last run (read before the script is mounted)."""
    state = st.session_state.get(_component_key(page_key))
    reported = state.get("drafts") if isinstance(state, Mapping) else None
    reported = reported if isinstance(reported, Mapping) else {}
    found: dict[str, Draft] = {}
    for editor in editors:
        draft = _parsed(reported.get(editor.scope_key))
        if draft is None or _handled(editor.scope_key, draft):
            continue
        if not draft.text.strip() or draft.text == editor.saved_text:
            _mark_handled(editor.scope_key, draft)
            forget(editor.scope_key)  # nothing to restore: the browser may drop it
            continue
        found[editor.scope_key] = draft
    return found


def _mount(holder: DeltaGenerator, page_key: str, editors: Sequence[Editor]) -> None:
    with holder:
        _component(
            key=_component_key(page_key),
            data={"editors": [_editor_data(e) for e in editors], "forgetOlderThan": None},
            on_drafts_change=_reported,
            height=0,
        )


def offer(scope_key: str, draft: Draft) -> bool:
    """The found draft with "Wiederherstellen" and "Verwerfen"; True on the run in which the
    person chose to restore it (the caller puts the text in place). Discarding is done here."""
    with st.container(border=True):
        st.info(
            f"Nicht gespeicherter Text vom {date_time(draft.saved_at)} gefunden.",
            icon=":material/history:",
        )
        st.caption(md(_excerpt(draft.text)))
        with st.container(horizontal=True):
            restore = st.button(
                "Wiederherstellen",
                key=f"draft-restore-{scope_key}",
                type="primary",
                icon=":material/restore:",
            )
            discard = st.button(
                "Verwerfen", key=f"draft-discard-{scope_key}", icon=":material/delete:"
            )
    if discard:
        _mark_handled(scope_key, draft)
        forget(scope_key)
        st.rerun()
    if restore:
        _mark_handled(scope_key, draft)
    return restore


def forget(scope_key: str) -> None:
    """Delete the draft in the browser (on the next run): it was saved or discarded."""
    key = _clear_key(scope_key)
    st.session_state[key] = st.session_state.get(key, 0) + 1


def forget_all(*, older_than: timedelta | None = None) -> None:
    """Delete every draft in this browser, of anyone (or those typed longer ago than
    `older_than`): for the login page after a session ended."""
    seconds = 0.0 if older_than is None else older_than.total_seconds()
    _component(key="drafts-forget", data={"editors": [], "forgetOlderThan": seconds}, height=0)


def _component_key(page_key: str) -> str:
    return f"drafts-{page_key}"


def _editor_data(editor: Editor) -> dict[str, Any]:
    return {
        "scope": editor.scope_key,
        "label": editor.label,
        "box": _widget_class(editor.widget_key),
        "base": editor.base_version,
        "clear": st.session_state.get(_clear_key(editor.scope_key), 0),
    }


def _widget_class(widget_key: str) -> str:
    """The CSS class Streamlit gives the element of a widget with this key."""
    kept = (c if c.isascii() and (c.isalnum() or c in "_-") else "-" for c in widget_key.strip())
    return "st-key-" + "".join(kept)


def _reported() -> None:
    """The component's state is read where it is mounted; nothing to do in between."""


def _parsed(value: object) -> Draft | None:
    """A draft as the browser stored it, or None when it is not one (storage can be edited)."""
    if not isinstance(value, Mapping):
        return None
    text, base, saved_at = value.get("text"), value.get("base_version"), value.get("saved_at")
    if not isinstance(text, str) or not isinstance(saved_at, str):
        return None
    if isinstance(base, float) and base.is_integer():
        base = int(base)
    if base is not None and (not isinstance(base, int) or isinstance(base, bool)):
        return None
    try:
        moment = datetime.fromisoformat(saved_at)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return Draft(text=text, base_version=base, saved_at=moment)


def _handled_key(scope_key: str) -> str:
    return f"draft-handled-{scope_key}"


def _clear_key(scope_key: str) -> str:
    return f"draft-clear-{scope_key}"


def _handled(scope_key: str, draft: Draft) -> bool:
    return st.session_state.get(_handled_key(scope_key)) == draft.saved_at


def _mark_handled(scope_key: str, draft: Draft) -> None:
    st.session_state[_handled_key(scope_key)] = draft.saved_at


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= EXCERPT_CHARS:
        return f"„{flat}“"
    return f"„{flat[: EXCERPT_CHARS - 1].rsplit(' ', 1)[0]} …“"

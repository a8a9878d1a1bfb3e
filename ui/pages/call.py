"""One call for input: the question, the deadlines, and who has answered."""

import streamlit as st

from positions import calls, labels
from positions.clock import today_in_berlin
from positions.errors import NotFound
from ui import auth, database
from ui.widgets import deadline_badge, md, user_errors

actor = auth.signed_in()
today = today_in_berlin()

call_id = st.query_params.get("aufruf", "")
if not call_id and actor.call_id is not None:
    call_id = str(actor.call_id)
with user_errors():
    if not call_id.isdigit():
        raise NotFound("Bitte wählen Sie einen Aufruf aus.")
    with database.reading() as session:
        detail = calls.call_detail(session=session, actor=actor, call_id=int(call_id), today=today)

call = detail.call
st.title(md(call.title))
st.caption(f"{detail.forum.name} · {labels.CALL_STATUS[call.status]}")
for deadline in detail.deadlines if actor.acts_for_association else detail.deadlines[:1]:
    deadline_badge(deadline, today=today)

st.subheader("Frage")
st.text(call.question)

if actor.acts_for_association:
    st.subheader("Rückmeldungen")
    st.progress(
        detail.answered / detail.invited if detail.invited else 0.0,
        text=f"{detail.answered} von {detail.invited} Mitgliedern haben geantwortet",
    )
else:
    st.subheader("Ihre Stellungnahme")
    if detail.own_statement is None:
        st.info("Ihr Unternehmen hat zu diesem Aufruf noch keine Stellungnahme abgegeben.")
    else:
        statement = detail.own_statement
        st.markdown(
            f"Status: **{labels.STATEMENT_STATUS[statement.status]}** · "
            f"Verwendung: **{labels.VISIBILITY[statement.visibility]}**"
        )
        st.text(statement.text)

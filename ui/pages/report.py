"""The activity report (Tätigkeitsbericht) for a chosen period, as a Word document."""

from datetime import date

import streamlit as st

from db.engine import read_session
from exports import report
from positions.core.clock import today_in_berlin
from ui import auth, database
from ui.widgets import user_errors

actor = auth.signed_in()
st.title("Tätigkeitsbericht")
st.write(
    "Foren, Sitzungen, Beteiligung der Mitglieder, eingereichte Papiere und die Wirkung "
    "der Kernforderungen im gewählten Zeitraum – mit Zahlen statt Adjektiven."
)
today = today_in_berlin()
start_column, end_column = st.columns(2)
start = start_column.date_input("Von", value=date(today.year, 1, 1), format="DD.MM.YYYY")
end = end_column.date_input("Bis", value=today, format="DD.MM.YYYY")
if isinstance(start, date) and isinstance(end, date):
    if end < start:
        st.error("Das Ende des Zeitraums liegt vor seinem Anfang.")
    else:

        def build() -> bytes:
            with read_session(database.engine()) as session:
                return report.build_report(session=session, actor=actor, start=start, end=end)

        with user_errors():
            st.download_button(
                "Tätigkeitsbericht (Word)",
                data=build,
                file_name=f"{start:%Y-%m-%d}_bis_{end:%Y-%m-%d}_Taetigkeitsbericht.docx",
                mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                on_click="ignore",
                icon=":material/summarize:",
                type="primary",
            )

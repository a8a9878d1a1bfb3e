"""All papers by workflow state; staff start a new one here. Members see the papers they
are asked to review."""

import streamlit as st

from db.models import PaperKind, PaperStatus, id_of
from positions.core import labels
from positions.core.errors import InvalidInput
from positions.core.formatting import date_time
from positions.core.permissions import Action, can
from positions.forums import forums
from positions.papers import papers
from positions.papers.papers import PaperFields
from ui import auth, database
from ui.widgets import md, user_errors

actor = auth.signed_in()
st.title("Papiere" if actor.acts_for_association else "Papiere zur Beteiligung")

if can(actor, Action.PAPER_EDIT):
    with database.reading() as session:
        forum_list = [s.forum for s in forums.list_forums(session=session, actor=actor)]
    names = {id_of(f): f"{f.short_name} · {f.name}" for f in forum_list}
    with st.expander("Neues Papier", icon=":material/add:"), st.form("new-paper"):
        forum_id = st.selectbox(
            "Forum",
            list(names),
            index=None,
            format_func=lambda i: names[i],
            placeholder="Forum wählen",
        )
        title = st.text_input("Titel", max_chars=300)
        kinds = list(PaperKind)
        kind = st.selectbox("Art", kinds, format_func=lambda k: labels.PAPER_KIND[k])
        if st.form_submit_button("Papier anlegen", type="primary"):
            with user_errors():
                if forum_id is None:
                    raise InvalidInput("Bitte wählen Sie das Forum.")
                with database.writing() as session:
                    paper = papers.create_paper(
                        session=session,
                        actor=actor,
                        forum_id=forum_id,
                        fields=PaperFields(
                            title=title,
                            kind=kind or PaperKind.POSITION_PAPER,
                            contact_ids=(actor.user_id,),
                        ),
                    )
                    paper_id = id_of(paper)
            st.switch_page("ui/pages/paper.py", query_params={"papier": str(paper_id)})

with database.reading() as session:
    summaries = papers.list_papers(session=session, actor=actor)
if not summaries:
    st.info(
        "Zurzeit gibt es hier kein Papier."
        if actor.acts_for_association
        else "Zurzeit bittet der Verband Sie zu keinem Papier um Rückmeldung."
    )
for status in PaperStatus:
    of_status = [s for s in summaries if s.paper.status == status]
    if not of_status:
        continue
    st.subheader(labels.PAPER_STATUS[status])
    for summary in of_status:
        with st.container(border=True):
            paper = summary.paper
            st.page_link(
                "ui/pages/paper.py",
                label=md(paper.title),
                icon=":material/article:",
                query_params={"papier": str(paper.id)},
            )
            version = summary.latest_version
            st.caption(
                " · ".join(
                    part
                    for part in (
                        labels.PAPER_KIND[paper.kind],
                        md(summary.forum.short_name),
                        f"Fassung {version.number} vom {date_time(version.created_at)}"
                        if version
                        else "",
                    )
                    if part
                )
            )

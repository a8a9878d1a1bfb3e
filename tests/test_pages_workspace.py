"""The merge workspace page through AppTest: staff start the analysis, see topics with
co-signers (never an anonymous member's name) and take a suggestion into a paper section;
in the editor, staff link the sources a hand-written paragraph rests on."""

from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

from db.engine import create_engine_for, read_session, write_session
from db.models import (
    Call,
    Cluster,
    Organisation,
    Paragraph,
    ParagraphSource,
    Point,
    Section,
    SourceHow,
    Statement,
    Visibility,
    id_of,
)
from positions.statements import statements
from tests import factories
from tests.apptest import SUGGESTED_SOURCE, log_in
from tests.test_app import switch, texts

CALL = "Finanzierung und Förderinstrumente in der Transformation"


def open_workspace(url: str) -> tuple[AppTest, int]:
    app = log_in("referat@demo.example")
    with read_session(create_engine_for(url)) as session:
        call_id = session.exec(select(Call.id).where(Call.title == CALL)).one()
    assert call_id is not None
    return switch(app, "ui/pages/workspace.py", aufruf=str(call_id)), call_id


def analysed(url: str) -> tuple[AppTest, int]:
    app, call_id = open_workspace(url)
    assert "Noch keine Analyse" in " ".join(i.value for i in app.info)
    [start] = [b for b in app.button if b.label == "Analyse starten"]
    start.click().run()
    assert not app.exception and not app.error
    return app, call_id


def everything_shown(app: AppTest) -> str:
    labels = [e.label for e in app.expander]
    areas = [a.value or "" for a in app.text_area]
    areas += [bar.proto.text for bar in app.get("progress")]
    options = [o for box in app.selectbox for o in box.options]
    tables = [str(d.value.to_dict()) for d in app.dataframe]
    return "\n".join(
        [texts(app), *labels, *areas, *options, *tables, *(w.value for w in app.warning)]
    )


def campaign_topic(url: str) -> str:
    """The name of the topic holding the demo's campaign for one application portal (a topic
    is named after the demand of its most central point, so the name may be another's)."""
    with read_session(create_engine_for(url)) as session:
        return (
            session.exec(
                select(Cluster.label)
                .join(Point, col(Point.cluster_id) == Cluster.id)
                .where(col(Point.text).contains("einheitliches Antragsportal"))
            ).first()
            or ""
        )


def campaign_points(url: str) -> set[int]:
    with read_session(create_engine_for(url)) as session:
        found = session.exec(
            select(Point).where(col(Point.text).contains("einheitliches Antragsportal"))
        ).all()
        return {id_of(point) for point in found}


def open_topic(app: AppTest, word: str) -> AppTest:
    [chooser] = [s for s in app.selectbox if s.label == "Thema"]
    [index] = [i for i, title in enumerate(chooser.options) if word in title]
    chooser.select_index(index).run()
    assert not app.exception and not app.error
    return app


def test_staff_start_the_analysis_and_see_topics_with_co_signers(demo_url: str) -> None:
    app, _ = analysed(demo_url)
    assert [b.label for b in app.button if b.label.startswith("Analyse")] == [
        "Analyse aktualisieren"
    ]
    [table] = [d.value for d in app.dataframe if "Thema" in d.value.columns]
    # Two topics of several members each; what one member alone raised is listed apart.
    assert len(table) >= 2 and table["Punkte"].sum() >= 15
    assert all(" · " not in name for name in table["Thema"]), "names read as demands"
    assert "im Papier verwendet" in everything_shown(app)
    assert not [a for a in app.text_area if a.label == "Vorgeschlagener Absatz"]
    open_topic(app, campaign_topic(demo_url))
    page = everything_shown(app)
    assert "Bergische Umformtechnik GmbH" in page  # a named co-signer
    assert "1 anonym" in page
    [proposed] = [a.value for a in app.text_area if a.label == "Vorgeschlagener Absatz"]
    assert "einheitliches Antragsportal" in (proposed or "")
    [origin] = [e for e in app.expander if e.label == "Woher die Sätze stammen"]
    lines = [m.value for m in origin.markdown]
    assert any("einheitliches Antragsportal" in line and "1 anonym" in line for line in lines)


def test_no_anonymous_or_internal_member_is_named(demo_url: str) -> None:
    app, call_id = analysed(demo_url)
    with read_session(create_engine_for(demo_url)) as session:
        hidden = session.exec(
            select(Organisation.name)
            .join(Statement, col(Statement.organisation_id) == Organisation.id)
            .where(
                Statement.call_id == call_id,
                col(Statement.visibility).in_([Visibility.ANONYMOUS, Visibility.INTERNAL]),
            )
        ).all()
        named = session.exec(
            select(Organisation.name)
            .join(Statement, col(Statement.organisation_id) == Organisation.id)
            .where(Statement.call_id == call_id, Statement.visibility == Visibility.NAMED)
        ).all()
    assert hidden
    [chooser] = [s for s in app.selectbox if s.label == "Thema"]
    for index in range(len(chooser.options)):
        chooser.select_index(index).run()
        page = everything_shown(app)
        for name in set(hidden) - set(named):
            assert name not in page


def test_a_topic_of_an_internal_point_and_a_refusal_offers_no_paragraph_and_says_why(
    demo_url: str,
) -> None:
    """In the demo, one member asks only the association for a Transformationsfonds ("nur
    intern") and another turns it down: a topic of two members with nothing to quote."""
    app, _ = analysed(demo_url)
    open_topic(app, "Miteigentümer")
    info = " ".join(i.value for i in app.info)
    assert "Kein Vorschlag" in info and "nur intern" in info
    [proposed] = [a.value for a in app.text_area if a.label == "Vorgeschlagener Absatz"]
    assert not proposed
    # Staff read the internal point in the topic; its name does not quote it.
    [table] = [d.value for d in app.dataframe if "Thema" in d.value.columns]
    assert not any("Polen" in name for name in table["Thema"])


def test_a_suggestion_becomes_a_paragraph_with_its_sources(demo_url: str) -> None:
    app, _ = analysed(demo_url)
    open_topic(app, campaign_topic(demo_url))
    [target] = [s for s in app.selectbox if s.label == "In Abschnitt"]
    target.select_index(0)
    shown_target = str(target.value)
    [accept] = [b for b in app.button if b.label == "In das Papier übernehmen"]
    [proposed] = [a.value for a in app.text_area if a.label == "Vorgeschlagener Absatz"]
    accept.click().run()
    assert not app.exception and not app.error
    with read_session(create_engine_for(demo_url)) as session:
        paragraph = session.exec(select(Paragraph).where(Paragraph.text == proposed)).one()
        sources = session.exec(
            select(ParagraphSource).where(ParagraphSource.paragraph_id == paragraph.id)
        ).all()
        section = session.get(Section, paragraph.section_id)
        assert section is not None and shown_target.endswith(f": {section.title}")
    # The campaign's four copies are sources, with the topic's other supporting points.
    assert campaign_points(demo_url) <= {s.point_id for s in sources}
    assert {s.how for s in sources} == {SourceHow.MERGED}
    assert [t.value for t in app.toast] == ["Absatz übernommen; seine Quellen sind verknüpft."]


def test_taking_a_suggestion_without_a_section_is_refused_in_german(demo_url: str) -> None:
    app, _ = analysed(demo_url)
    open_topic(app, campaign_topic(demo_url))
    [accept] = [b for b in app.button if b.label == "In das Papier übernehmen"]
    accept.click().run()
    assert "Bitte wählen Sie den Abschnitt." in [e.value for e in app.error]


def test_renaming_a_topic_keeps_it_open_under_its_new_name(demo_url: str) -> None:
    app, _ = analysed(demo_url)
    open_topic(app, campaign_topic(demo_url))
    [name] = [t for t in app.text_input if t.label == "Name"]
    name.input("Ein Portal für alle Förderprogramme")
    [save] = [
        b for b in app.button if b.label == "Speichern" and (b.key or "").startswith("rename")
    ]
    save.click().run()
    assert not app.exception and not app.error
    [table] = [d.value for d in app.dataframe if "Thema" in d.value.columns]
    assert "Ein Portal für alle Förderprogramme" in list(table["Thema"])
    assert any(s.value == "Ein Portal für alle Förderprogramme" for s in app.subheader)


def test_a_hand_written_paragraph_gets_its_sources_offered_to_link(demo_url: str) -> None:
    app = log_in("referat@demo.example")
    with read_session(create_engine_for(demo_url)) as session:
        section = session.exec(
            select(Section).where(Section.title == "Steuerliche Rahmenbedingungen")
        ).one()
        anonymous = set(
            session.exec(
                select(Organisation.name)
                .join(Statement, col(Statement.organisation_id) == Organisation.id)
                .where(Statement.visibility != Visibility.NAMED)
            ).all()
        )
    switch(app, "ui/pages/paper.py", papier=str(section.paper_id))
    written = "Für den Mittelstand brauchen wir bis 2030 einen Brückenstrompreis."
    [form_text] = [t for t in app.text_area if t.key is None and t.label == "Text"][-1:]
    form_text.input(written)
    [add] = [b for b in app.button if b.label == "Hinzufügen"][-1:]
    add.click().run()
    assert not app.exception and not app.error
    with read_session(create_engine_for(demo_url)) as session:
        paragraph = session.exec(select(Paragraph).where(Paragraph.text == written)).one()
    offered = [c.value for c in app.caption if SUGGESTED_SOURCE.match(c.value)]
    assert offered and "Brückenstrompreis" in offered[0]
    assert not any(name in line for line in offered for name in anonymous)
    [link, *_] = [b for b in app.button if (b.key or "").startswith(f"link-{paragraph.id}-")]
    link.click().run()
    assert not app.exception and not app.error
    with read_session(create_engine_for(demo_url)) as session:
        linked = session.exec(
            select(ParagraphSource).where(ParagraphSource.paragraph_id == paragraph.id)
        ).all()
    assert len(linked) == 1 and linked[0].how == SourceHow.MANUAL
    assert len([c for c in app.caption if SUGGESTED_SOURCE.match(c.value)]) == len(offered) - 1


def test_a_member_saying_it_in_other_words_is_offered_apart_to_check(demo_url: str) -> None:
    """Another member asks for the same in its own words: the paragraph rests on it too, but
    as meaning cannot tell a rewording from a look-alike, it is offered apart and linked
    only when staff choose it."""
    engine = create_engine_for(demo_url)
    with write_session(engine) as session:
        call = session.exec(select(Call).where(Call.title == CALL)).one()
        foundry = factories.organisation(session, "Sauerländer Gusswerk GmbH")
        statement = factories.statement(
            session,
            call,
            id_of(foundry),
            text="Der Strom ist für unsere Gießerei viel zu teuer. Der Staat muss die Kosten "
            "für Energie übergangsweise deckeln, bis es genug günstigen Ökostrom gibt.",
        )
        [point] = statements.replace_points(session=session, statement=statement)
        session.flush()
        point_id = id_of(point)
    with read_session(engine) as session:
        section = session.exec(
            select(Section).where(Section.title == "Steuerliche Rahmenbedingungen")
        ).one()
    app = log_in("referat@demo.example")
    switch(app, "ui/pages/paper.py", papier=str(section.paper_id))
    written = (
        "Mittelständische Industriebetriebe brauchen bis 2030 einen Brückenstrompreis, damit "
        "ihre Stromkosten tragbar bleiben."
    )
    [form_text] = [t for t in app.text_area if t.key is None and t.label == "Text"][-1:]
    form_text.input(written)
    [add] = [b for b in app.button if b.label == "Hinzufügen"][-1:]
    add.click().run()
    assert not app.exception and not app.error
    assert "**Ähnliche Forderungen, anders formuliert**" in [m.value for m in app.markdown]
    offered = [c.value for c in app.caption if SUGGESTED_SOURCE.match(c.value)]
    assert "Brückenstrompreis" in offered[0]  # the sources come first
    assert any("Sauerländer Gusswerk GmbH" in line for line in offered[1:])
    with read_session(engine) as session:
        paragraph = session.exec(select(Paragraph).where(Paragraph.text == written)).one()
        assert not session.exec(
            select(ParagraphSource).where(ParagraphSource.paragraph_id == paragraph.id)
        ).all()
    [link] = [b for b in app.button if b.key == f"link-{paragraph.id}-{point_id}"]
    link.click().run()
    assert not app.exception and not app.error
    with read_session(engine) as session:
        [linked] = session.exec(
            select(ParagraphSource).where(ParagraphSource.paragraph_id == paragraph.id)
        ).all()
    assert linked.point_id == point_id and linked.how == SourceHow.MANUAL
    # Once linked, it is no longer offered; the suggestions stay.
    assert "**Ähnliche Forderungen, anders formuliert**" not in [m.value for m in app.markdown]
    assert any(
        "Brückenstrompreis" in c.value for c in app.caption if SUGGESTED_SOURCE.match(c.value)
    )

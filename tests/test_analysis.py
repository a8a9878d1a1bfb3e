"""The merge workspace on the demo call: co-signed near-duplicates, topics, suggestions that
never quote internal statements, staff edits that survive re-runs, and taking a suggestion
into a paper with its sources."""

from dataclasses import dataclass

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import (
    Call,
    Cluster,
    Paper,
    ParagraphSource,
    PointGroup,
    SourceHow,
    Statement,
    Visibility,
    id_of,
)
from positions.analysis import preferences, workspace
from positions.core.errors import InvalidInput
from positions.core.permissions import SYSTEM
from positions.papers import papers
from positions.statements import statements
from tests import factories

CALL = "Finanzierung und Förderinstrumente in der Transformation"


def _call_id(engine: Engine) -> int:
    with read_session(engine) as session:
        return id_of(session.exec(select(Call).where(Call.title == CALL)).one())


@dataclass
class Space:
    """Everything the merge screen can show of a call, loaded at once."""

    overview: workspace.Overview
    topics: list[workspace.ClusterView]
    loose: list[workspace.GroupView]
    unused: list[workspace.PointView]


def _load(session: Session, call_id: int) -> Space:
    seen = workspace.overview(session=session, actor=SYSTEM, call_id=call_id)
    return Space(
        seen,
        [
            workspace.topic(session=session, actor=SYSTEM, cluster_id=id_of(t.cluster))
            for t in seen.topics
        ],
        workspace.loose_points(session=session, actor=SYSTEM, call_id=call_id),
        workspace.unused_points(session=session, actor=SYSTEM, call_id=call_id),
    )


def _analysed(engine: Engine) -> tuple[int, Space]:
    call_id = _call_id(engine)
    steps: list[float] = []
    with write_session(engine) as session:
        workspace.analyse(
            session=session,
            actor=SYSTEM,
            call_id=call_id,
            progress=lambda share, _: steps.append(share),
        )
        space = _load(session, call_id)
    assert steps[-1] == 1.0 and steps == sorted(steps)
    return call_id, space


def test_the_campaign_text_becomes_one_point_with_co_signers(demo_engine: Engine) -> None:
    _, space = _analysed(demo_engine)
    groups = [g for c in space.topics for g in c.groups] + space.loose
    campaign = [g for g in groups if "einheitliches Antragsportal" in g.canonical.text]
    assert len(campaign) == 1
    supporters = workspace.Supporters.of(campaign[0].all)
    assert set(supporters.names) == {
        "Bergische Umformtechnik GmbH",
        "Wupperstahl Präzisionsteile GmbH",
        "Klingenstadt Kabelsysteme GmbH & Co. KG",
    }
    assert supporters.support.anonymous == 1  # Remscheider Antriebskomponenten AG
    with read_session(demo_engine) as session:
        assert session.exec(select(PointGroup)).all()


def test_suggestions_exist_and_never_quote_internal_statements(demo_engine: Engine) -> None:
    _, space = _analysed(demo_engine)
    assert space.topics and all(c.cluster.label for c in space.topics)
    for view in space.topics:
        suggestion = workspace.suggest(view.points)
        quotable = [
            p
            for p in view.points
            if p.visibility != Visibility.INTERNAL and p.id not in suggestion.excluded_keys
        ]
        # A topic offers a paragraph unless its points are all "nur intern" or say no.
        assert bool(view.cluster.suggested_text) == bool(quotable)
        assert "Polen" not in view.cluster.suggested_text
        assert "Polen" not in suggestion.text
        # Nor is a topic named after a "nur intern" point while another names a demand.
        assert "Polen" not in view.cluster.label
    assert space.overview.total_points >= 15


def test_staff_edits_survive_a_re_run(demo_engine: Engine) -> None:
    call_id, space = _analysed(demo_engine)
    first, second = space.topics[0], space.topics[-1]
    moved = second.groups[0].canonical
    with write_session(demo_engine) as session:
        workspace.rename_cluster(
            session=session, actor=SYSTEM, cluster_id=id_of(first.cluster), label="Unser Thema"
        )
        workspace.move_point(
            session=session, actor=SYSTEM, point_id=moved.id, cluster_id=id_of(first.cluster)
        )
    with write_session(demo_engine) as session:
        workspace.analyse(session=session, actor=SYSTEM, call_id=call_id)
        renamed = session.get(Cluster, first.cluster.id)
        assert renamed is not None and renamed.label == "Unser Thema"
        after = _load(session, call_id)
    [kept] = [c for c in after.topics if c.cluster.id == first.cluster.id]
    assert moved.id in {p.id for p in kept.points}


STAFF_PARAGRAPH = "Ein staatlicher Transformationsfonds ist unter den Mitgliedern umstritten."


def _accept(
    session: Session, call_id: int, cluster: workspace.ClusterView
) -> list[ParagraphSource]:
    """Take the topic's suggestion into the first section of the call's paper (a paragraph
    staff wrote where the topic offers none); its sources."""
    paper = session.exec(select(Paper).where(Paper.call_id == call_id)).one()
    section = papers.paper_view(session=session, actor=SYSTEM, paper_id=id_of(paper)).sections[0]
    paragraph = workspace.accept_suggestion(
        session=session,
        actor=SYSTEM,
        cluster_id=id_of(cluster.cluster),
        section_id=id_of(section.section),
        text=workspace.suggest(cluster.points).text or STAFF_PARAGRAPH,
    )
    return list(
        session.exec(
            select(ParagraphSource).where(ParagraphSource.paragraph_id == paragraph.id)
        ).all()
    )


def test_a_suggestion_goes_into_a_paper_with_its_sources(demo_engine: Engine) -> None:
    call_id, space = _analysed(demo_engine)
    [cluster] = [c for c in space.topics if any("lehnen wir ab" in p.text for p in c.points)]
    with write_session(demo_engine) as session:
        sources = _accept(session, call_id, cluster)
        after = _load(session, call_id)
    suggestion = workspace.suggest(cluster.points)
    assert suggestion.dissent, "a member rejecting the topic's demand is listed as dissent"
    excluded = suggestion.excluded_keys
    assert excluded >= {d.key for d in suggestion.dissent} | {c.key for c in suggestion.conflicts}
    assert {s.point_id for s in sources} == {p.id for p in cluster.points} - excluded
    assert all(s.how is SourceHow.MERGED for s in sources)
    unused_before = {v.id for v in space.unused}
    taken = {p.id for p in cluster.points} - excluded
    assert {v.id for v in after.unused} == unused_before - taken


def test_points_of_statements_linked_whole_count_as_used(demo_engine: Engine) -> None:
    _, space = _analysed(demo_engine)
    # The demo paper links whole statements; each of their points is part of the paper.
    assert 0 < len(space.unused) < space.overview.total_points


def test_sources_are_suggested_for_a_hand_written_paragraph(demo_engine: Engine) -> None:
    call_id, _ = _analysed(demo_engine)
    with read_session(demo_engine) as session:
        found = workspace.suggest_sources(
            session=session,
            actor=SYSTEM,
            call_id=call_id,
            text="Wir fordern einen Brückenstrompreis für den industriellen Mittelstand.",
        )
    assert found and "Brückenstrompreis" in found[0][0].text


def test_a_campaign_point_is_suggested_with_every_member_who_sent_it(
    demo_engine: Engine,
) -> None:
    call_id, space = _analysed(demo_engine)
    groups = [g for c in space.topics for g in c.groups] + space.loose
    [campaign] = [g for g in groups if "einheitliches Antragsportal" in g.canonical.text]
    with read_session(demo_engine) as session:
        found = workspace.find_sources(
            session=session,
            actor=SYSTEM,
            call_id=call_id,
            text="Die Förderung des Mittelstands muss einfacher werden: ein gemeinsames "
            "Antragsportal für die Programme von Bund und Land, und über Anträge wird binnen "
            "drei Monaten entschieden.",
        )
    [suggested] = [s.group for s in found.sources if s.group.canonical.id == campaign.canonical.id]
    assert {view.id for view in suggested.all} == {view.id for view in campaign.all}
    assert len(suggested.all) == 4  # three members named, one anonymous


def test_a_look_alike_naming_another_year_is_shown_as_a_conflict_never_suggested(
    engine: Engine,
) -> None:
    # Issue "Trust", item 10: "bis 2030, 8 ct" listed a member's "bis 2035" as its source.
    paragraph = "Ein Brückenstrompreis für die Industrie ist bis 2030 nötig, 8 ct je kWh."
    with write_session(engine) as session:
        staff = factories.actor(session)
        call = factories.call(session, staff, factories.forum(session, staff))
        for text, visibility in [
            (
                "Wir fordern einen Brückenstrompreis für die Industrie bis 2035.",
                Visibility.ANONYMOUS,
            ),
            (
                "Die Netzentgelte für Produktionsstandorte müssen gedeckelt werden.",
                Visibility.NAMED,
            ),
        ]:
            member = factories.organisation(session)
            statement = factories.statement(
                session, call, id_of(member), text=text, visibility=visibility
            )
            statements.replace_points(session=session, statement=statement)
        found = workspace.find_sources(
            session=session, actor=staff, call_id=id_of(call), text=paragraph
        )
        suggested = workspace.suggest_sources(
            session=session, actor=staff, call_id=id_of(call), text=paragraph
        )
    assert found.sources == []
    assert suggested == []
    [conflict] = found.conflicts
    assert "2035" in conflict.point.text
    assert conflict.point.member == "Ein Mitglied (anonym)"  # never the anonymous name
    assert [c.describe() for c in conflict.contradictions] == ["nennt 2035 statt 2030"]


def test_demo_members_demanding_another_year_are_conflicts_named_only_if_allowed(
    demo_engine: Engine,
) -> None:
    call_id, _ = _analysed(demo_engine)
    with read_session(demo_engine) as session:
        found = workspace.find_sources(
            session=session,
            actor=SYSTEM,
            call_id=call_id,
            text="Für den Mittelstand brauchen wir bis 2035 einen Brückenstrompreis.",
        )
    assert not any("bis 2030" in source.group.canonical.text for source in found.sources)
    assert found.conflicts and all("bis 2030" in c.point.text for c in found.conflicts)
    for conflict in found.conflicts:
        named = conflict.point.visibility == Visibility.NAMED
        assert (conflict.point.member == conflict.point.organisation) is named
        assert [c.describe() for c in conflict.contradictions] == ["nennt 2030 statt 2035"]


def test_the_overview_counts_what_the_topics_hold(demo_engine: Engine) -> None:
    _, space = _analysed(demo_engine)
    for summary, topic in zip(space.overview.topics, space.topics, strict=True):
        assert summary.points == len(topic.points)
        assert summary.support == topic.supporters.support
    assert space.overview.used_points == space.overview.total_points - len(space.unused)
    assert space.overview.loose_points == sum(len(g.all) for g in space.loose)
    assert space.overview.submitted_since == 0


def test_no_name_of_a_member_that_did_not_allow_naming_is_loaded(demo_engine: Engine) -> None:
    _, space = _analysed(demo_engine)
    points = [p for t in space.topics for p in t.points]
    assert {p.visibility for p in points} >= {Visibility.ANONYMOUS, Visibility.INTERNAL}
    assert all(p.organisation == "" for p in points if p.visibility != Visibility.NAMED)
    assert all(p.organisation for p in points if p.visibility == Visibility.NAMED)


def _view(key: int, organisation: int, visibility: Visibility) -> workspace.PointView:
    name = f"Mitglied {organisation}" if visibility == Visibility.NAMED else ""
    return workspace.PointView(key, "Text", key, visibility, organisation, name, None, None)


def test_a_member_counts_once_under_its_most_open_permission() -> None:
    named, anonymous, internal = Visibility.NAMED, Visibility.ANONYMOUS, Visibility.INTERNAL
    supporters = workspace.Supporters.of(
        [
            _view(1, 1, anonymous),
            _view(2, 1, named),
            _view(3, 2, internal),
            _view(4, 2, anonymous),
            _view(5, 3, internal),
            _view(6, 3, internal),
        ]
    )
    assert supporters.names == ("Mitglied 1",)
    assert supporters.support == workspace.Support(named=1, anonymous=1, internal=1)
    assert supporters.support.citable == 2


def _grouped_points(engine: Engine) -> int:
    with read_session(engine) as session:
        return sum(group.size for group in session.exec(select(PointGroup)).all())


def test_the_duplicate_threshold_setting_changes_what_counts_as_the_same(
    demo_engine: Engine,
) -> None:
    call_id, _ = _analysed(demo_engine)
    at_default = _grouped_points(demo_engine)
    with write_session(demo_engine) as session:
        preferences.save_duplicate_threshold(session=session, actor=SYSTEM, value=0.97)
        workspace.analyse(session=session, actor=SYSTEM, call_id=call_id)
    strict = _grouped_points(demo_engine)
    assert strict < at_default


@pytest.mark.parametrize("value", [0.5, 0.99, 1.5])
def test_a_threshold_outside_the_sensible_range_is_refused_in_german(
    demo_engine: Engine, value: float
) -> None:
    with (
        pytest.raises(InvalidInput, match="zwischen 0,75 und 0,97"),
        write_session(demo_engine) as session,
    ):
        preferences.save_duplicate_threshold(session=session, actor=SYSTEM, value=value)
    with read_session(demo_engine) as session:
        assert preferences.duplicate_threshold(session=session) == 0.85


def test_a_statement_withdrawn_after_the_analysis_drops_out_of_the_next_run(
    demo_engine: Engine,
) -> None:
    call_id, space = _analysed(demo_engine)
    [campaign] = [g for t in space.topics for g in t.groups if "Antragsportal" in g.canonical.text]
    with write_session(demo_engine) as session:
        statement = session.get(Statement, campaign.canonical.statement_id)
        assert statement is not None
        statements.withdraw_statement(
            session=session,
            actor=SYSTEM,
            statement_id=campaign.canonical.statement_id,
            expected_version=statement.version,
        )
    with write_session(demo_engine) as session:
        workspace.analyse(session=session, actor=SYSTEM, call_id=call_id)
        after = _load(session, call_id)
    assert after.overview.total_points < space.overview.total_points
    shown = {p.statement_id for t in after.topics for p in t.points}
    shown |= {p.statement_id for g in after.loose for p in g.all}
    assert campaign.canonical.statement_id not in shown


def test_merge_split_and_set_aside_survive_a_re_run(demo_engine: Engine) -> None:
    call_id, space = _analysed(demo_engine)
    big, merged, aside = space.topics[0], space.topics[1], space.topics[2]
    split_off = big.groups[0].canonical.id
    with write_session(demo_engine) as session:
        workspace.merge_clusters(
            session=session,
            actor=SYSTEM,
            keep_id=id_of(big.cluster),
            merge_id=id_of(merged.cluster),
        )
        new = workspace.split_cluster(
            session=session,
            actor=SYSTEM,
            cluster_id=id_of(big.cluster),
            point_ids=[split_off],
            label="Abgespalten",
        )
        workspace.discard_cluster(session=session, actor=SYSTEM, cluster_id=id_of(aside.cluster))
    with write_session(demo_engine) as session:
        workspace.analyse(session=session, actor=SYSTEM, call_id=call_id)
        after = _load(session, call_id)
        assert session.get(Cluster, merged.cluster.id) is None
    by_id = {t.cluster.id: t for t in after.topics}
    assert aside.cluster.id not in by_id, "a topic set aside stays aside"
    kept = {p.id for p in by_id[big.cluster.id].points}
    assert {p.id for p in merged.points} <= kept
    assert split_off not in kept
    assert split_off in {p.id for p in by_id[new.id].points}
    assert by_id[new.id].cluster.label == "Abgespalten"


def test_topics_and_points_stay_within_their_call(demo_engine: Engine) -> None:
    _, space = _analysed(demo_engine)
    first, second = space.topics[0], space.topics[1]
    with write_session(demo_engine) as session:
        with pytest.raises(InvalidInput, match="mit sich selbst"):
            workspace.merge_clusters(
                session=session,
                actor=SYSTEM,
                keep_id=id_of(first.cluster),
                merge_id=id_of(first.cluster),
            )
        with pytest.raises(InvalidInput, match="nur Punkte dieses Themas"):
            workspace.split_cluster(
                session=session,
                actor=SYSTEM,
                cluster_id=id_of(first.cluster),
                point_ids=[second.points[0].id],
                label="Falsch",
            )
        other_call = Cluster(call_id=_other_call(session, first.cluster.call_id), label="Fremd")
        session.add(other_call)
        session.flush()
        with pytest.raises(InvalidInput, match="anderen Aufruf"):
            workspace.move_point(
                session=session,
                actor=SYSTEM,
                point_id=first.points[0].id,
                cluster_id=id_of(other_call),
            )
        with pytest.raises(InvalidInput, match="desselben Aufrufs"):
            workspace.merge_clusters(
                session=session,
                actor=SYSTEM,
                keep_id=id_of(first.cluster),
                merge_id=id_of(other_call),
            )


def _other_call(session: Session, call_id: int) -> int:
    return id_of(session.exec(select(Call).where(Call.id != call_id)).first())


def test_a_taken_suggestion_keeps_what_its_sources_said_when_they_were_taken(
    demo_engine: Engine,
) -> None:
    """The paper keeps each point's text and its statement's version: a member who changes
    its statement later changes neither."""
    call_id, space = _analysed(demo_engine)
    cluster = space.topics[0]
    with write_session(demo_engine) as session:
        sources = _accept(session, call_id, cluster)
        versions = {
            id_of(s): s.version
            for s in session.exec(
                select(Statement).where(
                    col(Statement.id).in_([source.statement_id for source in sources])
                )
            ).all()
        }
    said = {p.id: p.text for p in cluster.points}
    assert sources and all(s.quoted_text == said[s.point_id or 0] for s in sources)
    assert all(s.statement_version == versions[s.statement_id or 0] for s in sources)


def test_look_alikes_stay_apart_and_one_members_long_statement_is_no_topic(
    engine: Engine,
) -> None:
    copies = "Der Bund muss die Förderprogramme für Zulieferer bis 2030 vereinfachen."
    look_alikes = [
        "Das Land muss die Förderprogramme für Zulieferer bis 2030 vereinfachen.",
        "Der Bund muss die Förderprogramme für Zulieferer bis 2035 vereinfachen.",
    ]
    others = [
        "Die Antragsverfahren der Förderprogramme sollten digital werden.",
        "Förderrichtlinien sind zu kompliziert; kleine Betriebe scheitern an den Anträgen.",
    ]
    long_statement = "\n\n".join(
        f"- Unser Werk im Chemiepark Leuna {detail}"
        for detail in (
            "braucht einen neuen Gleisanschluss.",
            "muss die Abwasserreinigung modernisieren.",
            "wartet seit Jahren auf einen Zeitplan für Wasserstoff.",
            "sucht Chemikanten und Anlagenfahrer.",
            "leidet unter Förderprogrammen, die für Zulieferer zu kompliziert sind.",
        )
    )
    with write_session(engine) as session:
        staff = factories.actor(session)
        call = factories.call(session, staff, factories.forum(session, staff))
        for text in [copies, copies, *look_alikes, *others, long_statement]:
            member = factories.organisation(session)
            statement = factories.statement(session, call, id_of(member), text=text)
            statements.replace_points(session=session, statement=statement)
        workspace.analyse(session=session, actor=staff, call_id=id_of(call))
        space = _load(session, id_of(call))
    groups = [g for c in space.topics for g in c.groups] + space.loose
    [campaign] = [g for g in groups if g.canonical.text == copies]
    assert len(campaign.all) == 2, "the two copies are one point with a co-signer"
    for look_alike in look_alikes:
        [group] = [g for g in groups if look_alike in {v.text for v in g.all}]
        assert group is not campaign and len(group.all) == 1, "a look-alike is never a copy"
    for topic in space.topics:
        assert len({view.organisation_id for view in topic.points}) >= 2, topic.cluster.label
        assert " · " not in topic.cluster.label

"""Calendar addresses that Outlook or Thunderbird subscribe to, so new meetings and deadlines
appear without a new import.

A feed is a `CalendarFeed` row: a person's own calendar, or one person's view of a forum.
Its address carries the row's id signed with the app's secret key; revoking the row ends the
address. Every fetch shows what the feed's person may see at that moment, with their
current rights, so a deactivated account's feeds answer nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadData, URLSafeSerializer
from sqlmodel import Session, col, select

from db.models import CalendarFeed, Forum, id_of
from positions.core import accounts, audit, settings
from positions.core.clock import utcnow
from positions.core.errors import NotFound, PermissionDenied
from positions.core.permissions import Action, Actor, require
from positions.forums import calendar
from positions.forums.calendar import CalendarEvent

FEED_PREFIX = "/_positionen/kalender/"
FEED_SUFFIX = ".ics"
_SALT = "calendar"


@dataclass(frozen=True)
class FeedContent:
    events: list[CalendarEvent]
    name: str
    file_name: str


def _require_feed_holder(actor: Actor) -> None:
    # A feed outlives the browser session: only a person with an account of their own holds
    # one, not a visitor who came by an invitation link.
    if actor.via_invitation:
        raise PermissionDenied()


def personal_feed(*, session: Session, actor: Actor) -> CalendarFeed | None:
    """The actor's working personal feed, if they created one."""
    return session.exec(
        select(CalendarFeed).where(
            CalendarFeed.user_id == actor.user_id,
            col(CalendarFeed.forum_id).is_(None),
            col(CalendarFeed.revoked_at).is_(None),
        )
    ).first()


def forum_feed(*, session: Session, actor: Actor, forum_id: int) -> CalendarFeed | None:
    """The actor's working feed of one forum, if they created one."""
    return session.exec(
        select(CalendarFeed).where(
            CalendarFeed.forum_id == forum_id,
            CalendarFeed.created_by_id == actor.user_id,
            col(CalendarFeed.revoked_at).is_(None),
        )
    ).first()


def create_personal_feed(
    *, session: Session, actor: Actor, now: datetime | None = None
) -> CalendarFeed:
    """A new address for the actor's own calendar; the one before stops working."""
    require(actor, Action.CALL_READ)
    _require_feed_holder(actor)
    now = now or utcnow()
    earlier = personal_feed(session=session, actor=actor)
    feed = CalendarFeed(user_id=actor.user_id, created_by_id=actor.user_id, created_at=now)
    return _replace(session=session, actor=actor, earlier=earlier, feed=feed, now=now)


def create_forum_feed(
    *, session: Session, actor: Actor, forum_id: int, now: datetime | None = None
) -> CalendarFeed:
    """A new address for the forum's calendar as the actor sees it; theirs before stops."""
    forum = session.get(Forum, forum_id)
    if forum is None:
        raise NotFound("Dieses Forum gibt es nicht.")
    require(actor, Action.FORUM_READ, forum, session=session)
    _require_feed_holder(actor)
    now = now or utcnow()
    earlier = forum_feed(session=session, actor=actor, forum_id=forum_id)
    feed = CalendarFeed(forum_id=forum_id, created_by_id=actor.user_id, created_at=now)
    return _replace(session=session, actor=actor, earlier=earlier, feed=feed, now=now)


def _replace(
    *,
    session: Session,
    actor: Actor,
    earlier: CalendarFeed | None,
    feed: CalendarFeed,
    now: datetime,
) -> CalendarFeed:
    if earlier is not None:
        _revoke(session=session, actor=actor, feed=earlier, now=now)
    session.add(feed)
    session.flush()
    audit.created(session=session, actor_id=actor.user_id, row=feed, now=now)
    return feed


def revoke_feed(
    *, session: Session, actor: Actor, feed_id: int, now: datetime | None = None
) -> None:
    """End a feed's address; its own person may, and an administrator may end anyone's."""
    feed = session.get(CalendarFeed, feed_id)
    if feed is None:
        raise NotFound("Diese Kalenderadresse gibt es nicht.")
    if _holder_id(feed) != actor.user_id:
        require(actor, Action.USER_MANAGE)
    _require_feed_holder(actor)
    _revoke(session=session, actor=actor, feed=feed, now=now or utcnow())


def _revoke(*, session: Session, actor: Actor, feed: CalendarFeed, now: datetime) -> None:
    if feed.revoked_at is not None:
        return
    feed.revoked_at = now
    session.add(feed)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="revoke",
        object_type="calendarfeed",
        object_id=feed.id,
        now=now,
    )


def _holder_id(feed: CalendarFeed) -> int | None:
    """Whose view the feed shows: the person of a personal feed, the creator of a forum's."""
    return feed.user_id if feed.forum_id is None else feed.created_by_id


def feed_token(feed: CalendarFeed, *, secret: str) -> str:
    return URLSafeSerializer(secret, salt=_SALT).dumps(id_of(feed))


def feed_path(feed: CalendarFeed, *, secret: str) -> str:
    """The feed's address below the app's own (`FEED_PREFIX`...`.ics`)."""
    return f"{FEED_PREFIX}{feed_token(feed, secret=secret)}{FEED_SUFFIX}"


def feed_url(*, session: Session, feed: CalendarFeed, secret: str) -> str:
    """The full address to subscribe to, on the application's configured address."""
    base_url = settings.association(session=session).base_url.rstrip("/")
    return base_url + feed_path(feed, secret=secret)


def feed_content(
    *, session: Session, token: str, secret: str, now: datetime | None = None
) -> FeedContent | None:
    """The calendar behind a feed token, as its person may see it now; None when the token
    is forged or unknown, the feed revoked, or its person no longer has an active account.
    Notes the fetch (the caller's session writes)."""
    try:
        feed_id = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except BadData:
        return None
    feed = session.get(CalendarFeed, feed_id) if isinstance(feed_id, int) else None
    holder_id = _holder_id(feed) if feed is not None else None
    if feed is None or feed.revoked_at is not None or holder_id is None:
        return None
    holder = accounts.load_actor(session=session, user_id=holder_id)
    if holder is None:
        return None
    now = now or utcnow()
    try:
        content = _content(session=session, feed=feed, holder=holder, now=now)
    except PermissionDenied:
        return None  # e.g. a member whose company left the forum
    feed.last_fetched_at = now
    session.add(feed)
    return content


def _content(*, session: Session, feed: CalendarFeed, holder: Actor, now: datetime) -> FeedContent:
    if feed.forum_id is None:
        return FeedContent(
            events=calendar.events_for_person(session=session, actor=holder, now=now),
            name=calendar.calendar_name(session=session, person=holder),
            file_name="positionen-mein-kalender.ics",
        )
    forum = session.get(Forum, feed.forum_id)
    if forum is None:
        raise PermissionDenied()
    return FeedContent(
        events=calendar.events_for_forum(
            session=session, actor=holder, forum_id=feed.forum_id, now=now
        ),
        name=calendar.calendar_name(session=session, forum_id=feed.forum_id),
        file_name=f"positionen-forum-{feed.forum_id}.ics",
    )

"""Trending discussions: activity with time decay, recomputed by the worker rather than per request.

hot_rank = log(max(2, score + comment_count + 2)) / (hours since created + 2) ** 1.8

`score` is the reactions on the opening post; comments count as activity too.
A new discussion is ranked when it is created, so it shows at once; the
worker (worker.jobs.rank_discussions, every minute) keeps every rank of the
last weeks current as the hours pass. Older discussions keep their last rank,
which by then is near zero.
"""
from __future__ import annotations

from sqlalchemy import text

from webapp.extensions import db

FORMULA = "log(max(2, score + comments + 2)) / (hours since it started + 2)^1.8"
RANKED_DAYS = 30  # older discussions hardly move: their rank is left as it is

_RANK = """
UPDATE discussions
   SET hot_rank = ln(greatest(2, score + comment_count + 2))
                  / power(extract(epoch FROM (now() - created_at)) / 3600.0 + 2, 1.8),
       hot_ranked_at = now()
 WHERE {where}
"""


def rank_recent() -> int:
    """Recompute the rank of every discussion started in the last RANKED_DAYS; returns how many."""
    result = db.session.execute(text(_RANK.format(where="created_at > now() - make_interval(days => :days)")),
                                {"days": RANKED_DAYS})
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def rank_one(discussion_id: int) -> None:
    """Rank one discussion now (in the caller's transaction), e.g. when it starts."""
    db.session.execute(text(_RANK.format(where="id = :id")), {"id": discussion_id})

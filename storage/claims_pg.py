"""The sender's claim on PostgreSQL as one statement per window (``storage.claims.claim`` runs it):
the SQL, its parameters' types, and the planner settings it runs under.

Its own module because it is SQL text with its reasons; the life cycle of a claimed row is in
``storage.claims``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Integer, String, TextClause, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY

from storage.types import UTCDateTime

# The claim's statements are planned by index whatever the statistics say: scans, sorts of what an
# index gives in order and hashes of whole tables are switched off for the claim's transaction only
# (``set_config(…, true)`` lasts until the transaction ends), and so is JIT (the penalties of what
# is switched off make a plan look costly enough to compile: 200 ms for a query that takes a few).
_PLANNER = (
    "enable_seqscan",
    "enable_sort",
    "enable_incremental_sort",
    "enable_bitmapscan",
    "enable_hashjoin",
    "jit",
)
PLAN_BY_INDEX = "SELECT " + ", ".join(f"set_config('{name}', 'off', true)" for name in _PLANNER)


# PostgreSQL: the whole claim of one window is one statement. Every step is written so that no plan
# can scan the rows just queued, whatever the statistics say (they describe the table before a big
# fan-out until the next ANALYZE: the partial index of pending rows then looks empty, which makes any
# "id = … AND status = 'pending'" lookup through it look free, and a table that was small looks
# cheaper to scan and hash than to read by index):
#
# - ``due``: the next window of due rows through ``ix_outbox_pending_due``, in order, LIMIT
#   (an ordered index scan that stops after the window);
# - ``firsts``: the window's active chats not excluded, in order of their earliest due row;
# - ``pick``: each chosen chat's oldest due row, read through the chat's index with the pending
#   condition as an aggregate FILTER (not a WHERE the partial index could answer);
# - ``locked``: those rows locked by primary key, ``SKIP LOCKED``, with their status as it is once
#   locked (the status is checked on the locked row, not in the scan);
# - the UPDATE of the locked rows still pending by primary key, returning what the sender needs
#   with the chat's columns joined in.
#
# The last row of the answer (id NULL) tells how many rows the window held and where it ended, so a
# window of one busy or excluded chat is read past.
CLAIM_SQL = """
WITH due AS MATERIALIZED (
    SELECT o.id, o.chat_id, o.next_attempt_at FROM outbox AS o
    WHERE o.status = 'pending' AND o.next_attempt_at <= :now
      AND (o.next_attempt_at, o.id) > (:after_at, :after_id)
    ORDER BY o.next_attempt_at, o.id
    LIMIT :window
),
firsts AS MATERIALIZED (
    SELECT d.chat_id, min(d.next_attempt_at) AS first_due, min(d.id) AS first_id
    FROM due AS d JOIN chats AS c ON c.id = d.chat_id
    WHERE c.active AND NOT (d.chat_id = ANY(:excluded))
    GROUP BY d.chat_id
    ORDER BY first_due, first_id
    LIMIT :limit
),
pick AS MATERIALIZED (
    SELECT min(o.id) FILTER (WHERE o.status = 'pending' AND o.next_attempt_at <= :now) AS id
    FROM outbox AS o
    WHERE o.chat_id IN (SELECT f.chat_id FROM firsts AS f)
    GROUP BY o.chat_id
),
locked AS MATERIALIZED (
    SELECT o.id, o.status FROM outbox AS o
    WHERE o.id IN (SELECT p.id FROM pick AS p WHERE p.id IS NOT NULL)
    FOR UPDATE OF o SKIP LOCKED
),
won AS (
    UPDATE outbox AS o
    SET status = 'sending', claimed_by = :worker, claimed_at = :now, attempts = o.attempts + 1
    FROM locked AS l
    WHERE o.id = l.id AND l.status = 'pending'
    RETURNING o.id, o.chat_id, o.kind, o.subject, o.payload, o.attempts
)
SELECT w.id, w.chat_id, c.telegram_id, c.kind AS chat_kind, w.kind, w.subject, w.payload,
       w.attempts, c.quiet_hours, NULL::bigint AS window_rows, NULL::timestamptz AS last_at,
       NULL::integer AS last_id
FROM won AS w JOIN chats AS c ON c.id = w.chat_id
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       (SELECT count(*) FROM due),
       (SELECT d.next_attempt_at FROM due AS d ORDER BY d.next_attempt_at DESC, d.id DESC LIMIT 1),
       (SELECT d.id FROM due AS d ORDER BY d.next_attempt_at DESC, d.id DESC LIMIT 1)
"""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def claim_statement() -> TextClause:
    """The claim of one window on PostgreSQL (``CLAIM_SQL``) with its parameters' types."""
    return text(CLAIM_SQL).bindparams(
        bindparam("now", type_=UTCDateTime()),
        bindparam("after_at", type_=UTCDateTime()),
        bindparam("after_id", type_=Integer()),
        bindparam("window", type_=Integer()),
        bindparam("limit", type_=Integer()),
        bindparam("excluded", type_=ARRAY(Integer())),
        bindparam("worker", type_=String()),
    )

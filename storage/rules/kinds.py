"""The kinds of push (the outbox's ``kind``) and the reasons a queued push is cancelled."""

from __future__ import annotations

KIND_NEW_CALL = "new_call"
KIND_DEADLINE_CHANGED = "deadline_changed"
KIND_REMINDER = "reminder"
KIND_DIGEST = "digest"
KIND_WEEKLY = "weekly_overview"
KIND_EVENT_REMINDER = "event_reminder"
# The coordinators' question about a deadline that is not certain (subject "call:<id>:check:<reading>").
KIND_DEADLINE_CHECK = "deadline_check"
# Not a message: the key a pruned digest leaves for each call it held (``storage.outbox_prune``).
KIND_TOLD = "told"

# The kinds that are about one call (their payload holds its ``call_id``).
CALL_KINDS = (KIND_NEW_CALL, KIND_REMINDER, KIND_DEADLINE_CHANGED)

CANCELLED_CLOSED = "utlysningen er stengt"
CANCELLED_DEADLINE = "fristen er endret"
CANCELLED_WAITING = "fristen venter på en koordinator"
CANCELLED_ANSWERED = "en koordinator har svart"
CANCELLED_EXPIRED = "fristen er ute"
CANCELLED_MUTED = "ikke interessert"
CANCELLED_UNFOLLOWED = "mottakeren følger ikke lenger emnene eller søkeordene"
CANCELLED_DIGEST_MODE = "mottakeren har valgt sammendrag i stedet"
CANCELLED_NO_CHAT = "mottakeren finnes ikke lenger"
CANCELLED_DIGEST_EMPTY = "ingen av utlysningene i sammendraget er aktuelle lenger"

"""The push wing: what is due (planners), the fan-out of new calls and changed deadlines, rendering,
and the one outbox sender with its jobs. Everything pushed to someone who did not just ask goes
through here."""

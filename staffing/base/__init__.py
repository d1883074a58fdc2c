"""The base layer every app builds on; it imports no app of ours.

- `models`: users and roles, the audit log, the email outbox (in the `staffing` app label, with the
  tables they always had).
- `access`: which roles may open a page (`role_required`, `public`).
- `audit`: recording who did what, and who saw whose personal data.
- `outbox`: queueing emails in the database and sending them after commit.
- `queueing`: handing work to the background by task name, after commit.
- `outages`: riding out a Redis outage (breakers).

`candidates` and `clients` import only this layer of `staffing`; the staffing workflow
(`staffing.models`, `staffing.services`) imports them; views and tasks sit on top. The contracts
in `.importlinter` hold it (`make lint`).
"""

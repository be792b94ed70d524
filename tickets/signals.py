"""What tickets tells the apps beside it (webhooks) without knowing them. Sent inside the
service's transaction, after the rows are saved, so a receiver's writes (outbox events)
commit or roll back with them.

`checkins_recorded`: `checkins`, the check-ins that admitted a ticket for the first time
(one signal per online scan or offline upload, so a receiver looks its endpoints up once).
`ticket_revoked`: `ticket`, revoked (`reason` "revoked") or reissued (`reason` "reissued").
"""

from django.dispatch import Signal

checkins_recorded = Signal()
ticket_revoked = Signal()

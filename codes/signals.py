"""What codes tells the apps above it (webhooks) without knowing them.

`code_changed` is sent by the code services inside their transaction, after the change is
saved, so a receiver that writes (an outbox event) commits or rolls back with the change.
Arguments: `code`, `action` ("created", "updated" or "deleted"), `changed` (field names, for
updates) and `previous_destination` (set when a dynamic code's destination changed).

`codes_created` is sent once by a bulk create, in its transaction, with `codes` (a list): a
receiver can then look up what it needs once per batch instead of once per code.

`sandbox_wiped` is sent by `sandbox_wipe` inside its transaction, with `workspace`: the apps
above delete their own sandbox rows (`is_test=True`) so the wipe commits or fails as one. A
receiver may answer with what it deleted, counted by name (tickets: `{"events": n}`), for the
wipe's answer.
"""

from django.dispatch import Signal

code_changed = Signal()
codes_created = Signal()
sandbox_wiped = Signal()

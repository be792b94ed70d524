from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Event tickets"

    def ready(self) -> None:
        # The jobs runner learns the ticket kinds from here (jobs imports no tickets).
        from jobs.models import Kind
        from jobs.services.runner import runner_register
        from tickets import receivers  # noqa: F401 - connects the sandbox wipe
        from tickets.exports import ticket_export_run
        from tickets.imports import TICKET_IMPORT, ticket_import_run

        runner_register(TICKET_IMPORT, ticket_import_run)
        runner_register(Kind.TICKET_EXPORT, ticket_export_run)

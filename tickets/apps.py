from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Event tickets"

    def ready(self) -> None:
        # The jobs runner learns the ticket import kind from here (jobs imports no tickets).
        from jobs.services.runner import runner_register
        from tickets.imports import TICKET_IMPORT, ticket_import_run

        runner_register(TICKET_IMPORT, ticket_import_run)

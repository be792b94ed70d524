from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from celery.signals import worker_ready

        from jobs import receivers  # noqa: F401 - connects the sandbox wipe
        from jobs.tasks import resume_on_worker_start
        from qrsite.celery import broker_folders

        broker_folders()
        from jobs.metrics import job_states
        from qrsite.metrics import register_state

        register_state(job_states)

        from codes.api.bulk_async import bulk_async_install
        from jobs.api.views import bulk_create_async

        bulk_async_install(bulk_create_async)

        # A worker that starts (or restarts after being killed) picks up the jobs whose worker
        # died: their lease ran out, and some brokers (filesystem, SQL) lose unacked messages.
        worker_ready.connect(resume_on_worker_start, dispatch_uid="jobs_resume_on_worker_start")

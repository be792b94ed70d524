from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Scan analytics"

    def ready(self):
        from analytics.capture import capture_scan
        from analytics.metrics import recording_state
        from qrsite.metrics import register_state

        register_state(recording_state)
        from analytics.services import scan_record_within_limit, scan_submit
        from codes.scan import ScanRecorder, scan_recorder_install

        scan_recorder_install(
            ScanRecorder(
                capture=capture_scan,
                submit=scan_submit,
                record_within_limit=scan_record_within_limit,
            )
        )

"""`X-Request-ID`: taken from the proxy when it sends a well-formed one, generated otherwise,
returned on every response, written on every log line of the request (qrsite.logs) and handed
to the Celery tasks the request starts (qrsite.celery)."""

from django.core.signals import request_finished

from qrsite import logs


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = logs.accepted_or_new(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        # Kept until the response is finished, not just while the middleware runs: Django
        # logs a 4xx/5xx ("Not Found: /path") after the middleware chain has returned.
        logs.request_id.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def _forget_request_id(**kwargs):
    # A server thread serves many requests: nothing logged between them may carry an old id.
    logs.request_id.set(None)


request_finished.connect(_forget_request_id, dispatch_uid="qrsite.request_id.forget")

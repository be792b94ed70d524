"""The project's URLs plus one API view that fails after authenticating its caller: the error
report and log tests need a real request that goes wrong."""

from django.urls import path

from qrsite.api.views import ApiView
from qrsite.urls import urlpatterns as project_urlpatterns


class FailingView(ApiView):
    required_scopes = {"*": "read"}

    def get(self, request):
        # What a careless error message would carry: the credentials and the caller's address.
        authorization = request.headers["Authorization"]
        address = request.META["REMOTE_ADDR"]
        forwarded = request.headers.get("X-Forwarded-For", "")
        raise RuntimeError(f"report test failure for {authorization} from {address} {forwarded}")


urlpatterns = [path("api/v1/failing-for-tests", FailingView.as_view()), *project_urlpatterns]

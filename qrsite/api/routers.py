from rest_framework.routers import SimpleRouter


class ApiRouter(SimpleRouter):
    """The seed's paths have no trailing slash (`POST /api/v1/codes`); both spellings work."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"  # the constructor only knows "/" or nothing

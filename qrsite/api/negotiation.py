from rest_framework.negotiation import DefaultContentNegotiation


class LenientNegotiation(DefaultContentNegotiation):
    """An `Accept` the endpoint cannot serve gets JSON rather than a 406: errors must always
    reach the client in the envelope, and a JSON answer is more useful than a refusal."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Exception:
            return renderers[0], renderers[0].media_type

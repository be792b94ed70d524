"""System checks of the codes app."""

from django.core import checks

from codes.rendering import decoders


@checks.register(checks.Tags.compatibility)
def second_decoder_installed(app_configs, **kwargs) -> list[checks.CheckMessage]:
    # Without ZBar every verdict rests on one decoder, which is the promise broken.
    if len(decoders()) >= 2:
        return []
    return [
        checks.Warning(
            "The scannability guard has only one decoder (zxing-cpp): ZBar's library is missing.",
            hint="Install it (Debian/Ubuntu: apt install libzbar0; macOS: brew install zbar).",
            id="codes.W001",
        )
    ]

from codes import checks


def test_a_missing_second_decoder_is_a_system_check_warning(monkeypatch):
    monkeypatch.setattr(checks, "decoders", lambda: ("zxing-cpp", "zbar"))
    assert checks.second_decoder_installed(None) == []

    monkeypatch.setattr(checks, "decoders", lambda: ("zxing-cpp",))
    (warning,) = checks.second_decoder_installed(None)

    assert warning.id == "codes.W001"
    assert "libzbar0" in warning.hint

"""check_many: one design, many payloads. Its fast path skips the per-payload decode for the
standard design (plain segno output), so these tests prove that such symbols decode across
payload lengths, versions and error levels, and that everything else is still decoded."""

import dataclasses
import importlib
import random
import string

import pytest

from codes.rendering import ERROR_LEVELS, Style, check_many, ensure_scannable, render, standard
from codes.rendering.check import CHECK_UNIT
from codes.rendering.fixes import image_at
from codes.rendering.scene import build_scene

from .conftest import decode, read_by_all

check_module = importlib.import_module("codes.rendering.check")
PLAIN = "".join(c for c in string.printable if c not in "\\~\t\n\r\x0b\x0c")
STANDARD_STYLES = [
    Style(),
    Style(foreground_color="#1E3A8A", background_color="#FFFFFF"),
    Style(foreground_color="#5B2C06", background_color="#FFF7E0", margin=6),
]


def _payloads(seed: int, count: int, longest: int) -> list[str]:
    rng = random.Random(seed)
    short_urls = [f"https://qr.example/r/{''.join(rng.choices(string.ascii_letters, k=7))}"]
    lengths = [rng.randint(1, longest) for _ in range(count - 1)]
    return short_urls + ["".join(rng.choices(PLAIN, k=n)) for n in lengths]


@pytest.mark.parametrize("error", ERROR_LEVELS)
def test_standard_designs_decode_across_many_payloads(error):
    # The fast path's premise: every plain payload that fits, in every standard design and at
    # every error level, renders to a symbol that reads back as exactly that payload.
    for n, style in enumerate(STANDARD_STYLES):
        style = dataclasses.replace(style, error_correction=error)
        assert standard.is_standard(style, has_logo=False)
        for payload in _payloads(seed=n * 10 + ERROR_LEVELS.index(error), count=80, longest=600):
            scene = build_scene(payload, style, None)
            # What the guard reads a design at (the fast path skips exactly this).
            assert read_by_all(image_at(scene, CHECK_UNIT), payload), (payload, style)
    # And what a user downloads decodes too, for a sample of versions.
    for payload in _payloads(seed=99, count=12, longest=300):
        assert decode(render(payload, Style(error_correction=error), size=600)) == [payload]


def test_the_fast_path_skips_the_decode_only_for_standard_designs_and_plain_payloads(monkeypatch):
    payloads = ["https://qr.example/r/aaaaaaa", "https://qr.example/r/bbbbbbb", "https://e.com/~x"]
    decoded = []
    real = check_module.reads

    def spy(image, payload, **options):
        decoded.append(payload)
        return real(image, payload, **options)

    monkeypatch.setattr(check_module, "reads", spy)
    check_module._reports.clear()
    check_module._classes.clear()
    assert check_many(payloads, Style()) == {}
    assert set(decoded) == {payloads[0], payloads[2]}  # the tilde may be misread: decoded
    decoded.clear()
    check_module._reports.clear()
    assert check_many(payloads, Style(module_shape="dots")) == {}
    assert set(decoded) == set(payloads)


def test_a_single_guard_call_trusts_a_plain_payload_once_its_design_class_was_decoded(
    monkeypatch,
):
    """What a create pays: the first code of a standard design (per symbol size and px per
    module) is decoded and put through the conditions, the next ones of the class are not;
    styled designs and payloads outside printable ASCII are decoded every time."""
    decoded = []
    real = check_module.reads

    def spy(image, payload, **options):
        decoded.append(payload)
        return real(image, payload, **options)

    monkeypatch.setattr(check_module, "reads", spy)
    check_module._reports.clear()
    check_module._classes.clear()
    first, second, tilde = "https://e.com/aaaa1", "https://e.com/bbbb2", "https://e.com/~cc3"
    for payload in (first, second, tilde):
        report = ensure_scannable(payload, Style(), size=400)
        assert report.ok
        assert report.decodes
        assert report.score == 1.0
    assert first in decoded
    assert second not in decoded
    assert tilde in decoded
    decoded.clear()
    for payload in (first, second):
        ensure_scannable(payload, Style(module_shape="rounded"), size=400)
    assert {first, second} <= set(decoded)
    # The trust is per px per module: another size of the same design is decoded again.
    decoded.clear()
    ensure_scannable(second, Style(), size=256)
    assert decoded
    assert set(decoded) <= {second}


def test_a_payload_that_does_not_decode_is_refused_at_its_position(monkeypatch):
    payloads = ["https://e.com/1", "https://e.com/2", "https://e.com/3"]
    real = check_module.reads

    def misread_second(image, payload, **options):
        verdict = real(image, payload, **options)
        return {name: ok and payload != payloads[1] for name, ok in verdict.items()}

    monkeypatch.setattr(check_module, "reads", misread_second)
    check_module._reports.clear()
    refused = check_many(payloads, Style(module_shape="rounded"))
    assert list(refused) == [1]
    assert "does not scan" in next(iter(refused[1].values()))


def test_a_payload_too_long_for_the_standard_design_is_refused_at_its_position():
    refused = check_many(["https://e.com/ok", "x" * 5000, "https://e.com/ok2"], Style())
    assert list(refused) == [1]
    assert "too long" in refused[1]["content"]


def test_a_refused_design_is_refused_for_every_payload():
    style = Style(foreground_color="#DDDDDD")
    refused = check_many(["https://e.com/1", "https://e.com/2"], style)
    assert list(refused) == [0, 1]
    assert "foreground_color" in refused[0]


def test_non_standard_designs_are_not_standard():
    assert not standard.is_standard(Style(), has_logo=True)
    assert not standard.is_standard(Style(module_shape="dots"), has_logo=False)
    assert not standard.is_standard(Style(margin=3), has_logo=False)
    assert not standard.is_standard(Style(foreground_color="#888888"), has_logo=False)
    assert not standard.is_standard(Style(background_color="transparent"), has_logo=False)
    assert not standard.is_standard(Style(finder_ball_color="#333333"), has_logo=False)


@pytest.mark.parametrize("error", ["L", "M", "Q", "H"])
def test_fits_agrees_with_segno_at_the_capacity_edge(error):
    import segno

    from codes.rendering.standard import _BYTE_CAPACITY_V40, fits

    def segno_fits(payload):
        try:
            segno.make(payload, error=error, micro=False, boost_error=False)
        except segno.DataOverflowError:
            return False
        return True

    capacity = _BYTE_CAPACITY_V40[error]
    for payload in ("x" * capacity, "x" * (capacity + 1), "é" * (capacity // 2 + 1), "7" * 7089):
        assert fits(payload, error) == segno_fits(payload), (len(payload), error)

import segno
from hypothesis import given, settings
from hypothesis import strategies as st

from codes.rendering import qr
from codes.rendering.qr import make_matrix

payloads = st.one_of(
    st.text(st.sampled_from("0123456789"), min_size=1, max_size=300),
    st.text(
        st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 $%*+-./:"), min_size=1, max_size=300
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=300),
)


@settings(settings.get_profile("rendering"))
@given(payload=payloads, error=st.sampled_from("LMQH"))
def test_fast_mask_choice_gives_segnos_exact_matrix(payload, error):
    encoding = None if payload.isascii() else "utf-8"
    try:
        expected = segno.make(
            payload, error=error, boost_error=False, micro=False, encoding=encoding
        )
    except segno.DataOverflowError:
        return
    version, rows = make_matrix(payload, error, encoding)
    assert version == expected.version
    assert rows == tuple(bytes(row) for row in expected.matrix)


def test_long_payloads_reach_high_versions_and_still_match():
    payload = "https://example.com/" + "x" * 1200
    expected = segno.make(payload, error="L", boost_error=False, micro=False)
    assert expected.version >= 20
    assert make_matrix(payload, "L", None) == (
        expected.version,
        tuple(bytes(row) for row in expected.matrix),
    )


@settings(settings.get_profile("rendering"))
@given(
    n=st.sampled_from([21, 25, 33, 57]),
    seed=st.integers(0, 2**32 - 1),
    density=st.sampled_from([0.2, 0.5, 0.8]),
    planted=st.integers(0, 3),
)
def test_packed_penalty_scores_like_the_reference(n, seed, density, planted):
    import random

    rnd = random.Random(seed)
    lines = [bytearray(rnd.random() < density for _ in range(n)) for _ in range(n)]
    # Finder-like patterns, overlapping chains of them included, are where N3 is subtle.
    chain = bytes([1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1]) + bytes(4)
    for _ in range(planted):
        r, c = rnd.randrange(n), rnd.randrange(n - 8)
        piece = chain[: rnd.choice([7, 11, 15, 19])][: n - c]
        lines[r][c : c + len(piece)] = piece
    rows = [int.from_bytes(bytes(line), "big") for line in lines]
    low = int.from_bytes(b"\x00" + b"\x01" * (n - 1), "big")
    packed = qr._packed_penalty(qr._pack_symbol(rows, n), n)
    # None: segno would skip a pattern that counts, which only the reference decides.
    assert packed is None or packed == qr._penalty(rows, n, low)


def test_packed_penalty_decides_almost_every_real_symbol_alone():
    decided = total = 0
    for i in range(60):
        symbol = segno.make(f"https://qr.example.com/r/{i:07d}", error="H", boost_error=False)
        n = len(symbol.matrix)
        rows = [int.from_bytes(bytes(row), "big") for row in symbol.matrix]
        low = int.from_bytes(b"\x00" + b"\x01" * (n - 1), "big")
        for mask in qr._mask_rows(n):
            masked = [r ^ m for r, m in zip(rows, mask, strict=True)]
            packed = qr._packed_penalty(qr._pack_symbol(masked, n), n)
            total += 1
            if packed is not None:
                decided += 1
                assert packed == qr._penalty(masked, n, low)
    assert decided >= 0.95 * total

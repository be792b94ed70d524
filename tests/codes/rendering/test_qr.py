import segno
from hypothesis import given, settings
from hypothesis import strategies as st

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

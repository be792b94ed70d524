"""segno's symbol, built faster.

segno builds a symbol one module at a time in pure Python and spends most of ``make()`` trying
the eight data masks. We keep segno for what decides the content (segments, version, the
codewords and their error correction, the format and version information) and do the rest on
whole lines: the final message's bits are put in place with one precomputed ``itemgetter`` per
symbol size (segno's zigzag placement order), and the eight masks are scored on every row and
column at once, one bit per module in a single integer, with exactly segno's penalty rules
(ISO/IEC 18004 7.8.3, including segno's reading of N3). The result is the matrix
``segno.make()`` returns; ``tests/codes/rendering/test_qr.py`` checks that across versions,
levels and modes. A short URL at level H: 0.40 ms against segno's ~2 ms. If segno's internals
ever move, we fall back to ``segno.make()`` unchanged.
"""

import functools
import itertools
import operator
import re

import segno

try:
    from segno import consts as _consts
    from segno import encoder as _enc

    _FAST = all(
        hasattr(_enc, name)
        for name in (
            "make_matrix",
            "add_finder_patterns",
            "add_alignment_patterns",
            "add_format_info",
            "get_data_mask_functions",
            "normalize_errorlevel",
            "prepare_data",
            "find_version",
            "Buffer",
            "version_range",
            "write_segment",
            "write_terminator",
            "write_padding_bits",
            "write_pad_codewords",
            "make_blocks",
            "calc_matrix_size",
            "add_version_info",
        )
    )
except ImportError:  # pragma: no cover - segno reorganised
    _FAST = False

# Runs of either colour become runs of "1" in one buffer, so one simple regex finds every
# run of five or more (an alternation over raw 0/1 bytes is markedly slower).
_DARK_ONES = bytes.maketrans(b"\x00\x01\x02", b" 1 ")
_LIGHT_ONES = bytes.maketrans(b"\x00\x01\x02", b"1  ")
_RUN5 = re.compile(rb"1{5,}")
_N3 = bytes((1, 0, 1, 1, 1, 0, 1))


@functools.lru_cache(maxsize=40)
def _function_template(n: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Per row: the function-pattern values as one int (a byte per module) and the data area."""
    matrix = _enc.make_matrix(n, n)
    _enc.add_finder_patterns(matrix, n, n)
    _enc.add_alignment_patterns(matrix, n, n)
    values = tuple(int.from_bytes(bytes(v if v < 2 else 0 for v in row), "big") for row in matrix)
    region = tuple(int.from_bytes(bytes(v == 2 for v in row), "big") for row in matrix)
    return values, region


@functools.lru_cache(maxsize=40)
def _mask_rows(n: int) -> tuple[tuple[int, ...], ...]:
    """``[mask][row]``: the mask pattern restricted to the data area, as row ints."""
    _, region = _function_template(n)
    patterns = _enc.get_data_mask_functions(False)
    out = []
    for fn in patterns:
        rows = []
        for i in range(n):
            bits = int.from_bytes(bytes(bool(fn(i, j)) for j in range(n)), "big")
            rows.append(bits & region[i])
        out.append(tuple(rows))
    return tuple(out)


def _n3(big: bytes, stride: int, size: int) -> int:
    """segno's N3 count over every line at once (lines ``stride`` apart, separated by 0x02)."""
    count = 0
    idx = big.find(_N3)
    while idx != -1:
        start = idx - idx % stride
        pos, offset = idx - start, idx + 7
        if (
            pos in (0, size - 7)
            or 1 not in big[max(idx - 4, start) : idx]
            or 1 not in big[offset : min(offset + 4, start + size)]
        ):
            count += 40
        else:
            offset = idx + 4
        idx = big.find(_N3, offset)
    return count


def _penalty(rows: list[int], n: int, low: int) -> int:
    lines = [r.to_bytes(n, "big") for r in rows]
    # All rows then all columns in one buffer; the 0x02 separator stops runs and patterns.
    big = b"\x02".join(lines + [bytes(c) for c in zip(*lines, strict=True)])
    runs = _RUN5.findall(big.translate(_DARK_ONES) + b" " + big.translate(_LIGHT_ONES))
    score = sum(map(len, runs)) - 2 * len(runs) + _n3(big, n + 1, n)
    for above, row in itertools.pairwise(rows):
        diff = above ^ row
        bad = (row ^ (row >> 8)) | diff | (diff >> 8)
        score += 3 * (n - 1 - (bad & low).bit_count())
    dark = sum(r.bit_count() for r in rows)
    return score + 10 * int(abs(dark / (n * n) * 100 - 50) / 5)


# --- all lines in one integer ----------------------------------------------------------------
#
# The reference above scores one masked symbol in ~0.14 ms (a 33-module symbol); eight of them
# cost more than segno's whole encode. Below, every row and every column of a symbol is one bit
# per module in a single integer, each line's bits after 4 padding bits, so one shift and one
# AND test a rule at every module of every line at once, and masking is one XOR with the
# mask's own packed form. Same rules, same numbers (tests/codes/rendering/test_qr.py compares
# both on random matrices); the rare symbol where segno's N3 search would skip an overlapping
# finder-like pattern that would count is scored by the reference.

_PAD = 4  # padding bits before each line and after the last: the N3 windows stay in their line
_BITS = bytes.maketrans(b"\x00\x01", b"01")
_UNBITS = bytes.maketrans(b"01", b"\x00\x01")


@functools.lru_cache(maxsize=40)
def _packed_layout(n: int) -> tuple[int, int, int, int]:
    """(stride, module bits of every line, module bits of the rows only, N2's valid bits)."""
    stride = n + _PAD
    line = (1 << n) - 1
    modules = rows_only = n2_ok = 0
    for k in range(2 * n):
        modules |= line << (_PAD + k * stride)
        if k < n:
            rows_only |= line << (_PAD + k * stride)
        if k < n - 1:  # a 2x2 block's top-left: not in the last row or column
            n2_ok |= ((1 << (n - 1)) - 1) << (_PAD + k * stride)
    return stride, modules, rows_only, n2_ok


def _pack(lines: list[bytes]) -> int:
    """Rows then columns (bytes of 0/1 per module) as one integer, module 0 lowest."""
    pad = "0" * _PAD
    text = pad + pad.join(line.translate(_BITS).decode()[::-1] for line in lines)
    return int(text[::-1], 2) if text else 0


def _pack_symbol(rows: list[int], n: int) -> int:
    lines = [r.to_bytes(n, "big") for r in rows]
    return _pack(lines + [bytes(c) for c in zip(*lines, strict=True)])


@functools.lru_cache(maxsize=40)
def _packed_masks(n: int) -> tuple[int, ...]:
    return tuple(_pack_symbol(list(rows), n) for rows in _mask_rows(n))


def _packed_penalty(packed: int, n: int) -> int | None:
    """segno's penalty of one masked symbol (``_pack_symbol`` form), or None when the N3
    search would skip a pattern (the reference then decides)."""
    stride, modules, rows_only, n2_ok = _packed_layout(n)
    dark = packed
    light = packed ^ modules  # padding is neither colour here
    score = 0
    # N1: a run of L >= 5 scores L - 2: (L - 4) windows of five plus 2 at the run's end.
    for colour in (dark, light):
        five = colour & colour >> 1 & colour >> 2 & colour >> 3 & colour >> 4
        score += five.bit_count() + 2 * (five & ~(five >> 1)).bit_count()
    # N2: 3 per 2x2 block of one colour (rows only: each block counted once).
    rows = dark & rows_only
    same = ~(rows ^ rows >> 1) & ~(rows ^ rows >> stride) & ~(rows ^ rows >> (stride + 1))
    score += 3 * (same & n2_ok).bit_count()
    # N3: 1011101 with four light modules (or the line's end) before or after it scores 40.
    pattern = dark & light >> 1 & dark >> 2 & dark >> 3 & dark >> 4 & light >> 5 & dark >> 6
    if pattern:
        open_ = packed ^ ((1 << (2 * n * stride + _PAD)) - 1)  # light, padding included
        before = open_ << 1 & open_ << 2 & open_ << 3 & open_ << 4
        after = open_ >> 7 & open_ >> 8 & open_ >> 9 & open_ >> 10
        counted = pattern & (before | after)
        # After a counted match segno resumes 7 modules on, so an overlapping match 4 or 6
        # modules on is never looked at; that only changes the score when that one would
        # count too.
        if counted & (counted << 4 | counted << 6):
            return None
        score += 40 * counted.bit_count()
    # N4: 10 per 5 % the dark share is away from half.
    share = (dark & rows_only).bit_count() / (n * n) * 100
    return score + 10 * int(abs(share - 50) / 5)


def _with_mask(rows: list[int], masks, k: int) -> list[int]:
    return [r ^ m for r, m in zip(rows, masks[k], strict=True)]


def _scores(data: list[int], n: int, masks) -> list[int]:
    packed = _pack_symbol(data, n)
    low = int.from_bytes(b"\x00" + b"\x01" * (n - 1), "big")
    scores = []
    for k, mask in enumerate(_packed_masks(n)):
        score = _packed_penalty(packed ^ mask, n)
        scores.append(_penalty(_with_mask(data, masks, k), n, low) if score is None else score)
    return scores


@functools.lru_cache(maxsize=40)
def _placement(n: int) -> tuple[operator.itemgetter, int]:
    """Picks the unmasked symbol, row by row, out of the final message's bits followed by a
    0 and a 1: each data module the bit segno's ``add_codewords`` puts there, each function
    module (finders, timing, alignment; reserved format areas are light) its constant."""
    template, region = _function_template(n)
    cells = [r * n + c for r in range(n) for c in range(n)]
    data = [(region[r] >> (8 * (n - 1 - c))) & 1 for r in range(n) for c in range(n)]
    dark = [(template[r] >> (8 * (n - 1 - c))) & 1 for r in range(n) for c in range(n)]
    order = []  # the data cells in segno's placement order: two-module columns, zigzag
    for right in range(n - 1, 0, -2):
        if right <= 6:
            right -= 1
        for vertical in range(n):
            for z in range(2):
                j = right - z
                upwards = ((right & 2) == 0) ^ (j < 6)
                i = (n - 1 - vertical) if upwards else vertical
                if data[i * n + j]:
                    order.append(i * n + j)
    source = [0] * (n * n)
    for k, cell in enumerate(order):
        source[cell] = k
    count = len(order)
    picks = [source[p] if data[p] else count + dark[p] for p in cells]
    return operator.itemgetter(*picks), count


class _Codewords:
    """The data codewords as segno's ``make_blocks`` reads them from its bit buffer."""

    def __init__(self, words: bytes):
        self.words = words

    def toints(self):
        return iter(self.words)


def _final_message(payload: str, error: str, encoding: str | None) -> tuple[int, int, bytes]:
    """(version, segno's error level, the final message's codewords): ``segno.encoder._encode``'s
    steps up to the codeword placement, for a QR (not Micro) symbol without boosting; the
    interleaving is ``make_final_message``'s, on bytes instead of one bit at a time."""
    segments = _enc.prepare_data(payload, None, encoding)
    level = _enc.normalize_errorlevel(error)
    version = _enc.find_version(segments, level, eci=False, micro=False)
    buff = _enc.Buffer()
    ver_range = _enc.version_range(version)
    for segment in segments:
        _enc.write_segment(buff, segment, None, ver_range, False)
    capacity = _consts.SYMBOL_CAPACITY[version][level]
    _enc.write_terminator(buff, capacity, None, len(buff))
    _enc.write_padding_bits(buff, version, len(buff))
    _enc.write_pad_codewords(buff, version, capacity, len(buff))
    bits = bytes(buff.getbits())
    words = int(bits.translate(_BITS), 2).to_bytes(len(bits) // 8, "big")
    data, ecc = _enc.make_blocks(_consts.ECC[version][level], _Codewords(words))
    message = bytes(
        word
        for blocks in (data, ecc)
        for column in itertools.zip_longest(*blocks)
        for word in column
        if word is not None
    )
    return version, level, message


def make_matrix(payload: str, error: str, encoding: str | None) -> tuple[int, tuple[bytes, ...]]:
    """``(version, rows)`` of the symbol ``segno.make`` would produce, found faster."""
    if not _FAST:
        qr = segno.make(payload, error=error, boost_error=False, micro=False, encoding=encoding)
        return qr.version, tuple(bytes(r) for r in qr.matrix)
    version, level, message = _final_message(payload, error, encoding)
    n = _enc.calc_matrix_size(version)
    place, cells = _placement(n)
    bits = bin(int.from_bytes(message, "big"))[2:].zfill(8 * len(message)).encode()
    # The remainder bits that fill the data area are light; then a light and a dark constant.
    flat = bytes(place(bits.translate(_UNBITS) + bytes(cells - 8 * len(message)) + b"\x00\x01"))
    # Scored before format and version information exist: those areas are light then.
    data = [int.from_bytes(flat[r * n : (r + 1) * n], "big") for r in range(n)]
    masks = _mask_rows(n)
    scores = _scores(data, n, masks)
    best = scores.index(min(scores))
    matrix = tuple(bytearray(r.to_bytes(n, "big")) for r in _with_mask(data, masks, best))
    _enc.add_format_info(matrix, version, level, best)
    _enc.add_version_info(matrix, version)
    return version, tuple(bytes(r) for r in matrix)

"""The two readers a design must satisfy: zxing-cpp and OpenCV's QR detector.

They share no code (zxing-cpp is a C++ port of ZXing; OpenCV has its own finder detection,
sampling and decoder), so a design that only one of them reads is a design some phones will
not read. Both see the same flattened grey image and must return exactly the payload's bytes;
inversion is tried only when the design allows inverted codes (many phone readers never try).

OpenCV gets two looks, the image and the image 1.5x larger, as a phone gets many frames while
it moves: its finder search misses about one perfect symbol in ten at a given scale (data that
happens to resemble a finder), and a second scale recovers every one of them in our sample
(docs/styling.md "How the guard decides"). Of its two detectors the ArUco-based one misses
fewer and is faster.
"""

import threading

import cv2
import numpy as np
import zxingcpp
from PIL import Image, ImageOps

SECOND_LOOK = 1.5


def grey(image: Image.Image) -> Image.Image:
    """The image as a reader sees it: transparency over white paper, in grey."""
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        paper = Image.new("RGB", image.size, (255, 255, 255))
        paper.paste(image, mask=image.getchannel("A"))
        image = paper
    return image.convert("L")


def zxing_reads(image: Image.Image, payload: str, inverted_ok: bool) -> bool:
    found = zxingcpp.read_barcodes(
        image,
        formats=zxingcpp.BarcodeFormat.QRCode,
        try_invert=inverted_ok,
        try_rotate=False,
        text_mode=zxingcpp.TextMode.Plain,
    )
    return len(found) == 1 and found[0].text == payload


_local = threading.local()  # an OpenCV detector keeps state between calls: one per thread


def _detector() -> cv2.QRCodeDetectorAruco:
    detector = getattr(_local, "detector", None)
    if detector is None:
        detector = _local.detector = cv2.QRCodeDetectorAruco()
    return detector


def opencv_reads(image: Image.Image, payload: str, inverted_ok: bool) -> bool:
    expected = payload.encode("utf-8")
    candidates = [image]
    if inverted_ok:
        candidates.append(ImageOps.invert(image))
    for candidate in candidates:
        closer = (round(candidate.width * SECOND_LOOK), round(candidate.height * SECOND_LOOK))
        for look in (candidate, candidate.resize(closer, Image.Resampling.BILINEAR)):
            try:
                data, _, _ = _detector().detectAndDecodeBytes(np.asarray(look))
            except cv2.error:
                continue
            if data == expected:
                return True
    return False


READERS = {"zxing": zxing_reads, "opencv": opencv_reads}


def both_read(image: Image.Image, payload: str, inverted_ok: bool) -> bool:
    image = grey(image)
    return all(reads(image, payload, inverted_ok) for reads in READERS.values())

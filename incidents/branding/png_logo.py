"""Check an uploaded PNG logo without an imaging library (Pillow is not a dependency): its
signature, every chunk's length and CRC, a sane header, image data that inflates to exactly the
size the header announces, and nothing after the end. What is kept is rebuilt from the chunks
needed to draw it: text, EXIF, time and other metadata chunks are dropped (they may carry
names or places, and they cost bytes on every first visit)."""

import struct
import zlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_SIDE = 2048
# Chunks that change how the image looks; everything else is metadata.
KEPT = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB"})
# Samples per pixel of each colour type, and the bit depths it allows.
COLOUR_TYPES = {0: (1, {1, 2, 4, 8, 16}), 2: (3, {8, 16}), 3: (1, {1, 2, 4, 8}),
                4: (2, {8, 16}), 6: (4, {8, 16})}  # fmt: skip


@dataclass
class CheckedPng:
    content: bytes
    width: int
    height: int
    removed: list[str]


def broken(detail) -> ValidationError:
    return ValidationError(
        _("The PNG is damaged or not a PNG: %(detail)s."),
        code="png_invalid",
        params={"detail": detail},
    )


def chunks(data: bytes):
    """(type, body) of each chunk after the signature; raises on a bad length or CRC."""
    offset = len(SIGNATURE)
    while offset < len(data):
        if offset + 12 > len(data):
            raise broken(_("it ends inside a chunk"))
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        end = offset + 12 + length
        if end > len(data):
            raise broken(_("it ends inside a chunk"))
        body = data[offset + 8 : end - 4]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(kind + body) != crc:
            raise broken(_("a chunk's checksum is wrong"))
        yield kind, body
        offset = end


def header(body: bytes) -> tuple[int, int, int, int, int]:
    if len(body) != 13:
        raise broken(_("its header is malformed"))
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", body
    )
    samples, depths = COLOUR_TYPES.get(colour, (0, set()))
    if not samples or depth not in depths or compression or filtering or interlace > 1:
        raise broken(_("its header is malformed"))
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise ValidationError(
            _("The PNG is %(width)s×%(height)s pixels; at most %(limit)s on each side."),
            code="png_too_large",
            params={"width": width, "height": height, "limit": MAX_SIDE},
        )
    return width, height, depth, samples, interlace


def expected_raw_size(width: int, height: int, bits_per_pixel: int, interlace: int) -> int:
    """Bytes the image data inflates to: each row's filter byte plus its packed pixels, for the
    whole image or for each of the seven Adam7 passes."""
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4),
              (1, 0, 2, 2), (0, 1, 1, 2)] if interlace else [(0, 0, 1, 1)]  # fmt: skip
    total = 0
    for x0, y0, dx, dy in passes:
        columns = (width - x0 + dx - 1) // dx
        rows = (height - y0 + dy - 1) // dy
        if columns > 0 and rows > 0:
            total += rows * (1 + (columns * bits_per_pixel + 7) // 8)
    return total


def inflated_size(compressed: bytes, limit: int) -> int:
    """How many bytes the data inflates to, reading at most `limit` + 1 of them."""
    inflater = zlib.decompressobj()
    try:
        size = len(inflater.decompress(compressed, limit + 1))
    except zlib.error:
        raise broken(_("its image data is corrupt")) from None
    if size <= limit and not inflater.eof:
        raise broken(_("its image data is cut short"))
    return size


def checked_png(data: bytes, *, max_bytes: int) -> CheckedPng:
    """The PNG in `data`, its metadata chunks dropped. Raises ValidationError when refused."""
    if len(data) > max_bytes:
        raise ValidationError(
            _("The logo is %(size)s bytes; at most %(limit)s are accepted."),
            code="too_big",
            params={"size": len(data), "limit": max_bytes},
        )
    if not data.startswith(SIGNATURE):
        raise broken(_("it does not start with the PNG signature"))
    found = list(chunks(data))
    kinds = [kind for kind, _ in found]
    if not kinds or kinds[0] != b"IHDR" or kinds[-1] != b"IEND" or kinds.count(b"IEND") != 1:
        raise broken(_("its chunks are out of order"))
    if b"IDAT" not in kinds or (kinds.count(b"PLTE") == 0 and found[0][1][9:10] == b"\x03"):
        raise broken(_("it has no image data"))
    width, height, depth, samples, interlace = header(found[0][1])
    expected = expected_raw_size(width, height, depth * samples, interlace)
    compressed = b"".join(body for kind, body in found if kind == b"IDAT")
    if inflated_size(compressed, expected) != expected:
        raise broken(_("its image data does not match its size"))
    kept = [(kind, body) for kind, body in found if kind in KEPT]
    removed = sorted({kind.decode("latin-1") for kind, _ in found if kind not in KEPT})
    content = SIGNATURE + b"".join(
        struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        for kind, body in kept
    )
    return CheckedPng(content=content, width=width, height=height, removed=removed)

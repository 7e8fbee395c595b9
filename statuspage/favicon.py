"""`/favicon.ico` drawn without an imaging library: the tab icon of statuspage.branding (a disc
in the roll-up's colour with a white mark) rasterised at 32×32 with 4×4 samples per pixel,
written as a PNG inside an ICO (which every browser and feed reader reads)."""

import functools
import math
import struct
import zlib

from statuspage.branding import INDICATOR_COLOURS

SIZE = 32
SAMPLES = 4  # per side of a pixel
Segment = tuple[float, float, float, float, float]  # x1, y1, x2, y2, half width
# The marks of statuspage.branding.ICON_MARKS as thick segments (a dot: a zero-length one).
MARKS: dict[str, list[Segment]] = {
    "none": [(9.5, 16.5, 14, 21, 1.7), (14, 21, 23, 11, 1.7)],
    "maintenance": [(16, 9, 16, 17, 1.7), (16, 17, 21, 20, 1.7)],
    "issue": [(16, 8, 16, 18, 1.8), (16, 23.5, 16, 23.5, 2.1)],
}


def distance_to_segment(x: float, y: float, segment: Segment) -> float:
    x1, y1, x2, y2, _ = segment
    dx, dy = x2 - x1, y2 - y1
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / length))
    return math.hypot(x - (x1 + t * dx), y - (y1 + t * dy))


def coverage(px: int, py: int, segments: list[Segment]) -> tuple[float, float]:
    """The shares of pixel (px, py) inside the disc, and inside the mark."""
    disc = mark = 0
    for i in range(SAMPLES):
        for j in range(SAMPLES):
            x, y = px + (i + 0.5) / SAMPLES, py + (j + 0.5) / SAMPLES
            if math.hypot(x - 16, y - 16) <= 15:
                disc += 1
                if any(distance_to_segment(x, y, s) <= s[4] for s in segments):
                    mark += 1
    total = SAMPLES * SAMPLES
    return disc / total, mark / total


def rgba_rows(colour: str, segments: list[Segment]) -> bytes:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    rows = bytearray()
    for py in range(SIZE):
        rows.append(0)  # no PNG filter on this row
        for px in range(SIZE):
            disc, mark = coverage(px, py, segments)
            white = mark / disc if disc else 0.0
            rows += bytes(
                round(channel + (255 - channel) * white) for channel in (red, green, blue)
            )
            rows.append(round(disc * 255))
    return bytes(rows)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@functools.cache
def status_icon_ico(indicator: str) -> bytes:
    """The ICO file of the tab icon for a roll-up indicator."""
    colour = INDICATOR_COLOURS.get(indicator, INDICATOR_COLOURS["none"])
    segments = MARKS.get(indicator, MARKS["issue"])
    png = (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
        + png_chunk(b"IDAT", zlib.compress(rgba_rows(colour, segments), 9))
        + png_chunk(b"IEND", b"")
    )
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(png), 6 + 16)
    return directory + entry + png

#!/usr/bin/env python3
"""Draws the PWA icons (public/icon-*.png) from the favicon's shapes:
an indigo square with a white download arrow. Standard library only;
run it again after changing the design: python3 scripts/make-icons.py"""
import struct, zlib, math, os

BG, FG = (0x4F, 0x46, 0xE5), (0xFF, 0xFF, 0xFF)
# The favicon's strokes on its 32x32 grid: (x1, y1, x2, y2), width 3.
STROKES = [(16, 7, 16, 20), (16, 20, 11, 15), (16, 20, 21, 15), (9, 24, 23, 24)]

def dist(px, py, x1, y1, x2, y2):
    dx, dy = x2 - x1, y2 - y1
    t = max(0, min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (x1 + t * dx), py - (y1 + t * dy))

def icon(size, scale):
    """scale: the share of the icon the 32-unit drawing spans (maskable icons keep a safe zone)."""
    unit = size * scale / 32
    off = (size - size * scale) / 2
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            gx, gy = (x + 0.5 - off) / unit, (y + 0.5 - off) / unit
            d = min(dist(gx, gy, *s) for s in STROKES)
            a = max(0.0, min(1.0, (1.5 - d) * unit))  # antialiased edge
            row += bytes(round(b + (f - b) * a) for b, f in zip(BG, FG))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")

out = os.path.join(os.path.dirname(__file__), "..", "public")
for name, size, scale in [("icon-192.png", 192, 1.0), ("icon-512.png", 512, 1.0), ("icon-maskable-512.png", 512, 0.7), ("apple-touch-icon.png", 180, 0.9)]:
    with open(os.path.join(out, name), "wb") as f:
        f.write(icon(size, scale))

#!/usr/bin/env python3
"""Describes an SVG chart as JSON, as a real XML parser (lxml) sees it; or checks a PNG screenshot.

Used by the SVG unit tests (test/unit/render_svg_test.cpp) and test/render/chart_png_test.sh.

    check_svg.py FILE        root attributes, the accessible name and description (resolved through
                             aria-labelledby), element counts, tick labels (left and right axes), legend,
                             notes, panel titles, and per series its polylines (with their point counts
                             and dash), dots, bars, areas and tooltip points
    check_svg.py --png FILE  width, height, distinct colours and the share of non-white pixels of a PNG
                             (decoded here with zlib: 8-bit RGB or RGBA, not interlaced)

Exits 1 with a message on stderr when the file cannot be parsed.
"""
import json
import struct
import sys
import zlib

SVG = "{http://www.w3.org/2000/svg}"


def classes(element):
    return (element.get("class") or "").split()


def texts(root, cls):
    return ["".join(t.itertext()) for t in root.iter(SVG + "text") if cls in classes(t)]


def texts_of(root, cls):
    return [("".join(t.itertext()), classes(t)) for t in root.iter(SVG + "text") if cls in classes(t)]


def describe_svg(path):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    tree = etree.parse(path, parser)
    root = tree.getroot()
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    labelled = [by_id.get(i) for i in (root.get("aria-labelledby") or "").split()]
    tags = {}
    for e in root.iter():
        if isinstance(e.tag, str):
            name = e.tag.replace(SVG, "")
            tags[name] = tags.get(name, 0) + 1
    tooltips = {}
    for g in root.iter(SVG + "g"):
        if "points" in classes(g):
            titles = ["".join(c.find(SVG + "title").itertext()) for c in g.iter(SVG + "circle")]
            tooltips.setdefault(int(g.get("data-series")), []).extend(titles)
    series = []
    for g in root.iter(SVG + "g"):
        if "series" not in classes(g):
            continue
        polylines = [p for p in g.iter(SVG + "polyline")]
        series.append({
            "index": int(g.get("data-series")),
            "polylines": [len(p.get("points").split()) for p in polylines],
            "dots": sum(1 for _ in g.iter(SVG + "circle")),
            "bars": [
                {"x": float(r.get("x")), "y": float(r.get("y")), "width": float(r.get("width")),
                 "height": float(r.get("height")), "title": "".join(r.find(SVG + "title").itertext())}
                for r in g.iter(SVG + "rect") if "bar" in classes(r)
            ],
            "colour": (polylines[0].get("stroke") if polylines else g.get("fill")),
            "dash": polylines[0].get("stroke-dasharray") if polylines else None,
            "areas": sum(1 for p in g.iter(SVG + "polygon") if "area" in classes(p)),
            "tooltips": len(tooltips.get(int(g.get("data-series")), [])),
            "first_tooltip": (tooltips.get(int(g.get("data-series"))) or [None])[0],
        })
    return {
        "root": {"tag": root.tag, "attributes": dict(root.attrib)},
        "title": "".join(labelled[0].itertext()) if labelled and labelled[0] is not None else None,
        "desc": "".join(labelled[1].itertext()) if len(labelled) > 1 and labelled[1] is not None else None,
        "labelled_tags": [e.tag.replace(SVG, "") if e is not None else None for e in labelled],
        "tags": tags,
        "heading": texts(root, "title"),
        "y_ticks": [t for t, c in texts_of(root, "y") if "right" not in c],
        "right_ticks": [t for t, c in texts_of(root, "y") if "right" in c],
        "panel_titles": texts(root, "panel-title"),
        "x_ticks": texts(root, "x"),
        "axis_titles": texts(root, "axis-title"),
        "legend": texts(root, "legend"),
        "notes": texts(root, "note"),
        "no_data": texts(root, "no-data"),
        "series": series,
    }


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def describe_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace != 0:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}")
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    previous = bytearray(stride)
    colours = {}
    non_white = 0
    offset = 0
    for _ in range(height):
        kind = raw[offset]
        line = bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + paeth(a, b, c)) & 0xFF
        for i in range(0, stride, bpp):
            rgb = bytes(line[i:i + 3])
            colours[rgb] = colours.get(rgb, 0) + 1
            if rgb != b"\xff\xff\xff":
                non_white += 1
        previous = line
    top = sorted(colours.items(), key=lambda kv: -kv[1])[:12]
    return {
        "width": width,
        "height": height,
        "colours": len(colours),
        "non_white_share": non_white / float(width * height),
        "top_colours": ["#" + k.hex() + ":" + str(v) for k, v in top],
    }


def main(argv):
    png = "--png" in argv
    files = [a for a in argv[1:] if a != "--png"]
    if len(files) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        result = describe_png(files[0]) if png else describe_svg(files[0])
    except Exception as e:  # any failure to parse is what the test must see
        print(f"check_svg.py: cannot read {files[0]}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

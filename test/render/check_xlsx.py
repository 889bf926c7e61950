#!/usr/bin/env python3
"""Describes an .xlsx file as JSON, as a real reader (openpyxl) sees it.

Used by the XLSX unit tests (test/unit/render_xlsx_test.cpp): they render a workbook, run this script
on it and compare what a spreadsheet user would see.

    check_xlsx.py FILE            every sheet: name, size, frozen pane, autofilter, column widths, the
                                  boldness of the first and last rows, and every cell as
                                  {"v": value, "t": type, "f": number format}; a formula cell also has
                                  "formula" (its text, "=SUBTOTAL(109,B2:B4)") and "v" is its cached value
    check_xlsx.py --summary FILE  every sheet: name, row count (by reading every row), first and last rows
                                  (read-only mode, for files with a million rows)

Types: "n" number, "s" string, "b" boolean, "d" date/time (value in ISO 8601), null for an empty cell.
Exits 1 with a message on stderr when the file cannot be read.
"""
import datetime
import json
import sys

import openpyxl


def cell_json(value, number_format):
    if value is None:
        return None
    if isinstance(value, bool):
        return {"v": value, "t": "b", "f": number_format}
    if isinstance(value, (int, float)):
        return {"v": value, "t": "n", "f": number_format}
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return {"v": value.isoformat(), "t": "d", "f": number_format}
    return {"v": str(value), "t": "s", "f": number_format}


def describe_full(path):
    book = openpyxl.load_workbook(path)
    # The values a reader that does not calculate sees: a formula's cached result.
    cached = openpyxl.load_workbook(path, data_only=True)
    props = book.properties
    sheets = []
    for ws in book.worksheets:
        values = cached[ws.title]
        widths = {}
        for letter, dim in ws.column_dimensions.items():
            if dim.width is not None and dim.customWidth:
                widths[letter] = round(dim.width, 2)
        rows = []
        for row in ws.iter_rows():
            described = []
            for c in row:
                if c.data_type == "f":
                    shown = cell_json(values[c.coordinate].value, c.number_format) or {"v": None, "t": None,
                                                                                        "f": c.number_format}
                    shown["formula"] = c.value
                    described.append(shown)
                else:
                    described.append(cell_json(c.value, c.number_format))
            rows.append(described)
        sheets.append({
            "name": ws.title,
            "max_row": ws.max_row,
            "max_column": ws.max_column,
            "freeze": ws.freeze_panes,
            "autofilter": ws.auto_filter.ref,
            "widths": widths,
            "bold_first_row": [bool(c.font and c.font.b) for c in next(ws.iter_rows(max_row=1), [])],
            "bold_last_row": [bool(c.font and c.font.b)
                              for c in next(ws.iter_rows(min_row=ws.max_row, max_row=ws.max_row), [])],
            "rows": rows,
        })
    return {
        "properties": {"title": props.title, "subject": props.subject, "description": props.description},
        "sheets": sheets,
    }


def describe_summary(path):
    book = openpyxl.load_workbook(path, read_only=True)
    sheets = []
    for ws in book.worksheets:
        count = 0
        first = []
        last = None
        for values in ws.iter_rows(values_only=True):
            count += 1
            if count <= 3:
                first.append(list(values))
            last = list(values)
        sheets.append({"name": ws.title, "rows": count, "first": first, "last": last})
    book.close()
    return {"sheets": sheets}


def main(argv):
    summary = "--summary" in argv
    files = [a for a in argv[1:] if a != "--summary"]
    if len(files) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        result = describe_summary(files[0]) if summary else describe_full(files[0])
    except Exception as e:  # any failure to read is what the test must see
        print(f"check_xlsx.py: cannot read {files[0]}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, default=str)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

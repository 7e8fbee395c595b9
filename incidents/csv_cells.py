"""Cells of the CSV files the console exports (subscribers, the audit trail) and imports: a
cell starting with one of FORMULA_STARTS is a formula to a spreadsheet (CSV injection), so an
export writes it with a leading apostrophe, which spreadsheets read as "text", and an import
drops that apostrophe again."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_written(cell: str) -> str:
    """`cell` as an export writes it: never a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def as_read(cell: str | None) -> str:
    """A cell as the export wrote it, back to its value ('' for a missing cell)."""
    if cell and cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell or ""

"""What changes whenever a warehouse's catalog does, read without importing the warehouse (which imports
Ibis): the stats of the catalog file, its write-ahead log and its snapshot."""

from __future__ import annotations

from pathlib import Path

Stamp = tuple[tuple[int, int, int], ...]


def snapshot_path(catalog: Path) -> Path:
    """The snapshot the catalog publishes beside itself."""
    return catalog.with_name(catalog.stem + ".snapshot.json")


def catalog_stamp(catalog: Path) -> Stamp:
    """(modification time in ns, size, inode) of the catalog file, its write-ahead log and its snapshot;
    zeros for a file that does not exist."""
    out = []
    for p in (catalog, catalog.with_name(catalog.name + ".wal"), snapshot_path(catalog)):
        try:
            st = p.stat()
            out.append((st.st_mtime_ns, st.st_size, st.st_ino))
        except FileNotFoundError:
            out.append((0, 0, 0))
    return tuple(out)

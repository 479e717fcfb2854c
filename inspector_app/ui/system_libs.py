"""Before Qt loads on Linux: are the system libraries of Qt's xcb platform there?

A fresh Debian or Ubuntu desktop often lacks a few xcb utility libraries, and Qt
then aborts with a long message about the "xcb" platform plugin. This check (no Qt
imported) names what is missing in one line, with the packages that carry it and
the install command for Debian/Ubuntu and Fedora. The list is what PySide6's
libqxcb.so and libQt6XcbQpa.so link against beyond glibc (see `ldd`).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

# soname -> (Debian/Ubuntu package, Fedora package)
XCB_LIBRARIES: dict[str, tuple[str, str]] = {
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
}

Finder = Callable[[str], bool]


def _bundled_dirs() -> list[Path]:
    """Folders where a frozen app or the PySide6 wheel may carry a library itself."""
    dirs = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        dirs += [Path(bundle), Path(bundle) / "PySide6" / "Qt" / "lib"]
    return dirs


def loadable(soname: str) -> bool:
    """True when the dynamic loader finds `soname` (or the bundle carries it)."""
    if any((folder / soname).exists() for folder in _bundled_dirs()):
        return True
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_libraries(find: Finder | None = None,
                      names: Iterable[str] = XCB_LIBRARIES) -> list[str]:  # fmt: skip
    found = find or loadable
    return [soname for soname in names if not found(soname)]


def needs_check(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """Only where Qt will use xcb: Linux, no other Qt platform chosen, not Wayland.
    INSPECTOR_SKIP_LIBRARY_CHECK=1 skips it (a system whose libraries are named otherwise)."""
    if not platform.startswith("linux") or environ.get("INSPECTOR_SKIP_LIBRARY_CHECK"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(":")[0].split(";")[0] == "xcb"
    return not environ.get("WAYLAND_DISPLAY")


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def missing_message(missing: list[str]) -> str:
    """One line: what is missing, and the command that installs it on each family."""
    debian = " ".join(_unique(XCB_LIBRARIES[m][0] for m in missing))
    fedora = " ".join(_unique(XCB_LIBRARIES[m][1] for m in missing))
    return (
        f"inspector-app: the window cannot open: system libraries missing "
        f"({', '.join(missing)}); install them with 'sudo apt install {debian}' "
        f"(Debian/Ubuntu) or 'sudo dnf install {fedora}' (Fedora), then start again"
    )


def check_system_libraries(
    find: Finder | None = None,
    environ: Mapping[str, str] = os.environ,
    platform: str = sys.platform,
) -> str | None:
    """The one-line message when a library Qt's xcb platform needs is missing, else None."""
    if not needs_check(environ, platform):
        return None
    missing = missing_libraries(find)
    return missing_message(missing) if missing else None

"""Before Qt loads: a missing xcb library is named in one line with the install commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from inspector_app.ui import launch as launch_mod
from inspector_app.ui import system_libs

ROOT = Path(__file__).resolve().parents[2]
X11 = {"DISPLAY": ":0"}


def without(*sonames: str) -> system_libs.Finder:
    return lambda soname: soname not in sonames


def test_all_present_says_nothing() -> None:
    assert system_libs.check_system_libraries(lambda _s: True, X11, "linux") is None


def test_a_missing_library_is_one_line_with_both_commands() -> None:
    message = system_libs.check_system_libraries(
        without("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-randr.so.0"), X11, "linux"
    )
    assert message is not None and "\n" not in message
    assert "libxcb-cursor.so.0, libxcb-icccm.so.4, libxcb-randr.so.0" in message
    assert (
        "'sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-randr0' (Debian/Ubuntu)" in message
    )
    assert "'sudo dnf install xcb-util-cursor xcb-util-wm libxcb' (Fedora)" in message


def test_each_library_names_its_packages() -> None:
    for soname, (debian, fedora) in system_libs.XCB_LIBRARIES.items():
        message = system_libs.check_system_libraries(without(soname), X11, "linux")
        assert message is not None
        assert f"apt install {debian}'" in message and f"dnf install {fedora}'" in message


@pytest.mark.parametrize(
    ("environ", "platform"),
    [
        ({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, "linux"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux"),
        ({"QT_QPA_PLATFORM": "wayland"}, "linux"),
        ({"DISPLAY": ":0", "INSPECTOR_SKIP_LIBRARY_CHECK": "1"}, "linux"),
        ({}, "win32"),
        ({}, "darwin"),
    ],
)
def test_not_checked_where_xcb_is_not_used(environ: dict[str, str], platform: str) -> None:
    assert system_libs.check_system_libraries(without("libxcb.so.1"), environ, platform) is None


def test_xcb_chosen_explicitly_is_checked() -> None:
    environ = {"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}
    assert system_libs.check_system_libraries(without("libxcb.so.1"), environ, "linux")


def test_the_loader_finds_libc_and_not_a_made_up_name() -> None:
    assert system_libs.loadable("libc.so.6")
    assert not system_libs.loadable("libinspector-no-such-library.so.9")


def test_launch_stops_before_qt(monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(system_libs, "loadable", without("libxcb-keysyms.so.1"))
    monkeypatch.setattr(launch_mod, "make_application", lambda: pytest.fail("Qt was started"))
    assert launch_mod.launch(["--demo"]) == launch_mod.EXIT_PROBLEM
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "libxcb-keysyms.so.1" in err[0] and "libxcb-keysyms1" in err[0]


def test_a_real_process_exits_2_without_importing_qt(tmp_path: Path) -> None:
    code = (
        "import sys; from inspector_app.ui import system_libs; "
        "system_libs.loadable = lambda s: s != 'libxkbcommon-x11.so.0'; "
        "from inspector_app.__main__ import main; rc = main(['--demo']); "
        "print('qt loaded' if 'PySide6.QtGui' in sys.modules else 'no qt'); sys.exit(rc)"
    )
    env = {"PATH": "/usr/bin:/bin", "DISPLAY": ":0", "INSPECTOR_DATA_DIR": str(tmp_path),
           "HOME": str(tmp_path)}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    if not sys.platform.startswith("linux"):
        pytest.skip("the check is for Linux only")
    assert done.returncode == 2, done.stderr
    assert done.stdout.strip() == "no qt"
    assert done.stderr.count("\n") == 1
    assert "libxkbcommon-x11-0" in done.stderr and "libxkbcommon-x11" in done.stderr

"""The pre-flight check before Qt starts, with faked ldd output and
environments (nothing here runs apt or ldd)."""

import io

from netbuilder.cli import preflight
from netbuilder.cli.preflight import Facts, decide, missing_libraries, run_preflight

PLUGIN = "/venv/PySide6/Qt/plugins/platforms/libqxcb.so"
LDD_MISSING = f"""\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => {PLUGIN[:-28]}/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)
"""
LDD_OK = "\tlibxcb-icccm.so.4 => /lib/x86_64-linux-gnu/libxcb-icccm.so.4 (0x7f)\n"
DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12"\nID=debian\n'
FEDORA = 'NAME="Fedora Linux"\nID=fedora\n'


def facts(**kw):
    base = dict(env={"DISPLAY": ":1"}, plugin=PLUGIN, ldd_output=LDD_MISSING,
                os_release=DEBIAN, is_root=True, have_apt=True, have_sudo=True)
    base.update(kw)
    return Facts(**base)


def test_missing_libraries_are_read_from_ldd_once_each():
    assert missing_libraries(LDD_MISSING) == ["libxcb-icccm.so.4",
                                              "libxcb-keysyms.so.1"]
    assert missing_libraries(LDD_OK) == []


def test_debian_as_root_installs_exactly_the_missing_packages():
    d = decide(facts())
    assert d.action == "install"
    assert d.packages == ["libxcb-icccm4", "libxcb-keysyms1"]
    assert d.command == ["apt-get", "install", "-y", "--no-install-recommends",
                         "libxcb-icccm4", "libxcb-keysyms1"]
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in d.message


def test_not_root_goes_through_sudo_without_prompting_when_not_a_terminal():
    d = decide(facts(is_root=False, interactive=False))
    assert d.command[:3] == ["sudo", "-n", "apt-get"]
    assert decide(facts(is_root=False, interactive=True)).command[:2] == [
        "sudo", "apt-get"]
    no_sudo = decide(facts(is_root=False, have_sudo=False))
    assert no_sudo.action == "fail"
    assert "sudo apt-get install -y libxcb-icccm4 libxcb-keysyms1" in no_sudo.message


def test_elsewhere_prints_packages_and_command_instead():
    d = decide(facts(os_release=FEDORA, have_apt=False))
    assert d.action == "fail"
    assert "missing libxcb-icccm.so.4, libxcb-keysyms.so.1" in d.message
    assert "sudo apt-get install -y libxcb-icccm4 libxcb-keysyms1" in d.message
    assert "\n" not in d.message
    off = decide(facts(env={"DISPLAY": ":1", "NETBUILDER_NO_INSTALL": "1"}))
    assert off.action == "fail"


def test_unknown_library_is_named_not_guessed():
    d = decide(facts(ldd_output="\tlibweird.so.3 => not found\n"))
    assert d.action == "fail" and d.packages == []
    assert "install the packages that provide libweird.so.3" in d.message


def test_missing_display_is_one_line_and_checked_first():
    d = decide(facts(env={}))
    assert d.action == "fail"
    assert "DISPLAY is not set" in d.message and "\n" not in d.message
    assert decide(facts(env={"WAYLAND_DISPLAY": "wayland-0"},
                        ldd_output=LDD_OK)).action == "ok"


def test_headless_platforms_and_other_systems_are_not_checked():
    assert decide(facts(env={"QT_QPA_PLATFORM": "offscreen"})).action == "ok"
    assert decide(facts(platform="darwin", env={})).action == "ok"
    assert decide(facts(ldd_output=LDD_OK)).action == "ok"
    assert decide(facts(ldd_output=None)).action == "ok"  # no ldd: let Qt try


def test_run_preflight_installs_then_checks_again(monkeypatch):
    commands = []
    monkeypatch.setattr(preflight, "_run",
                        lambda command, out: commands.append(command) or True)
    monkeypatch.setattr(preflight, "ldd", lambda path: LDD_OK)
    out = io.StringIO()
    assert run_preflight(facts(), out) is None
    assert commands == [decide(facts()).command]
    assert "installing libxcb-icccm4 libxcb-keysyms1 with apt" in out.getvalue()
    assert "installed libxcb-icccm4 libxcb-keysyms1" in out.getvalue()


def test_run_preflight_refused_install_gives_the_command(monkeypatch):
    commands = []
    monkeypatch.setattr(preflight, "_run",
                        lambda command, out: commands.append(command) and False)
    reason = run_preflight(facts(is_root=False), io.StringIO())
    assert reason == ("could not install libxcb-icccm4 libxcb-keysyms1; install "
                      "them yourself with: sudo apt-get install -y libxcb-icccm4 "
                      "libxcb-keysyms1")
    # tried once, then refreshed the package lists (and stopped when that failed)
    assert commands[0][:3] == ["sudo", "-n", "apt-get"]
    assert commands[1] == ["sudo", "-n", "apt-get", "update"]


def test_open_app_exits_with_the_reason_before_importing_qt(monkeypatch, capsys):
    import sys

    from netbuilder.cli.main import open_app

    monkeypatch.setattr(preflight, "gather", lambda: facts(env={}))
    monkeypatch.delitem(sys.modules, "netbuilder.ui.app", raising=False)
    assert open_app(None) == 2
    err = capsys.readouterr().err
    assert err.startswith("netbuilder: no display") and err.count("\n") == 1
    assert "netbuilder.ui.app" not in sys.modules

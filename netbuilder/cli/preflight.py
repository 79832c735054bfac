"""Before Qt starts: can the desktop app open a window here?

Qt aborts the whole process (a core dump, exit 134) when its xcb platform
plugin cannot load its shared libraries or finds no display. This check runs
first, without importing any PySide6 module: ``ldd`` on the xcb plugin that
PySide6 ships names the missing libraries; on Debian/Ubuntu they are
installed with apt (through sudo when not root), saying what is installed;
elsewhere, or when that fails, the exact packages and command are printed
and the app exits with a one-line reason.

:func:`decide` holds the whole decision and is a pure function of its
inputs (the environment, ``ldd``'s output, /etc/os-release, ...), so it is
tested with faked inputs; :func:`run_preflight` gathers them and acts.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

# Shared libraries the xcb plugin needs -> the Debian/Ubuntu package.
DEBIAN_PACKAGES = {
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libICE.so.6": "libice6",
    "libSM.so.6": "libsm6",
}
# The libraries the README's "System packages" note lists.
README_PACKAGES = ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1",
                   "libxcb-image0", "libxcb-render-util0", "libxkbcommon-x11-0",
                   "libegl1", "libfontconfig1", "libdbus-1-3")
HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc")
NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found", re.MULTILINE)


@dataclass
class Facts:
    """What the decision depends on (gathered by :func:`gather`)."""

    platform: str = "linux"  # sys.platform
    env: dict[str, str] = field(default_factory=dict)
    plugin: str | None = None  # path of PySide6's libqxcb.so, if found
    ldd_output: str | None = None  # None: ldd could not run
    os_release: str = ""  # text of /etc/os-release
    is_root: bool = False
    have_apt: bool = False
    have_sudo: bool = False
    interactive: bool = False  # stdin is a terminal (sudo may ask)


@dataclass
class Decision:
    action: str  # "ok", "install" or "fail"
    message: str = ""
    packages: list[str] = field(default_factory=list)
    command: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def missing_libraries(ldd_output: str) -> list[str]:
    """Library names ldd reports as "not found", in order, once each."""
    return list(dict.fromkeys(NOT_FOUND.findall(ldd_output or "")))


def is_debian_like(os_release: str) -> bool:
    ids = set()
    for line in os_release.splitlines():
        key, _, value = line.partition("=")
        if key in ("ID", "ID_LIKE"):
            ids.update(value.strip().strip('"').lower().split())
    return bool(ids & {"debian", "ubuntu"})


def install_command(packages: list[str], facts: Facts) -> list[str]:
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    if facts.is_root:
        return command
    return ["sudo", *([] if facts.interactive else ["-n"]), *command]


def decide(facts: Facts) -> Decision:
    """Whether Qt can start, and if not, what to install or say."""
    platform = facts.env.get("QT_QPA_PLATFORM", "").split(":")[0].lower()
    if not facts.platform.startswith("linux") or platform in HEADLESS_PLATFORMS:
        return Decision("ok")
    if platform not in ("", "xcb"):
        return Decision("ok")  # e.g. wayland: Qt's own checks apply
    if not facts.env.get("DISPLAY") and not (platform == "" and
                                             facts.env.get("WAYLAND_DISPLAY")):
        return Decision("fail", "no display to open a window on (DISPLAY is not "
                        "set): start NetBuilder inside a desktop session, with "
                        "xvfb-run, or use the headless `netbuilder check/train` "
                        "commands")
    missing = missing_libraries(facts.ldd_output or "")
    if not missing:
        return Decision("ok")
    known = [DEBIAN_PACKAGES[lib] for lib in missing if lib in DEBIAN_PACKAGES]
    unknown = [lib for lib in missing if lib not in DEBIAN_PACKAGES]
    packages = list(dict.fromkeys(known))
    libs = ", ".join(missing)
    allowed = not facts.env.get("NETBUILDER_NO_INSTALL")
    if allowed and facts.have_apt and is_debian_like(facts.os_release) and \
            not unknown and (facts.is_root or facts.have_sudo):
        return Decision("install", f"Qt's xcb plugin needs {libs}, which are "
                        f"missing; installing {' '.join(packages)} with apt",
                        packages, install_command(packages, facts), missing)
    command = ["sudo", "apt-get", "install", "-y", *packages] if packages else []
    hint = (f"on Debian/Ubuntu: {' '.join(command)}" if packages else "")
    if unknown:
        hint = (hint + "; " if hint else "") + ("install the packages that "
                                                "provide " + ", ".join(unknown))
    return Decision("fail", f"Qt's xcb plugin cannot load: missing {libs} ({hint}; "
                    f"checked with ldd {facts.plugin})", packages, command, missing)


# ------------------------------------------------------------------ acting
def xcb_plugin() -> str | None:
    spec = importlib.util.find_spec("PySide6")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        plugin = Path(folder) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.exists():
            return str(plugin)
    return None


def ldd(path: str | None) -> str | None:
    if not path or not shutil.which("ldd"):
        return None
    try:
        done = subprocess.run(["ldd", path], capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout + done.stderr


def gather() -> Facts:
    plugin = xcb_plugin() if sys.platform.startswith("linux") else None
    try:
        os_release = Path("/etc/os-release").read_text(encoding="utf-8")
    except OSError:
        os_release = ""
    return Facts(platform=sys.platform, env=dict(os.environ), plugin=plugin,
                 ldd_output=ldd(plugin), os_release=os_release,
                 is_root=hasattr(os, "geteuid") and os.geteuid() == 0,
                 have_apt=bool(shutil.which("apt-get")),
                 have_sudo=bool(shutil.which("sudo")),
                 interactive=sys.stdin is not None and sys.stdin.isatty())


def run_preflight(facts: Facts | None = None, out=None) -> str | None:
    """None when the app may start; otherwise the one-line reason why not.
    Installs missing libraries on Debian/Ubuntu (and checks again)."""
    out = out or sys.stderr
    facts = facts or gather()
    decision = decide(facts)
    if decision.action == "ok":
        return None
    if decision.action == "fail":
        return decision.message
    print(f"netbuilder: {decision.message}: {' '.join(decision.command)}",
          file=out, flush=True)
    if not _apt(decision.command, facts, out):
        manual = ["sudo", "apt-get", "install", "-y", *decision.packages]
        return (f"could not install {' '.join(decision.packages)}; install them "
                f"yourself with: {' '.join(manual)}")
    facts.ldd_output = ldd(facts.plugin)
    again = decide(facts)
    if again.action != "ok":
        return again.message
    print(f"netbuilder: installed {' '.join(decision.packages)}", file=out, flush=True)
    return None


def _apt(command: list[str], facts: Facts, out) -> bool:
    """Run the install; when apt's package lists are stale, update once."""
    if _run(command, out):
        return True
    update = command[:command.index("apt-get")] + ["apt-get", "update"]
    print(f"netbuilder: the install failed; refreshing apt's package lists "
          f"({' '.join(update)}) and trying once more", file=out, flush=True)
    return _run(update, out) and _run(command, out)


def _run(command: list[str], out) -> bool:
    try:
        done = subprocess.run(command, stdout=out, stderr=out, check=False,
                              timeout=900)
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"netbuilder: {' '.join(command)} could not run: {exc}", file=out)
        return False
    return done.returncode == 0

# SPDX-License-Identifier: GPL-2.0-or-later
"""The Debian package made by `cpack -G DEB` (packaging/CPackConfig.cmake).

Builds the package in a temporary build folder and checks where it puts
msstun.so and what it depends on. With MSSTUN_TEST_INSTALL_DEB=1 and root, it
also installs the package, decodes a capture with a plain root tshark (which
loads global plugins only), removes the package with dpkg -r and checks that
nothing of it is left.
"""
import os
import re
import shutil
import subprocess

import pytest

from conftest import capture

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("cmake", "cpack", "dpkg-deb", "dpkg-query", "pkg-config")),
    reason="needs cmake, cpack, dpkg-deb, dpkg-query and pkg-config")


def _out(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def _ws_version():
    return _out(["pkg-config", "--modversion", "wireshark"]).strip()


def _global_plugin_path():
    return _out(["pkg-config", "--variable=plugindir", "wireshark"]).strip() + "/epan/msstun.so"


def _libwireshark_package():
    """The Debian package owning the libwireshark.so.N the build links."""
    libdir = _out(["pkg-config", "--variable=libdir", "wireshark"]).strip()
    real = os.path.realpath(os.path.join(libdir, "libwireshark.so"))
    owner = _out(["dpkg-query", "-S", real]).strip()
    return owner.split(":", 1)[0]


@pytest.fixture(scope="module")
def deb(tmp_path_factory):
    build = tmp_path_factory.mktemp("deb-build")
    subprocess.run(["cmake", "-S", ROOT, "-B", str(build), "-DCMAKE_BUILD_TYPE=RelWithDebInfo"],
                   check=True, capture_output=True, text=True, timeout=300)
    subprocess.run(["cmake", "--build", str(build), "-j", str(os.cpu_count() or 1)],
                   check=True, capture_output=True, text=True, timeout=900)
    p = subprocess.run(["cpack", "-G", "DEB"], cwd=build, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, f"cpack failed:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}"
    debs = sorted(build.glob("*.deb"))
    assert len(debs) == 1, f"expected one .deb, got {debs}"
    return str(debs[0])


def test_deb_installs_into_global_plugin_folder(deb):
    listing = _out(["dpkg-deb", "-c", deb])
    paths = [line.split()[-1].lstrip(".") for line in listing.splitlines()]
    assert _global_plugin_path() in paths, listing
    assert "/usr/share/doc/msstun/copyright" in paths, listing
    # nothing into anybody's home folder
    assert not [p for p in paths if "/.local/" in p or p.startswith(("/root", "/home"))], listing


def test_deb_control_fields(deb):
    fields = _out(["dpkg-deb", "-f", deb, "Package", "Section", "Maintainer", "Architecture"])
    assert "Package: msstun" in fields
    assert "Section: net" in fields
    assert re.search(r"^Maintainer: .+<.+@.+>$", fields, re.M), fields
    arch = _out(["dpkg", "--print-architecture"]).strip()
    assert f"Architecture: {arch}" in fields


def test_deb_depends_on_the_libwireshark_it_was_built_against(deb):
    depends = _out(["dpkg-deb", "-f", deb, "Depends"]).strip()
    pkg = _libwireshark_package()
    major, minor = (int(x) for x in _ws_version().split(".")[:2])
    assert f"{pkg} (>= {major}.{minor})" in depends, depends
    assert f"{pkg} (<< {major}.{minor + 1})" in depends, depends


def test_deb_plugin_loads_in_root_tshark(deb, tmp_path):
    if os.environ.get("MSSTUN_TEST_INSTALL_DEB") != "1":
        pytest.skip("set MSSTUN_TEST_INSTALL_DEB=1 (as root) to install the package")
    if os.geteuid() != 0:
        pytest.skip("installing the package needs root")
    target = _global_plugin_path()
    if os.path.exists(target):
        owner = subprocess.run(["dpkg-query", "-S", target], capture_output=True, text=True)
        if owner.returncode != 0 or not owner.stdout.startswith("msstun:"):
            pytest.skip(f"{target} exists and is not from the msstun package; not touching it")
    # root reads the capture where tests/run.sh copied it
    pcap = capture("vectors/ms-turn-udp.pcap")
    env = {"HOME": str(tmp_path), "TZ": "UTC", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
           "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive"}
    try:
        p = subprocess.run(["dpkg", "-i", deb], capture_output=True, text=True, env=env,
                           timeout=300)
        assert p.returncode == 0, f"dpkg -i failed:\n{p.stdout}\n{p.stderr}"
        assert os.path.isfile(target)
        # a plain tshark run as root: only the global plugin folder counts
        p = subprocess.run(["tshark", "-n", "-r", pcap, "-Y", "frame.number==6",
                            "-T", "fields", "-e", "_ws.col.Info"],
                           capture_output=True, text=True, env=env, timeout=300)
        assert p.returncode == 0, p.stderr
        assert p.stdout.strip().startswith("Data Indication"), (p.stdout, p.stderr)
        # the CMake uninstall target leaves the package's file to dpkg
        p = subprocess.run(["cmake", f"-DMSSTUN_FILE={target}", "-P",
                            os.path.join(ROOT, "scripts", "uninstall.cmake")],
                           capture_output=True, text=True, env=env, timeout=120)
        assert p.returncode != 0 and "dpkg -r msstun" in p.stderr, (p.stdout, p.stderr)
        assert os.path.isfile(target)
    finally:
        r = subprocess.run(["dpkg", "-r", "msstun"], capture_output=True, text=True, env=env,
                           timeout=300)
    assert r.returncode == 0, f"dpkg -r failed:\n{r.stdout}\n{r.stderr}"
    assert not os.path.exists(target), "dpkg -r left the plugin behind"
    assert subprocess.run(["dpkg", "-s", "msstun"], capture_output=True, env=env).returncode != 0, \
        "msstun still installed after dpkg -r"
    # and root's tshark no longer decodes with msstun
    p = subprocess.run(["tshark", "-n", "-r", pcap, "-Y", "frame.number==6",
                        "-T", "fields", "-e", "_ws.col.Protocol"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0 and p.stdout.strip() != "MS-TURN", (p.stdout, p.stderr)

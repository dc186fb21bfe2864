# SPDX-License-Identifier: GPL-2.0-or-later
"""Installing and uninstalling as README.md says: the personal copy
(`cmake --install build`), the global one (its own build folder with
-DMSSTUN_INSTALL_GLOBAL=ON) and `--target uninstall` for each, in a temporary
HOME and DESTDIR; run.sh's package check for a user without root; and a
tshark run as the current user when the tests do not run as root (the path
a normal user's `bash tests/run.sh` takes)."""
import os
import shutil
import subprocess

import pytest

from conftest import AS_TSHARK_USER, WORK, WS_VERSION, _run, capture

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MM = "%d.%d" % WS_VERSION

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in ("cmake", "pkg-config")),
                                reason="needs cmake and pkg-config")


def _cmd(cmd, env=None, check=True, timeout=900, **kw):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=timeout, **kw)
    if check:
        assert p.returncode == 0, f"{cmd} exited {p.returncode}:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    return p


def _global_dir():
    return _cmd(["pkg-config", "--variable=plugindir", "wireshark"]).stdout.strip() + "/epan"


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """One build folder, configured with HOME=<tmp>/home (the personal folder
    is fixed when CMake configures). No optimisation: only the install matters."""
    base = tmp_path_factory.mktemp("install")
    home = base / "home"
    home.mkdir()
    b = base / "build"
    env = {"HOME": str(home)}
    _cmd(["cmake", "-S", ROOT, "-B", str(b), "-DCMAKE_BUILD_TYPE=", "-DMSSTUN_INSTALL_GLOBAL=ON"], env=env)
    _cmd(["cmake", "--build", str(b), "-j", str(os.cpu_count() or 1), "--target", "msstun"], env=env)
    return base, home, b, env


def test_uninstall_removes_the_global_copy(build):
    base, _home, b, env = build
    _cmd(["cmake", "-S", ROOT, "-B", str(b), "-DMSSTUN_INSTALL_GLOBAL=ON"], env=env)
    dest = base / "destdir"
    target = str(dest) + _global_dir() + "/msstun.so"
    env = dict(env, DESTDIR=str(dest))
    out = _cmd(["cmake", "--install", str(b)], env=env).stdout
    assert os.path.isfile(target), out
    # nothing went into the personal folder
    assert not list((base / "home").rglob("msstun.so"))
    out = _cmd(["cmake", "--build", str(b), "--target", "uninstall"], env=env).stdout
    assert not os.path.exists(target), out
    assert "msstun: removed " + target in out
    # a second uninstall finds nothing and still succeeds
    out = _cmd(["cmake", "--build", str(b), "--target", "uninstall"], env=env).stdout
    assert "nothing to remove" in out


def test_uninstall_removes_the_personal_copy(build):
    base, home, b, env = build
    # the same folder reconfigured for the personal copy: run.sh does this
    # (-DMSSTUN_INSTALL_GLOBAL=OFF) so an earlier global install does not stick
    _cmd(["cmake", "-S", ROOT, "-B", str(b), "-DMSSTUN_INSTALL_GLOBAL=OFF"], env=env)
    target = home / ".local" / "lib" / "wireshark" / "plugins" / MM / "epan" / "msstun.so"
    out = _cmd(["cmake", "--install", str(b)], env=env).stdout
    assert target.is_file(), out
    if os.geteuid() != 0:
        # a normal user's tshark lists the installed copy from that HOME (root's
        # would not; and nobody cannot read pytest's private temporary folder)
        lst = _cmd(["env", "-i", f"HOME={home}", "PATH=/usr/bin:/bin", "tshark", "-G", "plugins"], cwd="/")
        assert any(line.split("\t")[0].strip() == "msstun.so" for line in lst.stdout.splitlines()), lst.stdout
    out = _cmd(["cmake", "--build", str(b), "--target", "uninstall"], env=env).stdout
    assert not target.exists(), out
    assert not list(home.rglob("msstun.so"))


def test_uninstall_leaves_the_debian_package_to_dpkg(tmp_path):
    # the uninstall script refuses a file that dpkg says is the msstun package's;
    # fake dpkg-query on PATH answers for it
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "dpkg-query").write_text('#!/bin/sh\necho "msstun: $2"\n')
    (fake / "dpkg-query").chmod(0o755)
    so = tmp_path / "msstun.so"
    so.write_bytes(b"x")
    p = _cmd(["cmake", f"-DMSSTUN_FILE={so}", "-P", os.path.join(ROOT, "scripts", "uninstall.cmake")],
             env={"PATH": f"{fake}:/usr/bin:/bin", "DESTDIR": ""}, check=False)
    assert p.returncode != 0 and "dpkg -r msstun" in p.stderr, (p.stdout, p.stderr)
    assert so.exists()


def test_missing_packages_are_listed_for_a_normal_user():
    # what run.sh prints before any cmake when packages are missing (run as
    # nobody when the tests run as root, so nothing gets installed)
    cmd = AS_TSHARK_USER + ["env", "-i", "PATH=/usr/bin:/bin", "bash",
                            os.path.join(WORK, "need-packages.sh"), "tshark", "msstun-no-such-package"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd="/")
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert "missing Debian packages: msstun-no-such-package" in p.stderr
    assert "apt-get install msstun-no-such-package" in p.stderr
    assert "tshark" not in p.stderr.split("missing Debian packages:")[1].splitlines()[0]


def test_run_sh_checks_packages_before_cmake():
    text = open(os.path.join(ROOT, "run.sh")).read()
    check, cmake = text.index("scripts/need-packages.sh"), text.index("cmake -S")
    assert check < cmake
    # the personal build folder never keeps a global install's setting
    assert "-DMSSTUN_INSTALL_GLOBAL=OFF" in text


def test_tshark_runs_as_this_user_when_not_root():
    # a normal user's tshark loads personal plugins: no user switch (setpriv
    # works only for root); as root the tests switch to nobody
    if os.geteuid() == 0:
        assert AS_TSHARK_USER[:1] == ["setpriv"] and "--reuid=65534" in AS_TSHARK_USER
    else:
        assert AS_TSHARK_USER == []
    out = _run(["-n", "-r", capture("vectors/ms-turn-udp.pcap"), "-Y", "frame.number==6",
                "-T", "fields", "-e", "_ws.col.Info"])
    assert out.strip().startswith("Data Indication"), out

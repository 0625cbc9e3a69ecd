"""What the Windows build is made of, checked on Linux by reading the spec, the Inno Setup script and build.ps1:
the console exe is there, both exes get a version resource, the installer refuses old Windows, cleans the old
_internal on upgrade, asks no administrator question, and every version number is the package's."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import pytest

import township_desk

ROOT = Path(__file__).resolve().parents[1]
INSTALLER = ROOT / "installer"
SPEC = (INSTALLER / "township_desk.spec").read_text(encoding="utf-8")
ISS_BYTES = (INSTALLER / "township_desk.iss").read_bytes()
ISS = ISS_BYTES.decode("utf-8")
BUILD_PS1 = (INSTALLER / "build.ps1").read_text(encoding="utf-8")


def iss_section(name: str) -> list[str]:
    """The non-comment lines of one [Section] of the .iss."""
    match = re.search(rf"^\[{name}\]\n(.*?)(?=^\[|\Z)", ISS, re.S | re.M)
    assert match, f"[{name}] missing"
    return [line for line in match.group(1).splitlines() if line.strip() and not line.startswith(";")]


def setup_value(key: str) -> str:
    found = [line.split("=", 1)[1] for line in iss_section("Setup") if line.split("=", 1)[0] == key]
    assert len(found) == 1, f"{key}= appears {len(found)} times in [Setup]"
    return found[0]


@pytest.fixture(scope="module")
def version_info():
    sys.path.insert(0, str(INSTALLER))
    try:
        import version_info

        yield version_info
    finally:
        sys.path.remove(str(INSTALLER))


def spec_programs() -> dict[str, dict]:
    """``program("name", console=…)`` calls in the spec → their keyword arguments (evaluated where literal)."""
    tree = ast.parse(SPEC)
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "program":
            name = ast.literal_eval(node.args[0])
            found[name] = {k.arg: ast.unparse(k.value) for k in node.keywords}
    return found


def test_the_spec_builds_a_console_exe_beside_the_window():
    programs = spec_programs()
    assert programs == {"township-desk": {"console": "not WINDOWS"}, "township-desk-cli": {"console": "True"}}
    assert re.search(r"COLLECT\(\s*window_exe,\s*cli_exe,", SPEC), "both exes in the one folder"


def test_every_exe_in_the_spec_gets_a_version_resource_made_from_the_package():
    program_body = SPEC[SPEC.index("def program("):SPEC.index("window_exe =")]
    assert "version=version_resource(name)" in program_body
    assert "from township_desk import __version__" in SPEC
    assert "version_info_text(__version__, name)" in SPEC


@pytest.mark.parametrize("exe", ["township-desk", "township-desk-cli"])
def test_the_version_resource_carries_the_package_version(version_info, exe):
    made = {}

    def record(kind):
        def build(*args, **kwargs):
            made.setdefault(kind, []).append((args, kwargs))
            return (kind, args, kwargs)
        return build

    names = ["VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo",
             "VarStruct"]
    eval(version_info.version_info_text(township_desk.__version__, exe), {n: record(n) for n in names})  # noqa: S307
    fixed = made["FixedFileInfo"][0][1]
    expected = version_info.version_tuple(township_desk.__version__)
    assert fixed["filevers"] == fixed["prodvers"] == expected
    strings = dict(args for args, _kw in made["StringStruct"])
    assert strings["OriginalFilename"] == f"{exe}.exe"
    assert strings["FileVersion"] == strings["ProductVersion"] == township_desk.__version__
    assert strings["ProductName"] == township_desk.APP_NAME


def test_version_tuples(version_info):
    assert version_info.version_tuple("0.1.0") == (0, 1, 0, 0)
    assert version_info.version_tuple("1.2.3.4") == (1, 2, 3, 4)
    assert version_info.version_tuple("2.0rc1") == (2, 0, 0, 0)


def test_the_version_number_is_written_once():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "township_desk.__version__"}
    # The installer has no version of its own: build.ps1 passes the package's.
    assert not re.search(r'#define\s+AppVersion\s+"', ISS)
    assert "AppVersion={#AppVersion}" in ISS
    assert 'township_desk.__version__' in BUILD_PS1
    assert '"/DAppVersion=$version"' in BUILD_PS1


def test_the_installer_refuses_windows_7_and_8_in_chinese():
    assert setup_value("MinVersion") == "10.0"
    messages = dict(line.split("=", 1) for line in iss_section("Messages"))
    assert "Windows 7" in messages["WinVersionTooLowError"] and "Windows 10" in messages["WinVersionTooLowError"]


def test_an_upgrade_removes_the_old_internal_folder():
    assert 'Type: filesandordirs; Name: "{app}\\_internal"' in iss_section("InstallDelete")


def test_no_administrator_question_for_the_clerk():
    assert setup_value("PrivilegesRequired") == "lowest"
    assert setup_value("PrivilegesRequiredOverridesAllowed") == "commandline"


def test_the_shortcuts_carry_the_app_user_model_id_the_window_sets():
    app_py = (ROOT / "township_desk" / "ui" / "app.py").read_text(encoding="utf-8")
    assert "SetCurrentProcessExplicitAppUserModelID(APP_ID)" in app_py
    defined = re.search(r'#define AppUserModel "([^"]+)"', ISS).group(1)
    assert defined == township_desk.APP_ID
    shortcuts = [line for line in iss_section("Icons") if "township-desk.exe" in line.split("Filename:")[1]]
    assert len(shortcuts) == 2 and all('AppUserModelID: "{#AppUserModel}"' in line for line in shortcuts)


def test_the_script_needs_inno_setup_6_3_and_is_utf8_without_bom():
    assert "#if VER < EncodeVer(6,3,0)" in ISS
    assert setup_value("ArchitecturesAllowed") == "x64compatible"
    assert not ISS_BYTES.startswith(b"\xef\xbb\xbf")


def test_build_ps1_waits_for_the_window_exe_and_checks_its_exit_code():
    starts = re.findall(r"\$p = Start-Process -FilePath \$gui .*", BUILD_PS1)
    assert len(starts) == 2 and all("-Wait" in s and "-PassThru" in s for s in starts)
    assert BUILD_PS1.count("if ($p.ExitCode -ne 0)") == 2
    assert "& $cli --version" in BUILD_PS1  # the console exe answers directly


def test_build_ps1_signs_only_with_a_certificate_and_writes_checksums():
    assert "TOWNSHIP_DESK_SIGN_PFX" in BUILD_PS1 and "TOWNSHIP_DESK_SIGN_THUMBPRINT" in BUILD_PS1
    sign = BUILD_PS1[BUILD_PS1.index("function Invoke-Sign"):]
    assert sign.index("unsigned build") < sign.index("& $signtool")
    assert "SHA256SUMS.txt" in BUILD_PS1 and "Get-FileHash -Algorithm SHA256" in BUILD_PS1


def test_build_ps1_is_ascii():
    """Windows PowerShell 5.1 reads a script without a BOM in the system code page (GBK on a Chinese PC)."""
    assert BUILD_PS1.isascii()


def test_pywin32_is_a_windows_only_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(re.fullmatch(r"pywin32>=\d+; sys_platform == 'win32'", d) for d in project["project"]["dependencies"])


def test_the_docs_point_scheduled_tasks_at_the_console_exe():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    installer_readme = (INSTALLER / "README.md").read_text(encoding="utf-8")
    assert "township-desk-cli.exe" in readme and "township-desk-cli.exe" in installer_readme
    assert "township-desk.exe\" backup" not in installer_readme
    for needed in ("更多信息 → 仍要运行", "360", "火绒", "SHA256SUMS.txt"):
        assert needed in installer_readme
    checklist = (INSTALLER / "RELEASE-CHECKLIST.md").read_text(encoding="utf-8")
    for needed in ("张三", "WPS", "360", "火绒", "125 %", "1366×768", "township-desk-cli.exe", "Uninstall"):
        assert needed in checklist

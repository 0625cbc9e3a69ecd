"""The Windows version resource of both executables, made from ``township_desk.__version__`` (the one place the
version number is written). Explorer's 属性 → 详细信息 and the antivirus read it; an exe without one looks
anonymous. The spec writes ``version_info_text(...)`` to a file and hands it to PyInstaller's ``EXE(version=…)``.

Plain text (the format PyInstaller's ``load_version_info_from_text_file`` reads), so that it is made and tested
without PyInstaller installed.
"""

from __future__ import annotations

import re

PRODUCT = "乡镇留守老人关爱服务台账"
COMPANY = "Township Desk"
DESCRIPTIONS = {
    "township-desk": PRODUCT,
    "township-desk-cli": f"{PRODUCT}（命令行，用于计划任务和脚本）",
}


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """``"0.1.0"`` → ``(0, 1, 0, 0)``: Windows keeps four numbers; a suffix such as ``rc1`` is dropped."""
    match = re.match(r"\d+(?:\.\d+)*", version.strip())
    if not match:
        raise ValueError(f"版本号“{version}”不以数字开头")
    numbers = [int(n) for n in match.group(0).split(".")[:4]]
    return tuple(numbers + [0] * (4 - len(numbers)))  # type: ignore[return-value]


def version_info_text(version: str, exe_name: str) -> str:
    """The version resource for ``<exe_name>.exe`` at ``version``, in PyInstaller's text format."""
    numbers = version_tuple(version)
    strings = {
        "CompanyName": COMPANY,
        "FileDescription": DESCRIPTIONS[exe_name],
        "FileVersion": version,
        "InternalName": exe_name,
        "LegalCopyright": "MIT License",
        "OriginalFilename": f"{exe_name}.exe",
        "ProductName": PRODUCT,
        "ProductVersion": version,
    }
    entries = ",\n".join(f"          StringStruct({key!r}, {value!r})" for key, value in strings.items())
    # 0x0804 = Chinese (PRC), 1200 = Unicode: the language Explorer shows the strings under.
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers!r},
    prodvers={numbers!r},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable(
        '080404B0',
        [
{entries}
        ])
    ]),
    VarFileInfo([VarStruct('Translation', [0x0804, 1200])])
  ]
)
"""

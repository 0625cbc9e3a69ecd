# Build the one-folder bundle on Windows: dist\township-desk\township-desk.exe, then (if Inno Setup is
# installed) the installer dist\TownshipDesk-Setup-<version>.exe. Run from PowerShell in the repository root:
#   powershell -ExecutionPolicy Bypass -File installer\build.ps1
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")

if (-not (Test-Path ".venv\Scripts\python.exe")) {
    py -3.11 -m venv .venv
}
$py = ".venv\Scripts\python.exe"
& $py -m pip install --upgrade pip
& $py -m pip install -e ".[build]"
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }

& $py -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller installer\township_desk.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

# The windowed exe still answers on the command line: check the bundle before packaging it.
& dist\township-desk\township-desk.exe --version
if ($LASTEXITCODE -ne 0) { throw "the built program did not start" }

$version = (& $py -c "import township_desk; print(township_desk.__version__)").Trim()
$iscc = @("${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe", "${env:ProgramFiles}\Inno Setup 6\ISCC.exe") |
    Where-Object { Test-Path $_ } | Select-Object -First 1
if ($iscc) {
    & $iscc "/DAppVersion=$version" installer\township_desk.iss
    if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
    Write-Host "installer: dist\TownshipDesk-Setup-$version.exe"
} else {
    Write-Host "Inno Setup 6 not found: bundle is in dist\township-desk (see installer\README.md)"
}

# Build on Windows: the one-folder bundle dist\township-desk\ (township-desk.exe, the window; township-desk-cli.exe,
# the console program for scheduled tasks and scripts), signed when a certificate is configured, checked, then
# (if Inno Setup 6.3+ is installed) the installer dist\TownshipDesk-Setup-<version>.exe, and dist\SHA256SUMS.txt.
# Run from PowerShell in the repository root:
#   powershell -ExecutionPolicy Bypass -File installer\build.ps1
#
# Code signing (optional; without it the build is unsigned and SmartScreen warns, see installer\README.md):
#   $env:TOWNSHIP_DESK_SIGN_PFX       path of a .pfx code-signing certificate, with
#   $env:TOWNSHIP_DESK_SIGN_PASSWORD  its password; or
#   $env:TOWNSHIP_DESK_SIGN_THUMBPRINT the SHA-1 thumbprint of a certificate in the Windows certificate store
#   $env:TOWNSHIP_DESK_SIGN_TIMESTAMP  RFC 3161 timestamp server (default http://timestamp.digicert.com)
#   $env:SIGNTOOL                      signtool.exe, when it is not in the Windows SDK's usual folder
# Keep this file ASCII: Windows PowerShell 5.1 reads a script without a BOM in the system code page (GBK).
$ErrorActionPreference = "Stop"
# The programs write UTF-8 (cli.md); read their output as such.
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
Set-Location (Join-Path $PSScriptRoot "..")

if (-not (Test-Path ".venv\Scripts\python.exe")) {
    py -3.11 -m venv .venv
}
$py = ".venv\Scripts\python.exe"
& $py -m pip install --upgrade pip
& $py -m pip install -e ".[build]"   # pywin32 comes with it on Windows (Word/WPS for PDF)
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }

# The version is written once, in township_desk\__init__.py; pyproject.toml, both exes and the installer take it.
$version = (& $py -c "import township_desk; print(township_desk.__version__)").Trim()

& $py -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller installer\township_desk.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
$bundle = "dist\township-desk"
$gui = Join-Path $bundle "township-desk.exe"
$cli = Join-Path $bundle "township-desk-cli.exe"

function Find-SignTool {
    if ($env:SIGNTOOL) { return $env:SIGNTOOL }
    $kits = "${env:ProgramFiles(x86)}\Windows Kits\10\bin"
    if (Test-Path $kits) {
        $found = Get-ChildItem $kits -Recurse -Filter signtool.exe -ErrorAction SilentlyContinue |
            Where-Object { $_.FullName -like "*\x64\*" } | Sort-Object FullName -Descending | Select-Object -First 1
        if ($found) { return $found.FullName }
    }
    return $null
}

function Invoke-Sign([string[]] $files) {
    # Signs only when a certificate is configured; otherwise says so and leaves the files unsigned.
    if (-not ($env:TOWNSHIP_DESK_SIGN_PFX -or $env:TOWNSHIP_DESK_SIGN_THUMBPRINT)) {
        Write-Host "no signing certificate configured (TOWNSHIP_DESK_SIGN_PFX / _THUMBPRINT): unsigned build"
        return
    }
    $signtool = Find-SignTool
    if (-not $signtool) { throw "signtool.exe not found: install the Windows SDK or set `$env:SIGNTOOL" }
    $timestamp = if ($env:TOWNSHIP_DESK_SIGN_TIMESTAMP) { $env:TOWNSHIP_DESK_SIGN_TIMESTAMP } else { "http://timestamp.digicert.com" }
    $signArgs = @("sign", "/fd", "SHA256", "/tr", $timestamp, "/td", "SHA256", "/d", "Township Desk")
    if ($env:TOWNSHIP_DESK_SIGN_PFX) {
        $signArgs += @("/f", $env:TOWNSHIP_DESK_SIGN_PFX)
        if ($env:TOWNSHIP_DESK_SIGN_PASSWORD) { $signArgs += @("/p", $env:TOWNSHIP_DESK_SIGN_PASSWORD) }
    } else {
        $signArgs += @("/sha1", $env:TOWNSHIP_DESK_SIGN_THUMBPRINT)
    }
    & $signtool @signArgs @files
    if ($LASTEXITCODE -ne 0) { throw "signtool failed" }
    & $signtool verify /pa @files
    if ($LASTEXITCODE -ne 0) { throw "signature check failed" }
}

Invoke-Sign @($gui, $cli)

# Check the bundle before packaging it, in a throw-away data folder (never the builder's own ledger).
$work = Join-Path ([System.IO.Path]::GetTempPath()) ("township-desk-check-" + [guid]::NewGuid())
New-Item -ItemType Directory -Path $work | Out-Null
$env:TOWNSHIP_DESK_HOME = Join-Path $work "home"
try {
    # The console program: what scheduled backups and the county's scripts run.
    & $cli --version
    if ($LASTEXITCODE -ne 0) { throw "township-desk-cli.exe --version failed" }
    & $cli demo --db "$work\check.db" --elders 30
    if ($LASTEXITCODE -ne 0) { throw "township-desk-cli.exe demo failed" }
    $json = & $cli elders --db "$work\check.db" --json | Out-String
    if ($LASTEXITCODE -ne 0 -or (ConvertFrom-Json $json).Count -ne 30) { throw "township-desk-cli.exe elders --json failed" }
    & $cli backup --db "$work\check.db" -o "$work\check-backup.db"
    if ($LASTEXITCODE -ne 0) { throw "township-desk-cli.exe backup failed" }

    # The windowed program returns at once to PowerShell: wait for it and check how it ended. It has no console,
    # so --version must not crash it (its output goes to the log file) ...
    $p = Start-Process -FilePath $gui -ArgumentList "--version" -Wait -PassThru
    if ($p.ExitCode -ne 0) { throw "township-desk.exe --version ended with $($p.ExitCode)" }
    # ... and the window tours every page and closes itself (exit 3 names a page that failed to load).
    $env:TOWNSHIP_DESK_SMOKE_SECONDS = "5"
    $p = Start-Process -FilePath $gui -ArgumentList @("--db", "`"$work\check.db`"") -Wait -PassThru
    Remove-Item Env:TOWNSHIP_DESK_SMOKE_SECONDS
    if ($p.ExitCode -ne 0) { throw "township-desk.exe window check ended with $($p.ExitCode) (see $env:TOWNSHIP_DESK_HOME\logs)" }
} finally {
    Remove-Item Env:TOWNSHIP_DESK_HOME -ErrorAction SilentlyContinue
    Remove-Item Env:TOWNSHIP_DESK_SMOKE_SECONDS -ErrorAction SilentlyContinue
}
Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue

$outputs = @($gui, $cli)
$iscc = @("${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe", "${env:ProgramFiles}\Inno Setup 6\ISCC.exe") |
    Where-Object { Test-Path $_ } | Select-Object -First 1
if ($iscc) {
    & $iscc "/DAppVersion=$version" installer\township_desk.iss
    if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed (6.3 or newer is needed)" }
    $setup = "dist\TownshipDesk-Setup-$version.exe"
    Invoke-Sign @($setup)
    $outputs = @($setup) + $outputs
    Write-Host "installer: $setup"
} else {
    Write-Host "Inno Setup 6 not found: bundle is in $bundle (see installer\README.md)"
}

# SHA-256 of what is handed out, for the county's IT to check a copy (sha256sum format: hash, two spaces, name).
$sums = foreach ($file in $outputs) {
    "{0}  {1}" -f (Get-FileHash -Algorithm SHA256 $file).Hash.ToLower(), (Split-Path $file -Leaf)
}
[System.IO.File]::WriteAllLines((Join-Path (Resolve-Path dist) "SHA256SUMS.txt"), [string[]]$sums)
Write-Host "checksums: dist\SHA256SUMS.txt"
$sums | ForEach-Object { Write-Host "  $_" }

; Inno Setup script: installs dist\township-desk (the window, township-desk.exe, and the console program for
; scheduled tasks and scripts, township-desk-cli.exe) with a Start-menu entry and an optional desktop icon; the
; wizard speaks Chinese. Built by installer\build.ps1, which passes the version: ISCC /DAppVersion=x.y.z
; (the one place it is written is township_desk\__init__.py).
; Needs Inno Setup 6.3 or newer: "x64compatible" below, and this file is UTF-8 without a BOM (6.3+ reads it so).
; The clerk's data lives in the per-user data folder (%LOCALAPPDATA%\TownshipDesk), not here, so
; uninstalling or upgrading never touches the ledger or its backups.

#if VER < EncodeVer(6,3,0)
  #error Inno Setup 6.3 or newer is required (x64compatible, UTF-8 script): see installer\README.md
#endif
#ifndef AppVersion
  #error AppVersion is not defined: build with installer\build.ps1 (ISCC /DAppVersion=x.y.z)
#endif
; The taskbar groups the window under this ID; the program sets the same one (ui/app.py, township_desk.APP_ID).
#define AppUserModel "TownshipDesk"

[Setup]
AppId={{6E0B5B0C-5A61-4D5E-9E1B-7C3D2F4A8B11}
AppName=乡镇留守老人关爱服务台账
AppVersion={#AppVersion}
VersionInfoVersion={#AppVersion}
AppPublisher=Township Desk
DefaultDirName={autopf}\TownshipDesk
DefaultGroupName=乡镇留守老人关爱服务台账
OutputDir=..\dist
OutputBaseFilename=TownshipDesk-Setup-{#AppVersion}
SetupIconFile=..\township_desk\resources\icon.ico
UninstallDisplayIcon={app}\township-desk.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; Windows 10 or 11 only: the Python and Qt inside do not start on Windows 7/8.1 (a DLL error), so say so at once.
MinVersion=10.0
; Office PCs often have no administrator account at hand: install for the current user, without asking which;
; the county IT person can still install for all users with /ALLUSERS on the command line.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
CloseApplications=yes

[Languages]
; ChineseSimplified.isl is an Inno Setup translation: if your Inno Setup lacks it, copy it into "Inno Setup 6\Languages".
Name: "chinesesimp"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Messages]
WinVersionTooLowError=本程序需要 Windows 10 或 Windows 11，不能在 Windows 7 或 Windows 8.1 上安装和使用。%n（要求：%1 %2 或更高版本）

[Tasks]
Name: "desktopicon"; Description: "在桌面创建快捷方式"; GroupDescription: "附加快捷方式："

[InstallDelete]
; An upgrade replaces the whole bundle: files the new version no longer has must not linger in _internal.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\dist\township-desk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\乡镇留守老人关爱服务台账"; Filename: "{app}\township-desk.exe"; IconFilename: "{app}\township-desk.exe"; AppUserModelID: "{#AppUserModel}"
Name: "{group}\卸载 乡镇留守老人关爱服务台账"; Filename: "{uninstallexe}"
Name: "{autodesktop}\乡镇留守老人关爱服务台账"; Filename: "{app}\township-desk.exe"; Tasks: desktopicon; AppUserModelID: "{#AppUserModel}"

[Run]
Filename: "{app}\township-desk.exe"; Description: "立即打开台账"; Flags: nowait postinstall skipifsilent

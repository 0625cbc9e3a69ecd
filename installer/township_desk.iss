; Inno Setup 6 script: installs dist\township-desk into Program Files with a Start-menu entry and an optional
; desktop icon; the wizard speaks Chinese. Built by installer\build.ps1 (ISCC /DAppVersion=x.y.z).
; The clerk's data lives in the per-user data folder (%LOCALAPPDATA%\TownshipDesk), not here, so
; uninstalling or upgrading never touches the ledger or its backups.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6E0B5B0C-5A61-4D5E-9E1B-7C3D2F4A8B11}
AppName=乡镇留守老人关爱服务台账
AppVersion={#AppVersion}
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
; Office PCs often have no administrator account at hand: install for the current user unless asked.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
CloseApplications=yes

[Languages]
; ChineseSimplified.isl is an Inno Setup translation (unofficial pack): copy it into "Inno Setup 6\Languages".
Name: "chinesesimp"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "在桌面创建快捷方式"; GroupDescription: "附加快捷方式："

[Files]
Source: "..\dist\township-desk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\乡镇留守老人关爱服务台账"; Filename: "{app}\township-desk.exe"; IconFilename: "{app}\township-desk.exe"
Name: "{group}\卸载 乡镇留守老人关爱服务台账"; Filename: "{uninstallexe}"
Name: "{autodesktop}\乡镇留守老人关爱服务台账"; Filename: "{app}\township-desk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\township-desk.exe"; Description: "立即打开台账"; Flags: nowait postinstall skipifsilent

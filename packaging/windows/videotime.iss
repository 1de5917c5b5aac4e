; Inno Setup 6 script: Videotime for Windows, a per-user install (no administrator rights).
;
;   iscc /DAppVersion=0.1.0 /DSourceDir=..\..\build\dist\videotime packaging\windows\videotime.iss
;
; Input: the PyInstaller one-folder build (videotime.exe = windowed app, videotime-cli.exe = the
; console twin for `--self-test` and support). Output: packaging\windows\Output\
; videotime-<version>-setup.exe. Signing: see packaging/README.md (the workflow signs
; videotime.exe / videotime-cli.exe before ISCC and the setup.exe after it).
;
; What it registers (and removes again on uninstall):
;   HKCU\Software\Classes\videotime            "URL:Videotime link" + "URL Protocol" = ""
;   HKCU\Software\Classes\videotime\DefaultIcon
;   HKCU\Software\Classes\videotime\shell\open\command  "...\videotime.exe" "%1"
;   Start menu shortcut "Videotime", optional desktop shortcut, an uninstaller in
;   Settings > Apps.
; HKA = HKCU in this non-administrative install mode (HKLM only if someone forces /ALLUSERS);
; Inno's documentation recommends HKA + Software\Classes over HKCR.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\build\dist\videotime"
#endif
#define AppName "Videotime"
#define AppExe "videotime.exe"
#define Scheme "videotime"

[Setup]
; Never change AppId: upgrades and the uninstaller find the installation by it.
AppId={{6E0C7F4B-5E0A-4C55-9B7C-2B6B1C7D9A31}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Videotime
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
DisableDirPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline
; The app holds this mutex while it runs (ui/single_instance.py); setup asks to close it.
AppMutex=VideotimeRunning
CloseApplications=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=Output
OutputBaseFilename=videotime-{#AppVersion}-setup
SetupIconFile=..\icons\videotime.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
; Signing (release builds): uncomment and define a "signtool" in the Inno IDE or with
; /S"signtool=..." on the ISCC command line (see packaging/README.md).
; SignTool=signtool
; SignedUninstaller=yes

[Languages]
Name: "nb"; MessagesFile: "compiler:Languages\Norwegian.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
nb.OpenVideotime=Åpne Videotime
en.OpenVideotime=Open Videotime
nb.DesktopIcon=Lag snarvei på skrivebordet
en.DesktopIcon=Create a desktop shortcut
nb.LinkDescription=Videotime-lenke
en.LinkDescription=Videotime link

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Registry]
; videotime:// links open the installed app; the empty "URL Protocol" value is what makes
; Windows treat the key as a URL scheme. "%1" is quoted: a link may contain spaces.
Root: HKA; Subkey: "Software\Classes\{#Scheme}"; ValueType: string; ValueName: ""; ValueData: "URL:{cm:LinkDescription}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#Scheme}"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\{#Scheme}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"",0"
Root: HKA; Subkey: "Software\Classes\{#Scheme}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:OpenVideotime}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the installer put there. The patient's appointments (%LOCALAPPDATA%\Videotime) and
; the PIN in Windows Credential Manager are theirs; uninstall leaves them.
Type: filesandordirs; Name: "{app}\_internal"

/*
 * fake_cdrom.h - forced into every file of the fake-class-driver Windows build
 * (gcc -include, mk/windows.mk: build/win-fake): transport_win32.c's DeviceIoControl,
 * CreateFileA and CloseHandle go through test/windows/fake_cdrom.c, which plays the
 * Windows cdrom class driver over a Lua-function device for the device name
 * \\.\CdRomFake and passes every other call to Windows.
 */
#ifndef CDPERF_FAKE_CDROM_H
#define CDPERF_FAKE_CDROM_H

#include <windows.h>

BOOL fake_DeviceIoControl(HANDLE h, DWORD code, LPVOID in, DWORD in_len, LPVOID out,
                          DWORD out_len, LPDWORD returned, LPOVERLAPPED overlapped);
HANDLE fake_CreateFileA(LPCSTR name, DWORD access, DWORD share, LPSECURITY_ATTRIBUTES sa,
                        DWORD disposition, DWORD flags, HANDLE template_file);
BOOL fake_CloseHandle(HANDLE h);

#define DeviceIoControl fake_DeviceIoControl
#define CreateFileA fake_CreateFileA
#define CloseHandle fake_CloseHandle

#endif

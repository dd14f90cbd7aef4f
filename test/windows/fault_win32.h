/*
 * fault_win32.h - forced into every file of the fault-injecting Windows build
 * (gcc -include, mk/windows.mk): transport_win32.c's DeviceIoControl, CreateFileA and
 * CloseHandle go through test/windows/fault_win32.c, which fails them on demand.
 */
#ifndef CDPERF_FAULT_WIN32_H
#define CDPERF_FAULT_WIN32_H

#include <windows.h>

BOOL fault_DeviceIoControl(HANDLE h, DWORD code, LPVOID in, DWORD in_len, LPVOID out,
                           DWORD out_len, LPDWORD returned, LPOVERLAPPED overlapped);
HANDLE fault_CreateFileA(LPCSTR name, DWORD access, DWORD share, LPSECURITY_ATTRIBUTES sa,
                         DWORD disposition, DWORD flags, HANDLE template_file);
BOOL fault_CloseHandle(HANDLE h);

#define DeviceIoControl fault_DeviceIoControl
#define CreateFileA fault_CreateFileA
#define CloseHandle fault_CloseHandle

#endif

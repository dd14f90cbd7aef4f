/*
 * fault_win32.c - the Windows calls of the fault-injecting build (fault_win32.h), failed
 * on demand. The fault comes from the file named by CDPERF_FAULT_FILE, read at each call
 * (test/windows/faults.lua rewrites it between commands):
 *   "ioctl CODE"   every DeviceIoControl fails with Win32 error CODE
 *   "open CODE"    every CreateFileA fails with CODE
 *   "close CODE"   CloseHandle closes the handle, then reports CODE
 *   "none"         nothing injected
 * Compiled without fault_win32.h: the calls below are the real ones.
 */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

BOOL fault_DeviceIoControl(HANDLE h, DWORD code, LPVOID in, DWORD in_len, LPVOID out,
                           DWORD out_len, LPDWORD returned, LPOVERLAPPED overlapped);
HANDLE fault_CreateFileA(LPCSTR name, DWORD access, DWORD share, LPSECURITY_ATTRIBUTES sa,
                         DWORD disposition, DWORD flags, HANDLE template_file);
BOOL fault_CloseHandle(HANDLE h);

/* The Win32 error to inject for call ("ioctl", "open", "close"), or 0. */
static DWORD fault_for(const char *call)
{
  const char *path = getenv("CDPERF_FAULT_FILE");
  char word[16];
  unsigned long code = 0;
  FILE *f;
  if (path == NULL || (f = fopen(path, "r")) == NULL)
    return 0;
  if (fscanf(f, "%15s %lu", word, &code) != 2 || strcmp(word, call) != 0)
    code = 0;
  fclose(f);
  return (DWORD)code;
}

BOOL fault_DeviceIoControl(HANDLE h, DWORD code, LPVOID in, DWORD in_len, LPVOID out,
                           DWORD out_len, LPDWORD returned, LPOVERLAPPED overlapped)
{
  DWORD e = fault_for("ioctl");
  if (e != 0) {
    if (returned != NULL)
      *returned = 0;
    SetLastError(e);
    return FALSE;
  }
  return DeviceIoControl(h, code, in, in_len, out, out_len, returned, overlapped);
}

HANDLE fault_CreateFileA(LPCSTR name, DWORD access, DWORD share, LPSECURITY_ATTRIBUTES sa,
                         DWORD disposition, DWORD flags, HANDLE template_file)
{
  DWORD e = fault_for("open");
  if (e != 0) {
    SetLastError(e);
    return INVALID_HANDLE_VALUE;
  }
  return CreateFileA(name, access, share, sa, disposition, flags, template_file);
}

BOOL fault_CloseHandle(HANDLE h)
{
  DWORD e = fault_for("close");
  BOOL ok = CloseHandle(h);
  if (e != 0) {
    SetLastError(e);
    return FALSE;
  }
  return ok;
}

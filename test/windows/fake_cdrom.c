/*
 * fake_cdrom.c - a fake Windows cdrom class driver for the Wine checks (fake_cdrom.h):
 * the device \\.\CdRomFake is a Lua-function device (cdperf.emulator's, or any callable
 * with the transport_lua.c protocol), and DeviceIoControl on it follows the rules of
 * Microsoft's class driver sample (Windows-driver-samples, storage/class/cdrom/src),
 * written anew from reading them:
 *   - access per IOCTL: the I/O manager compares the access bits of the IOCTL code with the
 *     handle's rights (IOCTL_SCSI_PASS_THROUGH: read and write; IOCTL_CDROM_GET_PERFORMANCE,
 *     IOCTL_CDROM_SET_SPEED: read) -> ERROR_ACCESS_DENIED;
 *   - exclusive access by another handle blocks the IOCTLs (cdrom.c,
 *     RequestIsIoctlBlockedByExclusiveAccess) -> ERROR_ACCESS_DENIED (fake.lock(true));
 *   - IOCTL_CDROM_GET_PERFORMANCE: ioctl.c RequestValidateGetPerformance (input sizes, enum
 *     fields, Tolerance 10/20 only, output 8..65535 bytes -> ERROR_INVALID_PARAMETER,
 *     ERROR_INSUFFICIENT_BUFFER) and RequestHandleGetPerformance (the CDB: Type 0 or 3,
 *     Tolerance 2, Except, Write, descriptors that fit the output buffer);
 *   - IOCTL_CDROM_SET_SPEED: ioctl.c RequestValidateSetSpeed (RequestType, sizes) and the
 *     SET CD SPEED / SET STREAMING CDBs;
 *   - a CHECK CONDITION from the drive becomes a Win32 error by sense key, as sense.c
 *     SenseInfoInterpretBySenseKey maps it (ILLEGAL REQUEST -> ERROR_INVALID_FUNCTION, ...),
 *     and the sense is lost to the caller;
 *   - IOCTL_SCSI_PASS_THROUGH hands the CDB to the drive and returns its status and sense.
 * Lua: local fake = package.loadlib(core.dll, "luaopen_cdperf_fakecdrom")()
 *      fake.attach(device), fake.lock(bool), fake.read_only(bool) (the account may not open
 *      it read-write), fake.count() -> pass-through, native IOCTLs.
 * The device is called on the Lua state that attached it (the checks' main thread).
 */
#include <windows.h>
#include <winioctl.h>
#include <ntddscsi.h>

#include <string.h>

#include "lua.h"
#include "lauxlib.h"

#include "cdperf_ntddcdrm.h"

#define FAKE_HANDLE ((HANDLE)(ULONG_PTR)0xFA4Eu)

BOOL fake_DeviceIoControl(HANDLE h, DWORD code, LPVOID in, DWORD in_len, LPVOID out,
                          DWORD out_len, LPDWORD returned, LPOVERLAPPED overlapped);
HANDLE fake_CreateFileA(LPCSTR name, DWORD access, DWORD share, LPSECURITY_ATTRIBUTES sa,
                        DWORD disposition, DWORD flags, HANDLE template_file);
BOOL fake_CloseHandle(HANDLE h);
__declspec(dllexport) int luaopen_cdperf_fakecdrom(lua_State *L);

static lua_State *fake_L;
static int fake_ref = LUA_NOREF;
static DWORD fake_access;      /* the open handle's rights; 0: not open */
static int fake_locked;        /* another handle holds IOCTL_CDROM_EXCLUSIVE_ACCESS */
static int fake_read_only;     /* the account may open the drive for reading only */
static long fake_passthrough, fake_native;

static BOOL fail(DWORD e)
{
  SetLastError(e);
  return FALSE;
}

/* sense.c SenseInfoInterpretBySenseKey: the NTSTATUS per sense key, as the Win32 error
 * RtlNtStatusToDosError makes of it. */
static DWORD win32_of_sense(const unsigned char *sense, size_t len)
{
  unsigned key = len > 2 ? sense[2] & 0x0Fu : 0x04u;
  switch (key) {
  case 0x02: return ERROR_NOT_READY;          /* STATUS_DEVICE_NOT_READY / NO_MEDIA_IN_DEVICE */
  case 0x03: return ERROR_CRC;                /* STATUS_DEVICE_DATA_ERROR */
  case 0x05: return ERROR_INVALID_FUNCTION;   /* STATUS_INVALID_DEVICE_REQUEST */
  case 0x06: return ERROR_MEDIA_CHANGED;      /* STATUS_VERIFY_REQUIRED */
  case 0x07: return ERROR_WRITE_PROTECT;      /* STATUS_MEDIA_WRITE_PROTECTED */
  case 0x08: return ERROR_NO_DATA_DETECTED;   /* STATUS_NO_DATA_DETECTED */
  default: return ERROR_IO_DEVICE;            /* HARDWARE ERROR, ABORTED COMMAND, others */
  }
}

/* Runs cdb on the Lua device. dir: "in" (data[0..len) filled, *got set), "out"
 * (data[0..len) sent) or "none". Returns the SCSI status; sense filled on 2. -1: the
 * device failed (ERROR_IO_DEVICE). */
static int run_cdb(const unsigned char *cdb, size_t cdb_len, const char *dir, unsigned char *data,
                   size_t len, size_t *got, unsigned char *sense, size_t *sense_len)
{
  lua_State *L = fake_L;
  int top, status = 0;
  *got = 0;
  *sense_len = 0;
  if (L == NULL || fake_ref == LUA_NOREF) return -1;
  top = lua_gettop(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, fake_ref);
  lua_pushlstring(L, (const char *)cdb, cdb_len);
  lua_pushstring(L, dir);
  if (strcmp(dir, "in") == 0) lua_pushinteger(L, (lua_Integer)len);
  else if (strcmp(dir, "out") == 0) lua_pushlstring(L, (const char *)data, len);
  else lua_pushnil(L);
  if (lua_pcall(L, 3, 2, 0) != LUA_OK) {
    lua_settop(L, top);
    return -1;
  }
  if (lua_isnil(L, -2)) {
    size_t sl = 0;
    const char *s = lua_tolstring(L, -1, &sl);
    status = 2;
    if (s != NULL) {
      if (sl > 32) sl = 32;
      memcpy(sense, s, sl);
      *sense_len = sl;
    }
  } else if (strcmp(dir, "in") == 0 && lua_type(L, -2) == LUA_TSTRING) {
    size_t dl = 0;
    const char *d = lua_tolstring(L, -2, &dl);
    if (dl > len) dl = len;
    memcpy(data, d, dl);
    *got = dl;
  }
  lua_settop(L, top);
  return status;
}

/* A native IOCTL's CDB, run as the class driver runs it: GOOD, or the Win32 error of the
 * sense (the sense itself does not reach the caller). */
static BOOL native_cdb(const unsigned char *cdb, size_t cdb_len, const char *dir,
                       unsigned char *data, size_t len, DWORD *got)
{
  unsigned char sense[32];
  size_t sense_len, n;
  int st;
  fake_native++;
  st = run_cdb(cdb, cdb_len, dir, data, len, &n, sense, &sense_len);
  if (st < 0) return fail(ERROR_IO_DEVICE);
  if (st == 2 && sense_len > 2 && (sense[2] & 0x0F) != 0x01) return fail(win32_of_sense(sense, sense_len));
  if (got != NULL) *got = (DWORD)n;
  return TRUE;
}

static void be32(unsigned char *p, ULONG v)
{
  p[0] = (unsigned char)(v >> 24); p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8); p[3] = (unsigned char)v;
}

static BOOL get_performance(LPVOID in, DWORD in_len, LPVOID out, DWORD out_len, LPDWORD returned)
{
  /* ioctl.c RequestValidateGetPerformance */
  const CDROM_WRITE_SPEED_REQUEST *ws = (const CDROM_WRITE_SPEED_REQUEST *)in;
  unsigned char cdb[12];
  unsigned size;
  DWORD got = 0;
  if (in == NULL || in_len < sizeof *ws) return fail(ERROR_BAD_LENGTH);
  memset(cdb, 0, sizeof cdb);
  cdb[0] = 0xAC;
  if (ws->RequestType == CdromPerformanceRequest) {
    const CDROM_PERFORMANCE_REQUEST *r = (const CDROM_PERFORMANCE_REQUEST *)in;
    if (in_len < sizeof *r) return fail(ERROR_BAD_LENGTH);
    if (r->PerformanceType != CdromReadPerformance && r->PerformanceType != CdromWritePerformance)
      return fail(ERROR_INVALID_PARAMETER);
    /* The sample compares Exceptions with CdromReadPerformance (1), which equals
     * CdromNominalPerformance: the same three values pass. */
    if (r->Exceptions != CdromNominalPerformance && r->Exceptions != CdromEntirePerformanceList &&
        r->Exceptions != CdromPerformanceExceptionsOnly)
      return fail(ERROR_INVALID_PARAMETER);
    if (r->Tolerance != Cdrom10Nominal20Exceptions) return fail(ERROR_INVALID_PARAMETER);
    /* RequestHandleGetPerformance */
    cdb[1] = (unsigned char)(2u << 3 | (r->PerformanceType == CdromWritePerformance ? 4u : 0u) |
                             (r->Exceptions == CdromNominalPerformance ? 0u
                              : r->Exceptions == CdromEntirePerformanceList ? 1u : 2u));
    be32(cdb + 2, r->StaringLba);
    size = r->Exceptions == CdromPerformanceExceptionsOnly ? 6u : 16u;
  } else if (ws->RequestType == CdromWriteSpeedRequest) {
    cdb[10] = 3;
    size = 16;
  } else {
    return fail(ERROR_INVALID_PARAMETER);
  }
  if (out_len < 8) return fail(ERROR_INSUFFICIENT_BUFFER);
  if (out_len > 0xFFFFu) return fail(ERROR_INVALID_PARAMETER);
  cdb[8] = (unsigned char)(((out_len - 8) / size) >> 8);
  cdb[9] = (unsigned char)((out_len - 8) / size);
  if (!native_cdb(cdb, sizeof cdb, "in", (unsigned char *)out, out_len, &got)) return FALSE;
  /* fewer than a header: STATUS_INVALID_DEVICE_REQUEST */
  if (got < 8) return fail(ERROR_INVALID_FUNCTION);
  *returned = got;
  return TRUE;
}

static BOOL set_speed(LPVOID in, DWORD in_len)
{
  /* ioctl.c RequestValidateSetSpeed */
  const CDROM_SET_SPEED *s = (const CDROM_SET_SPEED *)in;
  unsigned char cdb[12], p[28];
  if (in == NULL || in_len < sizeof *s) return fail(ERROR_BAD_LENGTH);
  if ((int)s->RequestType > (int)CdromSetStreaming) return fail(ERROR_INVALID_PARAMETER);
  memset(cdb, 0, sizeof cdb);
  if (s->RequestType == CdromSetSpeed) {
    cdb[0] = 0xBB;
    cdb[1] = (unsigned char)(s->RotationControl & 3);
    cdb[2] = (unsigned char)(s->ReadSpeed >> 8); cdb[3] = (unsigned char)s->ReadSpeed;
    cdb[4] = (unsigned char)(s->WriteSpeed >> 8); cdb[5] = (unsigned char)s->WriteSpeed;
    return native_cdb(cdb, sizeof cdb, "none", NULL, 0, NULL);
  } else {
    const CDROM_SET_STREAMING *st = (const CDROM_SET_STREAMING *)in;
    if (in_len < sizeof *st) return fail(ERROR_BAD_LENGTH);
    memset(p, 0, sizeof p);
    p[0] = (unsigned char)(((unsigned)st->RotationControl & 3u) << 3 |
                           (st->RestoreDefaults ? 4u : 0u) | (st->SetExact ? 2u : 0u) |
                           (st->RandomAccess ? 1u : 0u));
    be32(p + 4, st->StartLba); be32(p + 8, st->EndLba);
    be32(p + 12, st->ReadSize); be32(p + 16, st->ReadTime);
    be32(p + 20, st->WriteSize); be32(p + 24, st->WriteTime);
    cdb[0] = 0xB6;
    cdb[10] = sizeof p;
    return native_cdb(cdb, sizeof cdb, "out", p, sizeof p, NULL);
  }
}

static BOOL pass_through(LPVOID in, DWORD in_len, LPDWORD returned)
{
  SCSI_PASS_THROUGH *spt = (SCSI_PASS_THROUGH *)in;
  unsigned char sense[32];
  size_t sense_len, got;
  int st;
  const char *dir;
  if (in == NULL || in_len < sizeof *spt || spt->CdbLength > 16 ||
      spt->DataBufferOffset + spt->DataTransferLength > in_len ||
      spt->SenseInfoOffset + spt->SenseInfoLength > in_len)
    return fail(ERROR_INVALID_PARAMETER);
  fake_passthrough++;
  dir = spt->DataTransferLength == 0 ? "none" : spt->DataIn == SCSI_IOCTL_DATA_IN ? "in" : "out";
  st = run_cdb(spt->Cdb, spt->CdbLength, dir, (unsigned char *)in + spt->DataBufferOffset,
               spt->DataTransferLength, &got, sense, &sense_len);
  if (st < 0) return fail(ERROR_IO_DEVICE);
  spt->ScsiStatus = (UCHAR)st;
  if (strcmp(dir, "in") == 0) spt->DataTransferLength = (ULONG)got;
  if (sense_len > spt->SenseInfoLength) sense_len = spt->SenseInfoLength;
  memcpy((unsigned char *)in + spt->SenseInfoOffset, sense, sense_len);
  spt->SenseInfoLength = (UCHAR)sense_len;
  *returned = in_len;
  return TRUE;
}

BOOL fake_DeviceIoControl(HANDLE h, DWORD code, LPVOID in, DWORD in_len, LPVOID out,
                          DWORD out_len, LPDWORD returned, LPOVERLAPPED overlapped)
{
  DWORD need;
  if (h != FAKE_HANDLE)
    return DeviceIoControl(h, code, in, in_len, out, out_len, returned, overlapped);
  if (returned != NULL) *returned = 0;
  /* the I/O manager: the access bits of the code (CTL_CODE bits 14-15) against the handle */
  need = (code >> 14) & 3u;
  if (((need & FILE_READ_ACCESS) && !(fake_access & GENERIC_READ)) ||
      ((need & FILE_WRITE_ACCESS) && !(fake_access & GENERIC_WRITE)))
    return fail(ERROR_ACCESS_DENIED);
  if (fake_locked) return fail(ERROR_ACCESS_DENIED);
  switch (code) {
  case IOCTL_SCSI_PASS_THROUGH: return pass_through(in, in_len, returned);
  case IOCTL_CDROM_GET_PERFORMANCE: return get_performance(in, in_len, out, out_len, returned);
  case IOCTL_CDROM_SET_SPEED: return set_speed(in, in_len);
  default: return fail(ERROR_INVALID_FUNCTION);
  }
}

HANDLE fake_CreateFileA(LPCSTR name, DWORD access, DWORD share, LPSECURITY_ATTRIBUTES sa,
                        DWORD disposition, DWORD flags, HANDLE template_file)
{
  if (name == NULL || strcmp(name, "\\\\.\\CdRomFake") != 0)
    return CreateFileA(name, access, share, sa, disposition, flags, template_file);
  if (fake_ref == LUA_NOREF) {
    SetLastError(ERROR_FILE_NOT_FOUND);
    return INVALID_HANDLE_VALUE;
  }
  if (fake_read_only && (access & GENERIC_WRITE)) {
    SetLastError(ERROR_ACCESS_DENIED);
    return INVALID_HANDLE_VALUE;
  }
  fake_access = access;
  return FAKE_HANDLE;
}

BOOL fake_CloseHandle(HANDLE h)
{
  if (h != FAKE_HANDLE) return CloseHandle(h);
  fake_access = 0;
  return TRUE;
}

static int l_attach(lua_State *L)
{
  luaL_checkany(L, 1);
  if (fake_L != NULL && fake_ref != LUA_NOREF) luaL_unref(fake_L, LUA_REGISTRYINDEX, fake_ref);
  lua_pushvalue(L, 1);
  fake_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  fake_L = L;
  fake_passthrough = fake_native = 0;
  return 0;
}

static int l_lock(lua_State *L)
{
  fake_locked = lua_toboolean(L, 1);
  return 0;
}

static int l_read_only(lua_State *L)
{
  fake_read_only = lua_toboolean(L, 1);
  return 0;
}

static int l_count(lua_State *L)
{
  lua_pushinteger(L, fake_passthrough);
  lua_pushinteger(L, fake_native);
  return 2;
}

int luaopen_cdperf_fakecdrom(lua_State *L)
{
  static const luaL_Reg fns[] = {
    { "attach", l_attach }, { "lock", l_lock }, { "read_only", l_read_only }, { "count", l_count }, { NULL, NULL }
  };
  luaL_newlib(L, fns);
  return 1;
}

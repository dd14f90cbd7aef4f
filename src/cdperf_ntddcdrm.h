/*
 * cdperf_ntddcdrm.h - cdperf's own copies of the Windows CD-ROM IOCTL codes and
 * structures that mingw-w64 does not ship (DESIGN.md section 4).
 *
 * Windows only (it includes <windows.h>). The system <ntddcdrm.h> is
 * included first; everything below is declared only where the toolchain
 * lacks it:
 *
 *   - IOCTL_CDROM_GET_PERFORMANCE and its request/response structures and
 *     enums: declared when the SDK does not define IOCTL_CDROM_GET_PERFORMANCE
 *     (mingw-w64 up to at least 10.0 lacks them; the Microsoft SDK has them).
 *   - CDROM_SET_STREAMING: declared together with the above (the Microsoft SDK
 *     added both at the same time); force either way with
 *     -DCDPERF_HAVE_CDROM_SET_STREAMING=0|1.
 *   - CDROM_SET_SPEED, CDROM_SPEED_REQUEST (CdromSetSpeed = 0,
 *     CdromSetStreaming = 1) and WRITE_ROTATION (CdromDefaultRotation,
 *     CdromCAVRotation) are in mingw-w64's ntddcdrm.h and in the Microsoft SDK
 *     and are never redeclared; a toolchain without them can ask for cdperf's
 *     copies with -DCDPERF_NEED_CDROM_SET_SPEED.
 *
 * Every size and the offsets the transport relies on are checked at compile
 * time against DESIGN.md section 4, and so is the layout of the toolchain's
 * SCSI_PASS_THROUGH (<ntddscsi.h>, never redeclared here).
 *
 * test/windows/header_check.c (make check-win-headers, part of make
 * check-warnings) compiles this header beside independent SDKs' definitions
 * (mingw-w64's and Wine's headers, x86_64 and i686) and requires every code,
 * enum value, size and offset that both define to be equal.
 */
/*
 * The name differs from the system header's on purpose: with the rockspec's
 * incdirs = {"src"} (MSVC, clang-cl, mingw alike) `#include <ntddcdrm.h>` must find
 * the SDK's file, never this one, so no compiler-specific forwarding is needed.
 */
#ifndef CDPERF_NTDDCDRM_H

#include <stddef.h>
#include <windows.h>
#include <winioctl.h>
#include <ntddcdrm.h>
#include <ntddscsi.h>

#define CDPERF_NTDDCDRM_H

/* ---- compile-time checks (C99-compatible) ------------------------------ */

#define CDPERF_CAT_(a, b) a##b
#define CDPERF_CAT(a, b) CDPERF_CAT_(a, b)
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define CDPERF_STATIC_ASSERT(cond, what) _Static_assert(cond, what)
#else
/* A negative array size when cond is false; a file-scope typedef, so no
 * unused-local-typedef warning. The name must be unique in the translation
 * unit (C99 forbids repeating a typedef): __COUNTER__ where the compiler has
 * it, else the line number. */
#if defined(__COUNTER__)
#define CDPERF_STATIC_ASSERT_ID __COUNTER__
#else
#define CDPERF_STATIC_ASSERT_ID __LINE__
#endif
#define CDPERF_STATIC_ASSERT_(cond, id) typedef char CDPERF_CAT(cdperf_static_assert_, id)[(cond) ? 1 : -1]
#define CDPERF_STATIC_ASSERT(cond, what) CDPERF_STATIC_ASSERT_(cond, CDPERF_STATIC_ASSERT_ID)
#endif

/* ---- IOCTL codes -------------------------------------------------------- */

#ifndef IOCTL_CDROM_BASE
#define IOCTL_CDROM_BASE FILE_DEVICE_CD_ROM
#endif

#ifndef IOCTL_CDROM_SET_SPEED
#define IOCTL_CDROM_SET_SPEED \
  CTL_CODE(IOCTL_CDROM_BASE, 0x0018, METHOD_BUFFERED, FILE_READ_ACCESS)
#endif

#ifdef IOCTL_CDROM_GET_PERFORMANCE
#define CDPERF_SDK_HAS_GET_PERFORMANCE 1
#else
#define CDPERF_SDK_HAS_GET_PERFORMANCE 0
#define IOCTL_CDROM_GET_PERFORMANCE \
  CTL_CODE(IOCTL_CDROM_BASE, 0x001C, METHOD_BUFFERED, FILE_READ_ACCESS)
#endif

#ifndef CDPERF_HAVE_CDROM_SET_STREAMING
#define CDPERF_HAVE_CDROM_SET_STREAMING CDPERF_SDK_HAS_GET_PERFORMANCE
#endif

CDPERF_STATIC_ASSERT(IOCTL_CDROM_GET_PERFORMANCE == 0x00024070,
                     "IOCTL_CDROM_GET_PERFORMANCE is 0x00024070");
CDPERF_STATIC_ASSERT(IOCTL_CDROM_SET_SPEED == 0x00024060, "IOCTL_CDROM_SET_SPEED is 0x00024060");

/* ---- GET PERFORMANCE ---------------------------------------------------- */

#if !CDPERF_SDK_HAS_GET_PERFORMANCE

typedef enum _CDROM_PERFORMANCE_REQUEST_TYPE {
  CdromPerformanceRequest = 1,
  CdromWriteSpeedRequest = 2
} CDROM_PERFORMANCE_REQUEST_TYPE, *PCDROM_PERFORMANCE_REQUEST_TYPE;

typedef enum _CDROM_PERFORMANCE_TYPE {
  CdromReadPerformance = 1,
  CdromWritePerformance = 2
} CDROM_PERFORMANCE_TYPE, *PCDROM_PERFORMANCE_TYPE;

typedef enum _CDROM_PERFORMANCE_EXCEPTION_TYPE {
  CdromNominalPerformance = 1,
  CdromEntirePerformanceList = 2,
  CdromPerformanceExceptionsOnly = 3
} CDROM_PERFORMANCE_EXCEPTION_TYPE, *PCDROM_PERFORMANCE_EXCEPTION_TYPE;

typedef enum _CDROM_PERFORMANCE_TOLERANCE_TYPE {
  Cdrom10Nominal20Exceptions = 1
} CDROM_PERFORMANCE_TOLERANCE_TYPE, *PCDROM_PERFORMANCE_TOLERANCE_TYPE;

typedef struct _CDROM_PERFORMANCE_REQUEST {
  CDROM_PERFORMANCE_REQUEST_TYPE RequestType;
  CDROM_PERFORMANCE_TYPE PerformanceType;
  CDROM_PERFORMANCE_EXCEPTION_TYPE Exceptions;
  CDROM_PERFORMANCE_TOLERANCE_TYPE Tolerance;
  ULONG StaringLba;   /* sic: the Windows header's spelling */
} CDROM_PERFORMANCE_REQUEST, *PCDROM_PERFORMANCE_REQUEST;

typedef struct _CDROM_WRITE_SPEED_REQUEST {
  CDROM_PERFORMANCE_REQUEST_TYPE RequestType;
} CDROM_WRITE_SPEED_REQUEST, *PCDROM_WRITE_SPEED_REQUEST;

/* The response is the MMC GET PERFORMANCE data as the drive sent it:
 * multi-byte fields are big-endian byte arrays. cdperf decodes responses
 * with explicit shifts in mmc.c; these layouts are here for reference and
 * for the size checks. */
typedef struct _CDROM_PERFORMANCE_HEADER {
  UCHAR DataLength[4];
  UCHAR Except : 1;
  UCHAR Write : 1;
  UCHAR Reserved1 : 6;
  UCHAR Reserved2[3];
} CDROM_PERFORMANCE_HEADER, *PCDROM_PERFORMANCE_HEADER;

typedef struct _CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR {
  UCHAR StartLba[4];
  UCHAR StartPerformance[4];
  UCHAR EndLba[4];
  UCHAR EndPerformance[4];
} CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR, *PCDROM_NOMINAL_PERFORMANCE_DESCRIPTOR;

typedef struct _CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR {
  UCHAR Lba[4];
  UCHAR Time[2];
} CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR, *PCDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR;

typedef struct _CDROM_WRITE_SPEED_DESCRIPTOR {
  UCHAR MixedReadWrite : 1;
  UCHAR Exact : 1;
  UCHAR Reserved1 : 1;
  UCHAR WriteRotationControl : 2;
  UCHAR Reserved2 : 3;
  UCHAR Reserved3[3];
  UCHAR EndLba[4];
  UCHAR ReadSpeed[4];
  UCHAR WriteSpeed[4];
} CDROM_WRITE_SPEED_DESCRIPTOR, *PCDROM_WRITE_SPEED_DESCRIPTOR;

#endif /* !CDPERF_SDK_HAS_GET_PERFORMANCE */

/* ---- SET SPEED / SET STREAMING ------------------------------------------ */

#ifdef CDPERF_NEED_CDROM_SET_SPEED
/* Only for a toolchain whose ntddcdrm.h lacks them (mingw-w64 and the
 * Microsoft SDK both have them). */
typedef enum _CDROM_SPEED_REQUEST {
  CdromSetSpeed = 0,
  CdromSetStreaming = 1
} CDROM_SPEED_REQUEST, *PCDROM_SPEED_REQUEST;

typedef enum _WRITE_ROTATION {
  CdromDefaultRotation = 0,
  CdromCAVRotation = 1
} WRITE_ROTATION, *PWRITE_ROTATION;

typedef struct _CDROM_SET_SPEED {
  CDROM_SPEED_REQUEST RequestType;
  USHORT ReadSpeed;
  USHORT WriteSpeed;
  WRITE_ROTATION RotationControl;
} CDROM_SET_SPEED, *PCDROM_SET_SPEED;
#endif

#if !CDPERF_HAVE_CDROM_SET_STREAMING
typedef struct _CDROM_SET_STREAMING {
  CDROM_SPEED_REQUEST RequestType;   /* CdromSetStreaming */
  ULONG ReadSize;                    /* kB per ReadTime */
  ULONG ReadTime;                    /* ms */
  ULONG WriteSize;
  ULONG WriteTime;
  ULONG StartLba;
  ULONG EndLba;
  WRITE_ROTATION RotationControl;
  BOOLEAN RestoreDefaults;
  BOOLEAN SetExact;
  BOOLEAN RandomAccess;
  BOOLEAN Persistent;
} CDROM_SET_STREAMING, *PCDROM_SET_STREAMING;
#endif

/* ---- the wire facts of DESIGN.md section 4 ----------------------------- */

/* No header installed here defines the GET PERFORMANCE structures or
 * CDROM_SET_STREAMING (mingw-w64 10 and Wine 8 lack them, and so does Wine's
 * newest include/ntddcdrm.h, wine-mirror/wine). Two independent public
 * definitions give the same layouts as the figures asserted below (enums and
 * ULONG 4 bytes, UCHAR arrays unpadded):
 *   - ReactOS, reactos/reactos sdk/include/psdk/ntddcdrm.h (commit 99489553):
 *     CDROM_PERFORMANCE_REQUEST = four enums then ULONG StaringLba (sic) ->
 *     offsets 0, 4, 8, 12, 16, size 20; CDROM_WRITE_SPEED_REQUEST = one enum,
 *     size 4; CDROM_PERFORMANCE_HEADER = UCHAR DataLength[4] @0, bit-fields
 *     Except:1 Write:1 Reserved1:6 in byte 4, UCHAR Reserved2[3] @5, then a
 *     zero-length Data[] -> size 8; CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR =
 *     four UCHAR[4] (StartLba, StartPerformance, EndLba, EndPerformance) @0, 4,
 *     8, 12, size 16; CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR = UCHAR Lba[4] @0,
 *     UCHAR Time[2] @4, size 6; CDROM_WRITE_SPEED_DESCRIPTOR = bit-fields
 *     MixedReadWrite:1 Exact:1 Reserved1:1 WriteRotationControl:2 Reserved2:3 in
 *     byte 0, UCHAR Reserved3[3] @1, EndLba[4] @4, ReadSpeed[4] @8,
 *     WriteSpeed[4] @12, size 16; CDROM_SET_STREAMING = enum RequestType, six
 *     ULONGs (ReadSize, ReadTime, WriteSize, WriteTime, StartLba, EndLba) @4..24,
 *     enum RotationControl @28, four BOOLEANs (RestoreDefaults, SetExact,
 *     RandomAccess, Persistent) @32..35, size 36; the enum values
 *     CdromPerformanceRequest 1, CdromWriteSpeedRequest 2, CdromReadPerformance
 *     1, CdromWritePerformance 2, CdromNominalPerformance 1,
 *     CdromEntirePerformanceList 2, CdromPerformanceExceptionsOnly 3,
 *     Cdrom10Nominal20Exceptions 1; IOCTL_CDROM_GET_PERFORMANCE function 0x001C,
 *     IOCTL_CDROM_SET_SPEED 0x0018, both METHOD_BUFFERED, FILE_READ_ACCESS.
 *   - Microsoft's reference, MicrosoftDocs/windows-driver-docs-ddi
 *     wdk-ddi-src/content/ntddcdrm/ns-ntddcdrm-_cdrom_performance_request.md,
 *     _cdrom_write_speed_request.md, _cdrom_performance_header.md,
 *     _cdrom_nominal_performance_descriptor.md,
 *     _cdrom_exception_performance_descriptor.md, _cdrom_write_speed_descriptor.md,
 *     _cdrom_set_streaming.md and ne-ntddcdrm-_cdrom_performance_*.md: the same
 *     members in the same order with the same types and enum values (its older
 *     pages spell StaringLba as StartingLba; the offset is 16 either way).
 * CDROM_SET_SPEED, CDROM_SPEED_REQUEST, WRITE_ROTATION, IOCTL_CDROM_BASE and
 * IOCTL_CDROM_SET_SPEED are in mingw-w64's ntddcdrm.h: header_check.c compares
 * them with cdperf's copies (CDPERF_NEED_CDROM_SET_SPEED) member by member. */

/* The request-type values the driver tests (Microsoft documents
 * CdromSetSpeed = 0, CdromSetStreaming = 1). */
CDPERF_STATIC_ASSERT(CdromSetSpeed == 0, "CdromSetSpeed is 0");
CDPERF_STATIC_ASSERT(CdromSetStreaming == 1, "CdromSetStreaming is 1");
CDPERF_STATIC_ASSERT(CdromDefaultRotation == 0, "CdromDefaultRotation is 0 (CLV)");
CDPERF_STATIC_ASSERT(CdromCAVRotation == 1, "CdromCAVRotation is 1");
CDPERF_STATIC_ASSERT(CdromPerformanceRequest == 1 && CdromWriteSpeedRequest == 2,
                     "CDROM_PERFORMANCE_REQUEST_TYPE values");
CDPERF_STATIC_ASSERT(CdromReadPerformance == 1 && CdromWritePerformance == 2,
                     "CDROM_PERFORMANCE_TYPE values");
CDPERF_STATIC_ASSERT(CdromNominalPerformance == 1 && CdromEntirePerformanceList == 2 &&
                     CdromPerformanceExceptionsOnly == 3,
                     "CDROM_PERFORMANCE_EXCEPTION_TYPE values");
CDPERF_STATIC_ASSERT(Cdrom10Nominal20Exceptions == 1, "CDROM_PERFORMANCE_TOLERANCE_TYPE value");

CDPERF_STATIC_ASSERT(sizeof(CDROM_PERFORMANCE_REQUEST) == 20, "CDROM_PERFORMANCE_REQUEST is 20 bytes");
CDPERF_STATIC_ASSERT(offsetof(CDROM_PERFORMANCE_REQUEST, PerformanceType) == 4, "PerformanceType@4");
CDPERF_STATIC_ASSERT(offsetof(CDROM_PERFORMANCE_REQUEST, Exceptions) == 8, "Exceptions@8");
CDPERF_STATIC_ASSERT(offsetof(CDROM_PERFORMANCE_REQUEST, Tolerance) == 12, "Tolerance@12");
CDPERF_STATIC_ASSERT(offsetof(CDROM_PERFORMANCE_REQUEST, StaringLba) == 16, "StaringLba@16");
CDPERF_STATIC_ASSERT(sizeof(CDROM_WRITE_SPEED_REQUEST) == 4, "CDROM_WRITE_SPEED_REQUEST is 4 bytes");

CDPERF_STATIC_ASSERT(sizeof(CDROM_PERFORMANCE_HEADER) == 8, "CDROM_PERFORMANCE_HEADER is 8 bytes");
CDPERF_STATIC_ASSERT(offsetof(CDROM_PERFORMANCE_HEADER, Reserved2) == 5, "header Reserved2@5");
CDPERF_STATIC_ASSERT(sizeof(CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR) == 16,
                     "CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR is 16 bytes");
CDPERF_STATIC_ASSERT(offsetof(CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR, StartPerformance) == 4,
                     "StartPerformance@4");
CDPERF_STATIC_ASSERT(offsetof(CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR, EndLba) == 8, "EndLba@8");
CDPERF_STATIC_ASSERT(offsetof(CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR, EndPerformance) == 12,
                     "EndPerformance@12");
CDPERF_STATIC_ASSERT(sizeof(CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR) == 6,
                     "CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR is 6 bytes");
CDPERF_STATIC_ASSERT(offsetof(CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR, Time) == 4, "Time@4");
CDPERF_STATIC_ASSERT(sizeof(CDROM_WRITE_SPEED_DESCRIPTOR) == 16,
                     "CDROM_WRITE_SPEED_DESCRIPTOR is 16 bytes");
CDPERF_STATIC_ASSERT(offsetof(CDROM_WRITE_SPEED_DESCRIPTOR, Reserved3) == 1, "Reserved3@1");
CDPERF_STATIC_ASSERT(offsetof(CDROM_WRITE_SPEED_DESCRIPTOR, EndLba) == 4, "write speed EndLba@4");
CDPERF_STATIC_ASSERT(offsetof(CDROM_WRITE_SPEED_DESCRIPTOR, ReadSpeed) == 8, "ReadSpeed@8");
CDPERF_STATIC_ASSERT(offsetof(CDROM_WRITE_SPEED_DESCRIPTOR, WriteSpeed) == 12, "WriteSpeed@12");

CDPERF_STATIC_ASSERT(sizeof(CDROM_SET_SPEED) == 12, "CDROM_SET_SPEED is 12 bytes");
CDPERF_STATIC_ASSERT(offsetof(CDROM_SET_SPEED, ReadSpeed) == 4, "ReadSpeed@4");
CDPERF_STATIC_ASSERT(offsetof(CDROM_SET_SPEED, WriteSpeed) == 6, "WriteSpeed@6");
CDPERF_STATIC_ASSERT(offsetof(CDROM_SET_SPEED, RotationControl) == 8, "RotationControl@8");

CDPERF_STATIC_ASSERT(sizeof(CDROM_SET_STREAMING) == 36, "CDROM_SET_STREAMING is 36 bytes");
CDPERF_STATIC_ASSERT(offsetof(CDROM_SET_STREAMING, ReadSize) == 4, "ReadSize@4");
CDPERF_STATIC_ASSERT(offsetof(CDROM_SET_STREAMING, ReadTime) == 8, "ReadTime@8");
CDPERF_STATIC_ASSERT(offsetof(CDROM_SET_STREAMING, WriteSize) == 12, "WriteSize@12");
CDPERF_STATIC_ASSERT(offsetof(CDROM_SET_STREAMING, WriteTime) == 16, "WriteTime@16");
CDPERF_STATIC_ASSERT(offsetof(CDROM_SET_STREAMING, StartLba) == 20, "StartLba@20");
CDPERF_STATIC_ASSERT(offsetof(CDROM_SET_STREAMING, EndLba) == 24, "EndLba@24");
CDPERF_STATIC_ASSERT(offsetof(CDROM_SET_STREAMING, RotationControl) == 28, "RotationControl@28");
CDPERF_STATIC_ASSERT(offsetof(CDROM_SET_STREAMING, RestoreDefaults) == 32, "RestoreDefaults@32");
CDPERF_STATIC_ASSERT(offsetof(CDROM_SET_STREAMING, SetExact) == 33, "SetExact@33");
CDPERF_STATIC_ASSERT(offsetof(CDROM_SET_STREAMING, RandomAccess) == 34, "RandomAccess@34");
CDPERF_STATIC_ASSERT(offsetof(CDROM_SET_STREAMING, Persistent) == 35, "Persistent@35");

/* ---- SCSI pass-through (<ntddscsi.h>) ---------------------------------- */

/* SCSI_PASS_THROUGH comes from the toolchain's <ntddscsi.h>; its layout must be the one
 * Microsoft documents (and Wine's SG_IO implementation reads: make check-wine-kernel). */
CDPERF_STATIC_ASSERT(IOCTL_SCSI_PASS_THROUGH == 0x0004D004, "IOCTL_SCSI_PASS_THROUGH is 0x0004D004");
CDPERF_STATIC_ASSERT(SCSI_IOCTL_DATA_OUT == 0 && SCSI_IOCTL_DATA_IN == 1 &&
                     SCSI_IOCTL_DATA_UNSPECIFIED == 2, "SCSI_IOCTL_DATA_* values");
CDPERF_STATIC_ASSERT(offsetof(SCSI_PASS_THROUGH, Length) == 0, "Length@0");
CDPERF_STATIC_ASSERT(offsetof(SCSI_PASS_THROUGH, ScsiStatus) == 2, "ScsiStatus@2");
CDPERF_STATIC_ASSERT(offsetof(SCSI_PASS_THROUGH, PathId) == 3, "PathId@3");
CDPERF_STATIC_ASSERT(offsetof(SCSI_PASS_THROUGH, TargetId) == 4, "TargetId@4");
CDPERF_STATIC_ASSERT(offsetof(SCSI_PASS_THROUGH, Lun) == 5, "Lun@5");
CDPERF_STATIC_ASSERT(offsetof(SCSI_PASS_THROUGH, CdbLength) == 6, "CdbLength@6");
CDPERF_STATIC_ASSERT(offsetof(SCSI_PASS_THROUGH, SenseInfoLength) == 7, "SenseInfoLength@7");
CDPERF_STATIC_ASSERT(offsetof(SCSI_PASS_THROUGH, DataIn) == 8, "DataIn@8");
CDPERF_STATIC_ASSERT(offsetof(SCSI_PASS_THROUGH, DataTransferLength) == 12, "DataTransferLength@12");
CDPERF_STATIC_ASSERT(offsetof(SCSI_PASS_THROUGH, TimeOutValue) == 16, "TimeOutValue@16");
#ifdef _WIN64
CDPERF_STATIC_ASSERT(offsetof(SCSI_PASS_THROUGH, DataBufferOffset) == 24, "DataBufferOffset@24");
CDPERF_STATIC_ASSERT(offsetof(SCSI_PASS_THROUGH, SenseInfoOffset) == 32, "SenseInfoOffset@32");
CDPERF_STATIC_ASSERT(offsetof(SCSI_PASS_THROUGH, Cdb) == 36, "Cdb@36");
CDPERF_STATIC_ASSERT(sizeof(SCSI_PASS_THROUGH) == 56, "SCSI_PASS_THROUGH is 56 bytes (x64)");
#else
CDPERF_STATIC_ASSERT(offsetof(SCSI_PASS_THROUGH, DataBufferOffset) == 20, "DataBufferOffset@20");
CDPERF_STATIC_ASSERT(offsetof(SCSI_PASS_THROUGH, SenseInfoOffset) == 24, "SenseInfoOffset@24");
CDPERF_STATIC_ASSERT(offsetof(SCSI_PASS_THROUGH, Cdb) == 28, "Cdb@28");
CDPERF_STATIC_ASSERT(sizeof(SCSI_PASS_THROUGH) == 44, "SCSI_PASS_THROUGH is 44 bytes (x86)");
#endif
CDPERF_STATIC_ASSERT(sizeof(((SCSI_PASS_THROUGH *)0)->Cdb) == 16, "Cdb is 16 bytes");

#endif /* CDPERF_NTDDCDRM_H */

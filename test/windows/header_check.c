/*
 * test/windows/header_check.c - cdperf's Windows IOCTL definitions beside an independent
 * SDK's, at compile time (issue 14 item 3). Never linked: mk/windows.mk's check-win-headers
 * compiles it once per SDK and architecture, and any difference stops the build with the
 * name of what differs:
 *
 *   -DHC_SDK_MINGW  mingw-w64's headers (the ones the DLL is built with);
 *   -DHC_SDK_WINE   Wine's (libwine-dev, /usr/include/wine/wine/windows with -nostdinc):
 *                   an independent implementation, and the one whose SG_IO code reads the
 *                   SCSI_PASS_THROUGH that cdperf sends (make check-wine-kernel);
 *
 * each with x86_64-w64-mingw32-gcc and i686-w64-mingw32-gcc.
 *
 * How: the SDK's headers come first; what the SDK defines that cdperf_ntddcdrm.h can define
 * too (IOCTL codes, CDROM_SPEED_REQUEST, WRITE_ROTATION, CDROM_SET_SPEED, and the
 * GET PERFORMANCE / SET STREAMING family on an SDK that has it) is kept under an sdk_ name,
 * the SDK's IOCTL macros are taken away, and cdperf's header is included with its every
 * definition forced on (CDPERF_NEED_CDROM_SET_SPEED, CDPERF_HAVE_CDROM_SET_STREAMING=0)
 * and renamed to cdperf_ by the macros below, so that both sets live side by side. Then
 * every IOCTL code, enum value, enum size, structure size, member offset and member size
 * that both define must be equal. cdperf's header also asserts its own figures (DESIGN.md
 * section 4) and the layout of the SDK's SCSI_PASS_THROUGH, so those run against each SDK.
 * Where no SDK here has a structure, cdperf_ntddcdrm.h cites the independent public
 * definitions its figures agree with (ReactOS, Microsoft's reference pages).
 */
#if !defined(HC_SDK_MINGW) && !defined(HC_SDK_WINE)
#error "compile with -DHC_SDK_MINGW or -DHC_SDK_WINE (mk/windows.mk: check-win-headers)"
#endif

#include <stddef.h>
#include <windows.h>
#include <winioctl.h>
#include <ntddcdrm.h>
#include <ntddscsi.h>

/* The SDK is the one asked for (a wrong include path would compare an SDK with itself). */
#if defined(HC_SDK_MINGW) && !defined(__MINGW64_VERSION_MAJOR)
#error "HC_SDK_MINGW: these are not mingw-w64's headers"
#endif
#if defined(HC_SDK_WINE) && defined(__MINGW64_VERSION_MAJOR)
#error "HC_SDK_WINE: these are mingw-w64's headers, not Wine's"
#endif

#define HC_ASSERT(cond, what) _Static_assert(cond, what)

/* ---- the SDK's definitions, kept under sdk_ names ---------------------------------- */

/* IOCTL codes: the values first (each is built from IOCTL_CDROM_BASE), then the macros
 * go, so that cdperf's header defines its own. */
#ifdef IOCTL_CDROM_BASE
#define HC_SDK_IOCTL_CDROM_BASE 1
enum { sdk_IOCTL_CDROM_BASE = IOCTL_CDROM_BASE };
#endif
#ifdef IOCTL_CDROM_SET_SPEED
#define HC_SDK_SET_SPEED 1   /* with it: CDROM_SET_SPEED, CDROM_SPEED_REQUEST, WRITE_ROTATION */
enum { sdk_IOCTL_CDROM_SET_SPEED = IOCTL_CDROM_SET_SPEED };
#endif
#ifdef IOCTL_CDROM_GET_PERFORMANCE
#define HC_SDK_GET_PERFORMANCE 1   /* with it: its structures and CDROM_SET_STREAMING */
enum { sdk_IOCTL_CDROM_GET_PERFORMANCE = IOCTL_CDROM_GET_PERFORMANCE };
#endif
#undef IOCTL_CDROM_BASE
#undef IOCTL_CDROM_SET_SPEED
#undef IOCTL_CDROM_GET_PERFORMANCE

#ifdef HC_SDK_SET_SPEED
typedef CDROM_SPEED_REQUEST sdk_CDROM_SPEED_REQUEST;
typedef WRITE_ROTATION sdk_WRITE_ROTATION;
typedef CDROM_SET_SPEED sdk_CDROM_SET_SPEED;
enum {
  sdk_CdromSetSpeed = CdromSetSpeed,
  sdk_CdromSetStreaming = CdromSetStreaming,
  sdk_CdromDefaultRotation = CdromDefaultRotation,
  sdk_CdromCAVRotation = CdromCAVRotation
};
#endif

#ifdef HC_SDK_GET_PERFORMANCE
typedef CDROM_PERFORMANCE_REQUEST_TYPE sdk_CDROM_PERFORMANCE_REQUEST_TYPE;
typedef CDROM_PERFORMANCE_TYPE sdk_CDROM_PERFORMANCE_TYPE;
typedef CDROM_PERFORMANCE_EXCEPTION_TYPE sdk_CDROM_PERFORMANCE_EXCEPTION_TYPE;
typedef CDROM_PERFORMANCE_TOLERANCE_TYPE sdk_CDROM_PERFORMANCE_TOLERANCE_TYPE;
typedef CDROM_PERFORMANCE_REQUEST sdk_CDROM_PERFORMANCE_REQUEST;
typedef CDROM_WRITE_SPEED_REQUEST sdk_CDROM_WRITE_SPEED_REQUEST;
typedef CDROM_PERFORMANCE_HEADER sdk_CDROM_PERFORMANCE_HEADER;
typedef CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR sdk_CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR;
typedef CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR sdk_CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR;
typedef CDROM_WRITE_SPEED_DESCRIPTOR sdk_CDROM_WRITE_SPEED_DESCRIPTOR;
typedef CDROM_SET_STREAMING sdk_CDROM_SET_STREAMING;
enum {
  sdk_CdromPerformanceRequest = CdromPerformanceRequest,
  sdk_CdromWriteSpeedRequest = CdromWriteSpeedRequest,
  sdk_CdromReadPerformance = CdromReadPerformance,
  sdk_CdromWritePerformance = CdromWritePerformance,
  sdk_CdromNominalPerformance = CdromNominalPerformance,
  sdk_CdromEntirePerformanceList = CdromEntirePerformanceList,
  sdk_CdromPerformanceExceptionsOnly = CdromPerformanceExceptionsOnly,
  sdk_Cdrom10Nominal20Exceptions = Cdrom10Nominal20Exceptions
};
#endif

/* ---- cdperf's definitions, all of them, under cdperf_ names ------------------------ */

#define CDPERF_NEED_CDROM_SET_SPEED 1
#define CDPERF_HAVE_CDROM_SET_STREAMING 0

#define _CDROM_SPEED_REQUEST cdperf__CDROM_SPEED_REQUEST
#define CDROM_SPEED_REQUEST cdperf_CDROM_SPEED_REQUEST
#define PCDROM_SPEED_REQUEST cdperf_PCDROM_SPEED_REQUEST
#define _WRITE_ROTATION cdperf__WRITE_ROTATION
#define WRITE_ROTATION cdperf_WRITE_ROTATION
#define PWRITE_ROTATION cdperf_PWRITE_ROTATION
#define _CDROM_SET_SPEED cdperf__CDROM_SET_SPEED
#define CDROM_SET_SPEED cdperf_CDROM_SET_SPEED
#define PCDROM_SET_SPEED cdperf_PCDROM_SET_SPEED
#define _CDROM_SET_STREAMING cdperf__CDROM_SET_STREAMING
#define CDROM_SET_STREAMING cdperf_CDROM_SET_STREAMING
#define PCDROM_SET_STREAMING cdperf_PCDROM_SET_STREAMING
#define _CDROM_PERFORMANCE_REQUEST_TYPE cdperf__CDROM_PERFORMANCE_REQUEST_TYPE
#define CDROM_PERFORMANCE_REQUEST_TYPE cdperf_CDROM_PERFORMANCE_REQUEST_TYPE
#define PCDROM_PERFORMANCE_REQUEST_TYPE cdperf_PCDROM_PERFORMANCE_REQUEST_TYPE
#define _CDROM_PERFORMANCE_TYPE cdperf__CDROM_PERFORMANCE_TYPE
#define CDROM_PERFORMANCE_TYPE cdperf_CDROM_PERFORMANCE_TYPE
#define PCDROM_PERFORMANCE_TYPE cdperf_PCDROM_PERFORMANCE_TYPE
#define _CDROM_PERFORMANCE_EXCEPTION_TYPE cdperf__CDROM_PERFORMANCE_EXCEPTION_TYPE
#define CDROM_PERFORMANCE_EXCEPTION_TYPE cdperf_CDROM_PERFORMANCE_EXCEPTION_TYPE
#define PCDROM_PERFORMANCE_EXCEPTION_TYPE cdperf_PCDROM_PERFORMANCE_EXCEPTION_TYPE
#define _CDROM_PERFORMANCE_TOLERANCE_TYPE cdperf__CDROM_PERFORMANCE_TOLERANCE_TYPE
#define CDROM_PERFORMANCE_TOLERANCE_TYPE cdperf_CDROM_PERFORMANCE_TOLERANCE_TYPE
#define PCDROM_PERFORMANCE_TOLERANCE_TYPE cdperf_PCDROM_PERFORMANCE_TOLERANCE_TYPE
#define _CDROM_PERFORMANCE_REQUEST cdperf__CDROM_PERFORMANCE_REQUEST
#define CDROM_PERFORMANCE_REQUEST cdperf_CDROM_PERFORMANCE_REQUEST
#define PCDROM_PERFORMANCE_REQUEST cdperf_PCDROM_PERFORMANCE_REQUEST
#define _CDROM_WRITE_SPEED_REQUEST cdperf__CDROM_WRITE_SPEED_REQUEST
#define CDROM_WRITE_SPEED_REQUEST cdperf_CDROM_WRITE_SPEED_REQUEST
#define PCDROM_WRITE_SPEED_REQUEST cdperf_PCDROM_WRITE_SPEED_REQUEST
#define _CDROM_PERFORMANCE_HEADER cdperf__CDROM_PERFORMANCE_HEADER
#define CDROM_PERFORMANCE_HEADER cdperf_CDROM_PERFORMANCE_HEADER
#define PCDROM_PERFORMANCE_HEADER cdperf_PCDROM_PERFORMANCE_HEADER
#define _CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR cdperf__CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR
#define CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR cdperf_CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR
#define PCDROM_NOMINAL_PERFORMANCE_DESCRIPTOR cdperf_PCDROM_NOMINAL_PERFORMANCE_DESCRIPTOR
#define _CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR cdperf__CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR
#define CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR cdperf_CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR
#define PCDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR cdperf_PCDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR
#define _CDROM_WRITE_SPEED_DESCRIPTOR cdperf__CDROM_WRITE_SPEED_DESCRIPTOR
#define CDROM_WRITE_SPEED_DESCRIPTOR cdperf_CDROM_WRITE_SPEED_DESCRIPTOR
#define PCDROM_WRITE_SPEED_DESCRIPTOR cdperf_PCDROM_WRITE_SPEED_DESCRIPTOR
#define CdromSetSpeed cdperf_CdromSetSpeed
#define CdromSetStreaming cdperf_CdromSetStreaming
#define CdromDefaultRotation cdperf_CdromDefaultRotation
#define CdromCAVRotation cdperf_CdromCAVRotation
#define CdromPerformanceRequest cdperf_CdromPerformanceRequest
#define CdromWriteSpeedRequest cdperf_CdromWriteSpeedRequest
#define CdromReadPerformance cdperf_CdromReadPerformance
#define CdromWritePerformance cdperf_CdromWritePerformance
#define CdromNominalPerformance cdperf_CdromNominalPerformance
#define CdromEntirePerformanceList cdperf_CdromEntirePerformanceList
#define CdromPerformanceExceptionsOnly cdperf_CdromPerformanceExceptionsOnly
#define Cdrom10Nominal20Exceptions cdperf_Cdrom10Nominal20Exceptions

#include "cdperf_ntddcdrm.h"

/* ---- side by side ------------------------------------------------------------------ */

#define HC_MEMBER_SIZE(T, m) sizeof(((T *)0)->m)
/* A member both define: the same offset and the same size. */
#define HC_SAME_MEMBER(S, C, m)                                                     \
  HC_ASSERT(offsetof(S, m) == offsetof(C, m), #C "." #m ": the SDK's offset differs"); \
  HC_ASSERT(HC_MEMBER_SIZE(S, m) == HC_MEMBER_SIZE(C, m), #C "." #m ": the SDK's size differs")
#define HC_SAME_SIZE(S, C) HC_ASSERT(sizeof(S) == sizeof(C), #C ": the SDK's size differs")
#define HC_SAME_VALUE(s, c) HC_ASSERT((long)(s) == (long)(c), #c ": the SDK's value differs")

#ifdef HC_SDK_IOCTL_CDROM_BASE
HC_SAME_VALUE(sdk_IOCTL_CDROM_BASE, IOCTL_CDROM_BASE);
#endif
#ifdef HC_SDK_SET_SPEED
HC_SAME_VALUE(sdk_IOCTL_CDROM_SET_SPEED, IOCTL_CDROM_SET_SPEED);
HC_SAME_VALUE(sdk_CdromSetSpeed, CdromSetSpeed);
HC_SAME_VALUE(sdk_CdromSetStreaming, CdromSetStreaming);
HC_SAME_VALUE(sdk_CdromDefaultRotation, CdromDefaultRotation);
HC_SAME_VALUE(sdk_CdromCAVRotation, CdromCAVRotation);
HC_SAME_SIZE(sdk_CDROM_SPEED_REQUEST, CDROM_SPEED_REQUEST);
HC_SAME_SIZE(sdk_WRITE_ROTATION, WRITE_ROTATION);
HC_SAME_SIZE(sdk_CDROM_SET_SPEED, CDROM_SET_SPEED);
HC_SAME_MEMBER(sdk_CDROM_SET_SPEED, CDROM_SET_SPEED, RequestType);
HC_SAME_MEMBER(sdk_CDROM_SET_SPEED, CDROM_SET_SPEED, ReadSpeed);
HC_SAME_MEMBER(sdk_CDROM_SET_SPEED, CDROM_SET_SPEED, WriteSpeed);
HC_SAME_MEMBER(sdk_CDROM_SET_SPEED, CDROM_SET_SPEED, RotationControl);
#endif
#ifdef HC_SDK_GET_PERFORMANCE
HC_SAME_VALUE(sdk_IOCTL_CDROM_GET_PERFORMANCE, IOCTL_CDROM_GET_PERFORMANCE);
HC_SAME_VALUE(sdk_CdromPerformanceRequest, CdromPerformanceRequest);
HC_SAME_VALUE(sdk_CdromWriteSpeedRequest, CdromWriteSpeedRequest);
HC_SAME_VALUE(sdk_CdromReadPerformance, CdromReadPerformance);
HC_SAME_VALUE(sdk_CdromWritePerformance, CdromWritePerformance);
HC_SAME_VALUE(sdk_CdromNominalPerformance, CdromNominalPerformance);
HC_SAME_VALUE(sdk_CdromEntirePerformanceList, CdromEntirePerformanceList);
HC_SAME_VALUE(sdk_CdromPerformanceExceptionsOnly, CdromPerformanceExceptionsOnly);
HC_SAME_VALUE(sdk_Cdrom10Nominal20Exceptions, Cdrom10Nominal20Exceptions);
HC_SAME_SIZE(sdk_CDROM_PERFORMANCE_REQUEST_TYPE, CDROM_PERFORMANCE_REQUEST_TYPE);
HC_SAME_SIZE(sdk_CDROM_PERFORMANCE_TYPE, CDROM_PERFORMANCE_TYPE);
HC_SAME_SIZE(sdk_CDROM_PERFORMANCE_EXCEPTION_TYPE, CDROM_PERFORMANCE_EXCEPTION_TYPE);
HC_SAME_SIZE(sdk_CDROM_PERFORMANCE_TOLERANCE_TYPE, CDROM_PERFORMANCE_TOLERANCE_TYPE);
HC_SAME_SIZE(sdk_CDROM_PERFORMANCE_REQUEST, CDROM_PERFORMANCE_REQUEST);
HC_SAME_MEMBER(sdk_CDROM_PERFORMANCE_REQUEST, CDROM_PERFORMANCE_REQUEST, RequestType);
HC_SAME_MEMBER(sdk_CDROM_PERFORMANCE_REQUEST, CDROM_PERFORMANCE_REQUEST, PerformanceType);
HC_SAME_MEMBER(sdk_CDROM_PERFORMANCE_REQUEST, CDROM_PERFORMANCE_REQUEST, Exceptions);
HC_SAME_MEMBER(sdk_CDROM_PERFORMANCE_REQUEST, CDROM_PERFORMANCE_REQUEST, Tolerance);
HC_SAME_MEMBER(sdk_CDROM_PERFORMANCE_REQUEST, CDROM_PERFORMANCE_REQUEST, StaringLba);
HC_SAME_SIZE(sdk_CDROM_WRITE_SPEED_REQUEST, CDROM_WRITE_SPEED_REQUEST);
HC_SAME_MEMBER(sdk_CDROM_WRITE_SPEED_REQUEST, CDROM_WRITE_SPEED_REQUEST, RequestType);
/* The headers' bit-fields have no offset to compare; their bytes are the sizes' business. */
HC_SAME_SIZE(sdk_CDROM_PERFORMANCE_HEADER, CDROM_PERFORMANCE_HEADER);
HC_SAME_MEMBER(sdk_CDROM_PERFORMANCE_HEADER, CDROM_PERFORMANCE_HEADER, DataLength);
HC_SAME_MEMBER(sdk_CDROM_PERFORMANCE_HEADER, CDROM_PERFORMANCE_HEADER, Reserved2);
HC_SAME_SIZE(sdk_CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR, CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR);
HC_SAME_MEMBER(sdk_CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR, CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR,
               StartLba);
HC_SAME_MEMBER(sdk_CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR, CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR,
               StartPerformance);
HC_SAME_MEMBER(sdk_CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR, CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR,
               EndLba);
HC_SAME_MEMBER(sdk_CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR, CDROM_NOMINAL_PERFORMANCE_DESCRIPTOR,
               EndPerformance);
HC_SAME_SIZE(sdk_CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR, CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR);
HC_SAME_MEMBER(sdk_CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR, CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR,
               Lba);
HC_SAME_MEMBER(sdk_CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR, CDROM_EXCEPTION_PERFORMANCE_DESCRIPTOR,
               Time);
HC_SAME_SIZE(sdk_CDROM_WRITE_SPEED_DESCRIPTOR, CDROM_WRITE_SPEED_DESCRIPTOR);
HC_SAME_MEMBER(sdk_CDROM_WRITE_SPEED_DESCRIPTOR, CDROM_WRITE_SPEED_DESCRIPTOR, Reserved3);
HC_SAME_MEMBER(sdk_CDROM_WRITE_SPEED_DESCRIPTOR, CDROM_WRITE_SPEED_DESCRIPTOR, EndLba);
HC_SAME_MEMBER(sdk_CDROM_WRITE_SPEED_DESCRIPTOR, CDROM_WRITE_SPEED_DESCRIPTOR, ReadSpeed);
HC_SAME_MEMBER(sdk_CDROM_WRITE_SPEED_DESCRIPTOR, CDROM_WRITE_SPEED_DESCRIPTOR, WriteSpeed);
HC_SAME_SIZE(sdk_CDROM_SET_STREAMING, CDROM_SET_STREAMING);
HC_SAME_MEMBER(sdk_CDROM_SET_STREAMING, CDROM_SET_STREAMING, RequestType);
HC_SAME_MEMBER(sdk_CDROM_SET_STREAMING, CDROM_SET_STREAMING, ReadSize);
HC_SAME_MEMBER(sdk_CDROM_SET_STREAMING, CDROM_SET_STREAMING, ReadTime);
HC_SAME_MEMBER(sdk_CDROM_SET_STREAMING, CDROM_SET_STREAMING, WriteSize);
HC_SAME_MEMBER(sdk_CDROM_SET_STREAMING, CDROM_SET_STREAMING, WriteTime);
HC_SAME_MEMBER(sdk_CDROM_SET_STREAMING, CDROM_SET_STREAMING, StartLba);
HC_SAME_MEMBER(sdk_CDROM_SET_STREAMING, CDROM_SET_STREAMING, EndLba);
HC_SAME_MEMBER(sdk_CDROM_SET_STREAMING, CDROM_SET_STREAMING, RotationControl);
HC_SAME_MEMBER(sdk_CDROM_SET_STREAMING, CDROM_SET_STREAMING, RestoreDefaults);
HC_SAME_MEMBER(sdk_CDROM_SET_STREAMING, CDROM_SET_STREAMING, SetExact);
HC_SAME_MEMBER(sdk_CDROM_SET_STREAMING, CDROM_SET_STREAMING, RandomAccess);
HC_SAME_MEMBER(sdk_CDROM_SET_STREAMING, CDROM_SET_STREAMING, Persistent);
#endif

/* ---- SCSI pass-through ------------------------------------------------------------- */

/* cdperf keeps no copy of <ntddscsi.h>: its header asserts the SDK's SCSI_PASS_THROUGH
 * against Microsoft's figures (so against each SDK here). What it does not: the members'
 * sizes, the _DIRECT variant (member for member the same layout, a PVOID where the
 * buffered one has a ULONG_PTR offset) and the IOCTL codes built from IOCTL_SCSI_BASE. */
HC_ASSERT(IOCTL_SCSI_BASE == FILE_DEVICE_CONTROLLER && FILE_DEVICE_CONTROLLER == 4,
          "IOCTL_SCSI_BASE is FILE_DEVICE_CONTROLLER (4)");
HC_ASSERT(IOCTL_SCSI_PASS_THROUGH_DIRECT == 0x0004D014, "IOCTL_SCSI_PASS_THROUGH_DIRECT is 0x0004D014");
HC_ASSERT(HC_MEMBER_SIZE(SCSI_PASS_THROUGH, Length) == 2, "SCSI_PASS_THROUGH.Length is a USHORT");
HC_ASSERT(HC_MEMBER_SIZE(SCSI_PASS_THROUGH, ScsiStatus) == 1 &&
          HC_MEMBER_SIZE(SCSI_PASS_THROUGH, PathId) == 1 &&
          HC_MEMBER_SIZE(SCSI_PASS_THROUGH, TargetId) == 1 &&
          HC_MEMBER_SIZE(SCSI_PASS_THROUGH, Lun) == 1 &&
          HC_MEMBER_SIZE(SCSI_PASS_THROUGH, CdbLength) == 1 &&
          HC_MEMBER_SIZE(SCSI_PASS_THROUGH, SenseInfoLength) == 1 &&
          HC_MEMBER_SIZE(SCSI_PASS_THROUGH, DataIn) == 1,
          "SCSI_PASS_THROUGH: ScsiStatus .. DataIn are UCHARs");
HC_ASSERT(HC_MEMBER_SIZE(SCSI_PASS_THROUGH, DataTransferLength) == 4 &&
          HC_MEMBER_SIZE(SCSI_PASS_THROUGH, TimeOutValue) == 4 &&
          HC_MEMBER_SIZE(SCSI_PASS_THROUGH, SenseInfoOffset) == 4,
          "SCSI_PASS_THROUGH: DataTransferLength, TimeOutValue, SenseInfoOffset are ULONGs");
HC_ASSERT(HC_MEMBER_SIZE(SCSI_PASS_THROUGH, DataBufferOffset) == sizeof(void *),
          "SCSI_PASS_THROUGH.DataBufferOffset is a ULONG_PTR");
HC_ASSERT(sizeof(SCSI_PASS_THROUGH_DIRECT) == sizeof(SCSI_PASS_THROUGH),
          "SCSI_PASS_THROUGH_DIRECT is as big as SCSI_PASS_THROUGH");
HC_SAME_MEMBER(SCSI_PASS_THROUGH, SCSI_PASS_THROUGH_DIRECT, Length);
HC_SAME_MEMBER(SCSI_PASS_THROUGH, SCSI_PASS_THROUGH_DIRECT, ScsiStatus);
HC_SAME_MEMBER(SCSI_PASS_THROUGH, SCSI_PASS_THROUGH_DIRECT, PathId);
HC_SAME_MEMBER(SCSI_PASS_THROUGH, SCSI_PASS_THROUGH_DIRECT, TargetId);
HC_SAME_MEMBER(SCSI_PASS_THROUGH, SCSI_PASS_THROUGH_DIRECT, Lun);
HC_SAME_MEMBER(SCSI_PASS_THROUGH, SCSI_PASS_THROUGH_DIRECT, CdbLength);
HC_SAME_MEMBER(SCSI_PASS_THROUGH, SCSI_PASS_THROUGH_DIRECT, SenseInfoLength);
HC_SAME_MEMBER(SCSI_PASS_THROUGH, SCSI_PASS_THROUGH_DIRECT, DataIn);
HC_SAME_MEMBER(SCSI_PASS_THROUGH, SCSI_PASS_THROUGH_DIRECT, DataTransferLength);
HC_SAME_MEMBER(SCSI_PASS_THROUGH, SCSI_PASS_THROUGH_DIRECT, TimeOutValue);
HC_SAME_MEMBER(SCSI_PASS_THROUGH, SCSI_PASS_THROUGH_DIRECT, SenseInfoOffset);
HC_SAME_MEMBER(SCSI_PASS_THROUGH, SCSI_PASS_THROUGH_DIRECT, Cdb);
HC_ASSERT(offsetof(SCSI_PASS_THROUGH_DIRECT, DataBuffer) ==
              offsetof(SCSI_PASS_THROUGH, DataBufferOffset) &&
          HC_MEMBER_SIZE(SCSI_PASS_THROUGH_DIRECT, DataBuffer) == sizeof(void *),
          "SCSI_PASS_THROUGH_DIRECT.DataBuffer sits where DataBufferOffset does");

/* What the SDKs lack, cdperf defined: the SDK named which parts of this file ran. */
#if defined(HC_SDK_MINGW) && !defined(HC_SDK_SET_SPEED)
#error "mingw-w64's ntddcdrm.h lost IOCTL_CDROM_SET_SPEED: nothing of CDROM_SET_SPEED compared"
#endif
#if !defined(HC_SDK_IOCTL_CDROM_BASE)
#error "the SDK's ntddcdrm.h has no IOCTL_CDROM_BASE: nothing compared"
#endif

/* ISO C wants a declaration in a translation unit. */
extern int cdperf_header_check;

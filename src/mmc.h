/*
 * mmc.h - the MMC wire format: CDB builders and response decoders.
 * No Lua, no OS calls. Every decoder is a pure function of (bytes, length).
 */
#ifndef CDPERF_MMC_H
#define CDPERF_MMC_H

#include <stddef.h>
#include <stdint.h>

#include "hidden.h"

CDPERF_HIDDEN_BEGIN

/* Windows enum values of CDROM_PERFORMANCE_REQUEST and friends. */
enum { MMC_REQ_PERFORMANCE = 1, MMC_REQ_WRITE_SPEED = 2 };
enum { MMC_PERF_READ = 1, MMC_PERF_WRITE = 2 };
enum { MMC_EXC_NOMINAL = 1, MMC_EXC_ENTIRE = 2, MMC_EXC_ONLY = 3 };
enum { MMC_TOL_10_20 = 1 };

enum {
  MMC_OP_TEST_UNIT_READY = 0x00,
  MMC_OP_REQUEST_SENSE = 0x03,
  MMC_OP_INQUIRY = 0x12,
  MMC_OP_GET_CONFIGURATION = 0x46,
  MMC_OP_MODE_SENSE10 = 0x5A,
  MMC_OP_GET_PERFORMANCE = 0xAC,
  MMC_OP_SET_STREAMING = 0xB6,
  MMC_OP_SET_CD_SPEED = 0xBB
};

#define MMC_PERF_HEADER_LEN 8
#define MMC_NOMINAL_LEN 16
#define MMC_EXCEPTION_LEN 6
#define MMC_WRITE_SPEED_LEN 16
#define MMC_MAX_TRANSFER 65535u   /* the Windows driver's output buffer limit */
#define MMC_FIRST_DESCRIPTORS 64  /* the first GET PERFORMANCE asks for this many */
#define MMC_STREAMING_LEN 28
#define MMC_INQUIRY_LEN 36
#define MMC_CONFIG_HEADER_LEN 8
#define MMC_PAGE_2A_ALLOC 512
#define MMC_SENSE_LEN 32
#define MMC_MAX_SPEED_ENTRIES 64

struct mmc_perf_request {
  int request_type;       /* MMC_REQ_* */
  int performance_type;   /* MMC_PERF_* */
  int exceptions;         /* MMC_EXC_* */
  int tolerance;          /* MMC_TOL_10_20 */
  uint32_t starting_lba;
};

/* The field the Windows driver would reject (NULL when valid). */
const char *mmc_perf_request_invalid_field(const struct mmc_perf_request *r);
/* 16 for nominal and write-speed descriptors, 6 for exceptions only. */
size_t mmc_perf_descriptor_size(const struct mmc_perf_request *r);
/* Most descriptors that fit in MMC_MAX_TRANSFER bytes. */
unsigned mmc_perf_max_descriptors(const struct mmc_perf_request *r);
void mmc_build_get_performance(uint8_t cdb[12], const struct mmc_perf_request *r,
                               unsigned max_descriptors);

enum mmc_desc_kind { MMC_DESC_NOMINAL, MMC_DESC_EXCEPTION, MMC_DESC_WRITE_SPEED };

struct mmc_perf_layout {
  uint32_t data_length;   /* header bytes 0-3 as sent */
  int except, write;      /* header byte 4 bits 0 and 1 */
  enum mmc_desc_kind kind;
  size_t desc_size;
  size_t used;            /* min(received, data_length + 4) */
  size_t count;           /* whole descriptors inside used */
  uint64_t claimed;       /* descriptors the header claims exist */
  int truncated;          /* header claims more than arrived, or a descriptor is cut */
};

enum mmc_parse_result {
  MMC_PARSE_OK = 0,
  MMC_PARSE_SHORT,           /* fewer than 8 bytes: no header */
  MMC_PARSE_EXCEPT_ON_NOMINAL,   /* nominal request answered with exception descriptors */
  MMC_PARSE_NOMINAL_ON_EXCEPTIONS /* exceptions-only request answered with nominal ones */
};

enum mmc_parse_result mmc_perf_parse(const uint8_t *buf, size_t len,
                                     const struct mmc_perf_request *r,
                                     struct mmc_perf_layout *out);
const char *mmc_parse_message(enum mmc_parse_result res);

struct mmc_nominal { uint32_t start_lba, start_performance, end_lba, end_performance; };
struct mmc_exception { uint32_t lba; uint16_t time; };
struct mmc_write_speed {
  int mrw, exact, rdd, wrc;
  uint32_t end_lba, read_speed, write_speed;
};

/* Descriptor i of a parsed response; 0 when it lies outside buf[0..len). */
int mmc_decode_nominal(const uint8_t *buf, size_t len, size_t i, struct mmc_nominal *d);
int mmc_decode_exception(const uint8_t *buf, size_t len, size_t i, struct mmc_exception *d);
int mmc_decode_write_speed(const uint8_t *buf, size_t len, size_t i, struct mmc_write_speed *d);

/* INQUIRY */
struct mmc_inquiry {
  int peripheral_type, peripheral_qualifier;
  char vendor[9], product[17], revision[5];   /* trailing spaces removed */
};
void mmc_build_inquiry(uint8_t cdb[6], unsigned alloc);
int mmc_decode_inquiry(const uint8_t *buf, size_t len, struct mmc_inquiry *out);

/* GET CONFIGURATION: current profile only */
void mmc_build_get_configuration(uint8_t cdb[10], unsigned alloc);
int mmc_decode_current_profile(const uint8_t *buf, size_t len, unsigned *profile);

/* MODE SENSE(10) page 2Ah */
struct mmc_speed_entry { unsigned speed; int rotation; };
struct mmc_capabilities {
  unsigned max_read_speed, current_read_speed, max_write_speed;
  unsigned current_write_speed;          /* @20 (obsolete in MMC-3) */
  unsigned current_write_speed_selected; /* @28 (MMC-3) */
  int has_max_write, has_current_write;  /* page long enough for @18, @20 */
  int has_selected;                      /* page long enough for @28 */
  int has_copy_management;               /* page long enough for @22 */
  unsigned copy_management_revision;     /* @22 (MMC-3 Copy Management Revision Supported) */
  unsigned buffer_size_kb;
  int rotation_control;                  /* @27 bits 0-1, when has_selected */
  size_t page_offset, page_length;       /* where page 2Ah starts, its length byte + 2 */
  unsigned claimed_speeds;               /* count @30 */
  size_t n_speeds;                       /* entries that fit in the page and the buffer */
  int truncated;
  struct mmc_speed_entry speeds[MMC_MAX_SPEED_ENTRIES];
};
enum mmc_page_result { MMC_PAGE_OK = 0, MMC_PAGE_SHORT, MMC_PAGE_WRONG_PAGE };
void mmc_build_mode_sense_2a(uint8_t cdb[10], unsigned alloc);
enum mmc_page_result mmc_decode_page_2a(const uint8_t *buf, size_t len,
                                        struct mmc_capabilities *out);

/* SET CD SPEED; 0xFFFF = maximum */
void mmc_build_set_cd_speed(uint8_t cdb[12], unsigned read_speed, unsigned write_speed,
                            int rotation);

/* SET STREAMING */
struct mmc_streaming {
  uint32_t start_lba, end_lba, read_size, read_time, write_size, write_time;
  int rotation, restore_defaults, exact, random_access;
};
void mmc_build_set_streaming(uint8_t cdb[12], uint8_t param[MMC_STREAMING_LEN],
                             const struct mmc_streaming *s);

void mmc_build_test_unit_ready(uint8_t cdb[6]);
void mmc_build_request_sense(uint8_t cdb[6], unsigned alloc);

/* Sense data, fixed (70h/71h) and descriptor (72h/73h) formats */
struct mmc_sense {
  int valid;            /* a response code this decoder knows */
  int response_code, deferred, descriptor_format;
  int key, asc, ascq;
  int has_asc;          /* the sense data reached ASC/ASCQ (else both read 0) */
  int information_valid;
  uint32_t information;
};
int mmc_decode_sense(const uint8_t *buf, size_t len, struct mmc_sense *out);

/* Big-endian helpers: explicit shifts, never overlays. */
uint32_t mmc_be32(const uint8_t *p);
uint16_t mmc_be16(const uint8_t *p);
void mmc_put_be32(uint8_t *p, uint32_t v);
void mmc_put_be16(uint8_t *p, uint16_t v);

CDPERF_HIDDEN_END

#endif

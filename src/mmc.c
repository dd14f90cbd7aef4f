/*
 * mmc.c - CDB builders and response decoders for the MMC commands cdperf
 * sends. Pure functions of their arguments: no Lua, no OS calls, every read
 * from a response bounds-checked against its length.
 */
#include <string.h>

#include "mmc.h"

uint32_t mmc_be32(const uint8_t *p)
{
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

uint16_t mmc_be16(const uint8_t *p)
{
  return (uint16_t)(((unsigned)p[0] << 8) | (unsigned)p[1]);
}

void mmc_put_be32(uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

void mmc_put_be16(uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

/* ---- GET PERFORMANCE ---------------------------------------------------- */

/* The Windows sample driver's checks, in its order. */
const char *mmc_perf_request_invalid_field(const struct mmc_perf_request *r)
{
  if (r->request_type != MMC_REQ_PERFORMANCE && r->request_type != MMC_REQ_WRITE_SPEED)
    return "request_type";
  if (r->request_type == MMC_REQ_WRITE_SPEED)
    return NULL;
  if (r->performance_type < MMC_PERF_READ || r->performance_type > MMC_PERF_WRITE)
    return "performance_type";
  if (r->exceptions < MMC_EXC_NOMINAL || r->exceptions > MMC_EXC_ONLY)
    return "exceptions";
  if (r->tolerance != MMC_TOL_10_20)
    return "tolerance";
  return NULL;
}

size_t mmc_perf_descriptor_size(const struct mmc_perf_request *r)
{
  if (r->request_type == MMC_REQ_PERFORMANCE && r->exceptions == MMC_EXC_ONLY)
    return MMC_EXCEPTION_LEN;
  return MMC_NOMINAL_LEN;
}

unsigned mmc_perf_max_descriptors(const struct mmc_perf_request *r)
{
  return (unsigned)((MMC_MAX_TRANSFER - MMC_PERF_HEADER_LEN) / mmc_perf_descriptor_size(r));
}

void mmc_build_get_performance(uint8_t cdb[12], const struct mmc_perf_request *r,
                               unsigned max_descriptors)
{
  memset(cdb, 0, 12);
  cdb[0] = MMC_OP_GET_PERFORMANCE;
  if (max_descriptors > 0xFFFFu)
    max_descriptors = 0xFFFFu;
  mmc_put_be16(cdb + 8, (uint16_t)max_descriptors);
  if (r->request_type == MMC_REQ_WRITE_SPEED) {
    cdb[10] = 0x03;
    return;
  }
  cdb[1] = 0x10; /* tolerance 10b: 10% nominal, 20% exceptions */
  if (r->performance_type == MMC_PERF_WRITE)
    cdb[1] |= 0x04;
  cdb[1] |= (uint8_t)((r->exceptions - 1) & 0x03);
  mmc_put_be32(cdb + 2, r->starting_lba);
}

enum mmc_parse_result mmc_perf_parse(const uint8_t *buf, size_t len,
                                     const struct mmc_perf_request *r,
                                     struct mmc_perf_layout *out)
{
  uint64_t claimed_total;

  memset(out, 0, sizeof *out);
  if (buf == NULL || len < MMC_PERF_HEADER_LEN)
    return MMC_PARSE_SHORT;
  out->data_length = mmc_be32(buf);
  out->except = buf[4] & 0x01;
  out->write = (buf[4] >> 1) & 0x01;

  if (r->request_type == MMC_REQ_WRITE_SPEED) {
    out->kind = MMC_DESC_WRITE_SPEED;
    out->desc_size = MMC_WRITE_SPEED_LEN;
  } else if (out->except) {
    out->kind = MMC_DESC_EXCEPTION;
    out->desc_size = MMC_EXCEPTION_LEN;
  } else {
    out->kind = MMC_DESC_NOMINAL;
    out->desc_size = MMC_NOMINAL_LEN;
  }

  claimed_total = (uint64_t)out->data_length + 4u;
  out->used = claimed_total < (uint64_t)len ? (size_t)claimed_total : len;
  if (out->used < MMC_PERF_HEADER_LEN)
    out->used = MMC_PERF_HEADER_LEN;
  out->count = (out->used - MMC_PERF_HEADER_LEN) / out->desc_size;
  out->claimed = claimed_total > MMC_PERF_HEADER_LEN
                     ? (claimed_total - MMC_PERF_HEADER_LEN) / out->desc_size
                     : 0;
  if (claimed_total > (uint64_t)len ||
      (out->used - MMC_PERF_HEADER_LEN) % out->desc_size != 0)
    out->truncated = 1;

  if (r->request_type == MMC_REQ_PERFORMANCE) {
    if (r->exceptions == MMC_EXC_NOMINAL && out->except)
      return MMC_PARSE_EXCEPT_ON_NOMINAL;
    if (r->exceptions == MMC_EXC_ONLY && !out->except && out->count > 0)
      return MMC_PARSE_NOMINAL_ON_EXCEPTIONS;
  }
  return MMC_PARSE_OK;
}

const char *mmc_parse_message(enum mmc_parse_result res)
{
  switch (res) {
  case MMC_PARSE_OK: return "ok";
  case MMC_PARSE_SHORT: return "response shorter than the 8-byte performance header";
  case MMC_PARSE_EXCEPT_ON_NOMINAL:
    return "drive answered a nominal performance request with exception descriptors "
           "(Except bit set)";
  case MMC_PARSE_NOMINAL_ON_EXCEPTIONS:
    return "drive answered an exceptions-only request with nominal descriptors "
           "(Except bit clear)";
  }
  return "unknown parse result";
}

/* Start of descriptor i of size sz, or NULL when it does not fit in len. */
static const uint8_t *mmc_descriptor_at(const uint8_t *buf, size_t len, size_t i, size_t sz)
{
  size_t max;
  if (buf == NULL || len < MMC_PERF_HEADER_LEN)
    return NULL;
  max = (len - MMC_PERF_HEADER_LEN) / sz;
  if (i >= max)
    return NULL;
  return buf + MMC_PERF_HEADER_LEN + i * sz;
}

int mmc_decode_nominal(const uint8_t *buf, size_t len, size_t i, struct mmc_nominal *d)
{
  const uint8_t *p = mmc_descriptor_at(buf, len, i, MMC_NOMINAL_LEN);
  if (p == NULL)
    return 0;
  d->start_lba = mmc_be32(p);
  d->start_performance = mmc_be32(p + 4);
  d->end_lba = mmc_be32(p + 8);
  d->end_performance = mmc_be32(p + 12);
  return 1;
}

int mmc_decode_exception(const uint8_t *buf, size_t len, size_t i, struct mmc_exception *d)
{
  const uint8_t *p = mmc_descriptor_at(buf, len, i, MMC_EXCEPTION_LEN);
  if (p == NULL)
    return 0;
  d->lba = mmc_be32(p);
  d->time = mmc_be16(p + 4);
  return 1;
}

int mmc_decode_write_speed(const uint8_t *buf, size_t len, size_t i,
                           struct mmc_write_speed *d)
{
  const uint8_t *p = mmc_descriptor_at(buf, len, i, MMC_WRITE_SPEED_LEN);
  if (p == NULL)
    return 0;
  d->mrw = p[0] & 0x01;
  d->exact = (p[0] >> 1) & 0x01;
  d->rdd = (p[0] >> 2) & 0x01;
  d->wrc = (p[0] >> 3) & 0x03;
  d->end_lba = mmc_be32(p + 4);
  d->read_speed = mmc_be32(p + 8);
  d->write_speed = mmc_be32(p + 12);
  return 1;
}

/* ---- INQUIRY -------------------------------------------------------------- */

void mmc_build_inquiry(uint8_t cdb[6], unsigned alloc)
{
  memset(cdb, 0, 6);
  cdb[0] = MMC_OP_INQUIRY;
  mmc_put_be16(cdb + 3, (uint16_t)(alloc > 0xFFFFu ? 0xFFFFu : alloc));
}

/* Copy a space-padded ASCII field, dropping trailing blanks and NULs and
 * replacing unprintable bytes, so garbage never reaches a Lua string. */
static void mmc_copy_ascii(char *dst, const uint8_t *src, size_t n)
{
  size_t i, end = 0;
  for (i = 0; i < n; i++) {
    uint8_t c = src[i];
    dst[i] = (c >= 0x20 && c < 0x7F) ? (char)c : '?';
    if (c != ' ' && c != 0)
      end = i + 1;
  }
  dst[end] = '\0';
}

int mmc_decode_inquiry(const uint8_t *buf, size_t len, struct mmc_inquiry *out)
{
  uint8_t pad[MMC_INQUIRY_LEN];
  memset(out, 0, sizeof *out);
  if (buf == NULL || len < 5)
    return 0;
  /* Short answers (old drives, bridges) leave the missing text blank. */
  memset(pad, ' ', sizeof pad);
  memcpy(pad, buf, len < sizeof pad ? len : sizeof pad);
  out->peripheral_type = pad[0] & 0x1F;
  out->peripheral_qualifier = (pad[0] >> 5) & 0x07;
  mmc_copy_ascii(out->vendor, pad + 8, 8);
  mmc_copy_ascii(out->product, pad + 16, 16);
  mmc_copy_ascii(out->revision, pad + 32, 4);
  return 1;
}

/* ---- GET CONFIGURATION ------------------------------------------------------ */

void mmc_build_get_configuration(uint8_t cdb[10], unsigned alloc)
{
  memset(cdb, 0, 10);
  cdb[0] = MMC_OP_GET_CONFIGURATION;
  cdb[1] = 0x01; /* RT 01b: current features only, from starting feature 0 */
  mmc_put_be16(cdb + 7, (uint16_t)(alloc > 0xFFFFu ? 0xFFFFu : alloc));
}

int mmc_decode_current_profile(const uint8_t *buf, size_t len, unsigned *profile)
{
  if (buf == NULL || len < MMC_CONFIG_HEADER_LEN)
    return 0;
  *profile = mmc_be16(buf + 6);
  return 1;
}

/* ---- MODE SENSE(10) page 2Ah ---------------------------------------------------- */

void mmc_build_mode_sense_2a(uint8_t cdb[10], unsigned alloc)
{
  memset(cdb, 0, 10);
  cdb[0] = MMC_OP_MODE_SENSE10;
  cdb[1] = 0x08; /* DBD */
  cdb[2] = 0x2A; /* current values, page 2Ah */
  mmc_put_be16(cdb + 7, (uint16_t)(alloc > 0xFFFFu ? 0xFFFFu : alloc));
}

enum mmc_page_result mmc_decode_page_2a(const uint8_t *buf, size_t len,
                                        struct mmc_capabilities *out)
{
  size_t total, off, plen, end, i;
  const uint8_t *p;

  memset(out, 0, sizeof *out);
  if (buf == NULL || len < 8)
    return MMC_PAGE_SHORT;
  /* Mode data length counts the bytes after itself; trust what arrived. */
  total = (size_t)mmc_be16(buf) + 2;
  if (total > len) {
    total = len;
    out->truncated = 1;
  }
  /* Block descriptors may come despite DBD. */
  off = 8 + (size_t)mmc_be16(buf + 6);
  if (off + 2 > total)
    return MMC_PAGE_SHORT;
  p = buf + off;
  out->page_offset = off; /* also for WRONG_PAGE: the message names the page found */
  if ((p[0] & 0x3F) != 0x2A)
    return MMC_PAGE_WRONG_PAGE;
  plen = (size_t)p[1] + 2;
  end = total - off;
  if (plen > end) {
    plen = end;
    out->truncated = 1;
  }
  out->page_length = plen;
  if (plen < 16)
    return MMC_PAGE_SHORT; /* not even the MMC-1 fields */
  out->max_read_speed = mmc_be16(p + 8);
  out->buffer_size_kb = mmc_be16(p + 12);
  out->current_read_speed = mmc_be16(p + 14);
  if (plen >= 20) {
    out->has_max_write = 1;
    out->max_write_speed = mmc_be16(p + 18);
  }
  if (plen >= 22) {
    out->has_current_write = 1;
    out->current_write_speed = mmc_be16(p + 20);
  }
  if (plen >= 24) {
    out->has_copy_management = 1;
    out->copy_management_revision = mmc_be16(p + 22);
  }
  if (plen >= 32) {
    out->has_selected = 1;
    out->rotation_control = p[27] & 0x03;
    out->current_write_speed_selected = mmc_be16(p + 28);
    out->claimed_speeds = mmc_be16(p + 30);
    for (i = 0; i < out->claimed_speeds; i++) {
      size_t at = 32 + i * 4;
      if (at + 4 > plen || i >= MMC_MAX_SPEED_ENTRIES) {
        out->truncated = 1;
        break;
      }
      out->speeds[i].rotation = p[at + 1] & 0x03;
      out->speeds[i].speed = mmc_be16(p + at + 2);
      out->n_speeds = i + 1;
    }
  }
  return MMC_PAGE_OK;
}

/* ---- SET CD SPEED, SET STREAMING, small commands ------------------------------ */

void mmc_build_set_cd_speed(uint8_t cdb[12], unsigned read_speed, unsigned write_speed,
                            int rotation)
{
  memset(cdb, 0, 12);
  cdb[0] = MMC_OP_SET_CD_SPEED;
  cdb[1] = (uint8_t)(rotation & 0x03);
  mmc_put_be16(cdb + 2, (uint16_t)(read_speed > 0xFFFFu ? 0xFFFFu : read_speed));
  mmc_put_be16(cdb + 4, (uint16_t)(write_speed > 0xFFFFu ? 0xFFFFu : write_speed));
}

void mmc_build_set_streaming(uint8_t cdb[12], uint8_t param[MMC_STREAMING_LEN],
                             const struct mmc_streaming *s)
{
  memset(cdb, 0, 12);
  cdb[0] = MMC_OP_SET_STREAMING;
  mmc_put_be16(cdb + 9, MMC_STREAMING_LEN);
  memset(param, 0, MMC_STREAMING_LEN);
  param[0] = (uint8_t)((s->random_access ? 0x01 : 0) | (s->exact ? 0x02 : 0) |
                       (s->restore_defaults ? 0x04 : 0) | ((s->rotation & 0x03) << 3));
  mmc_put_be32(param + 4, s->start_lba);
  mmc_put_be32(param + 8, s->end_lba);
  mmc_put_be32(param + 12, s->read_size);
  mmc_put_be32(param + 16, s->read_time);
  mmc_put_be32(param + 20, s->write_size);
  mmc_put_be32(param + 24, s->write_time);
}

void mmc_build_test_unit_ready(uint8_t cdb[6])
{
  memset(cdb, 0, 6);
  cdb[0] = MMC_OP_TEST_UNIT_READY;
}

void mmc_build_request_sense(uint8_t cdb[6], unsigned alloc)
{
  memset(cdb, 0, 6);
  cdb[0] = MMC_OP_REQUEST_SENSE;
  cdb[4] = (uint8_t)(alloc > 0xFFu ? 0xFFu : alloc);
}

/* ---- sense data ------------------------------------------------------------------ */

int mmc_decode_sense(const uint8_t *buf, size_t len, struct mmc_sense *out)
{
  memset(out, 0, sizeof *out);
  if (buf == NULL || len < 1)
    return 0;
  out->response_code = buf[0] & 0x7F;
  switch (out->response_code) {
  case 0x70:
  case 0x71:
    out->deferred = out->response_code == 0x71;
    if (len < 3)
      return 0;
    out->key = buf[2] & 0x0F;
    out->information_valid = (buf[0] & 0x80) != 0 && len >= 7;
    if (out->information_valid)
      out->information = mmc_be32(buf + 3);
    /* ASC/ASCQ only when present and inside the additional length. */
    if (len >= 14 && (len < 8 || (size_t)buf[7] + 8 >= 14)) {
      out->asc = buf[12];
      out->ascq = buf[13];
      out->has_asc = 1;
    }
    out->valid = 1;
    return 1;
  case 0x72:
  case 0x73:
    out->deferred = out->response_code == 0x73;
    out->descriptor_format = 1;
    if (len < 4)
      return 0;
    out->key = buf[1] & 0x0F;
    out->asc = buf[2];
    out->ascq = buf[3];
    out->has_asc = 1;
    /* Information descriptor (type 00h) if one is present. */
    if (len >= 8) {
      size_t end = 8 + (size_t)buf[7], off = 8;
      if (end > len)
        end = len;
      while (off + 2 <= end) {
        size_t dlen = (size_t)buf[off + 1] + 2;
        if (off + dlen > end)
          break;
        if (buf[off] == 0x00 && dlen >= 12) {
          /* 8-byte INFORMATION field; keep the low 32 bits (an LBA). */
          out->information_valid = (buf[off + 2] & 0x80) != 0;
          out->information = mmc_be32(buf + off + 8);
        }
        off += dlen;
      }
    }
    out->valid = 1;
    return 1;
  default:
    return 0;
  }
}

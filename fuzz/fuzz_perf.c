/*
 * fuzz_perf.c - GET PERFORMANCE: mmc_perf_parse and the nominal, exception and
 * write-speed descriptor decoders. Input byte 0 picks the request (0 write
 * speed; 1-6 performance read/write x nominal/entire/exceptions only); the
 * rest is the response as the drive sent it.
 */
#include "../src/mmc.c"
#include "fuzz.h"

static void request_from(uint8_t sel, struct mmc_perf_request *r)
{
  unsigned k = sel % 7u;
  r->request_type = k == 0 ? MMC_REQ_WRITE_SPEED : MMC_REQ_PERFORMANCE;
  r->performance_type = k >= 4 ? MMC_PERF_WRITE : MMC_PERF_READ;
  r->exceptions = k == 0 ? MMC_EXC_NOMINAL : (int)((k - 1) % 3) + 1;
  r->tolerance = MMC_TOL_10_20;
  r->starting_lba = (uint32_t)sel * 0x01010101u;
}

static void check_descriptors(const uint8_t *buf, size_t len, const struct mmc_perf_layout *lay)
{
  size_t i;
  /* Every counted descriptor decodes, from a buffer cut exactly at `used`. */
  for (i = 0; i <= lay->count; i++) {
    const uint8_t *p = buf + MMC_PERF_HEADER_LEN + i * lay->desc_size;
    int got;
    if (lay->kind == MMC_DESC_NOMINAL) {
      struct mmc_nominal d;
      got = mmc_decode_nominal(buf, len, i, &d);
      if (got) {
        FUZZ_CHECK(d.start_lba == mmc_be32(p) && d.start_performance == mmc_be32(p + 4));
        FUZZ_CHECK(d.end_lba == mmc_be32(p + 8) && d.end_performance == mmc_be32(p + 12));
      }
    } else if (lay->kind == MMC_DESC_EXCEPTION) {
      struct mmc_exception d;
      got = mmc_decode_exception(buf, len, i, &d);
      if (got)
        FUZZ_CHECK(d.lba == mmc_be32(p) && d.time == mmc_be16(p + 4));
    } else {
      struct mmc_write_speed d;
      got = mmc_decode_write_speed(buf, len, i, &d);
      if (got) {
        FUZZ_CHECK(d.mrw == (p[0] & 1) && d.exact == ((p[0] >> 1) & 1));
        FUZZ_CHECK(d.rdd == ((p[0] >> 2) & 1) && d.wrc == ((p[0] >> 3) & 3));
        FUZZ_CHECK(d.end_lba == mmc_be32(p + 4) && d.read_speed == mmc_be32(p + 8) &&
                   d.write_speed == mmc_be32(p + 12));
      }
    }
    /* Inside `used` for i < count, and 0 once past it. */
    FUZZ_CHECK(got == (i < lay->count));
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct mmc_perf_request r;
  struct mmc_perf_layout lay;
  enum mmc_parse_result pr;
  uint8_t cdb[12], *buf, *cut;
  size_t len, i;
  struct mmc_nominal nd;
  struct mmc_exception ed;
  struct mmc_write_speed wd;

  if (size < 1)
    return 0;
  request_from(data[0], &r);
  FUZZ_CHECK(mmc_perf_request_invalid_field(&r) == NULL);
  mmc_build_get_performance(cdb, &r, mmc_perf_max_descriptors(&r) + (unsigned)data[0] * 300u);
  FUZZ_CHECK(cdb[0] == 0xAC && cdb[10] == (r.request_type == MMC_REQ_WRITE_SPEED ? 3 : 0));
  FUZZ_CHECK(mmc_perf_max_descriptors(&r) * mmc_perf_descriptor_size(&r) + 8 <= MMC_MAX_TRANSFER);

  len = size - 1;
  buf = fuzz_copy(data + 1, len);
  pr = mmc_perf_parse(buf, len, &r, &lay);
  FUZZ_CHECK(mmc_parse_message(pr) != NULL);
  if (len < MMC_PERF_HEADER_LEN) {
    FUZZ_CHECK(pr == MMC_PARSE_SHORT);
    FUZZ_CHECK(!mmc_decode_nominal(buf, len, 0, &nd));
    FUZZ_CHECK(!mmc_decode_exception(buf, len, 0, &ed));
    FUZZ_CHECK(!mmc_decode_write_speed(buf, len, 0, &wd));
    free(buf);
    return 0;
  }
  FUZZ_CHECK(pr != MMC_PARSE_SHORT);
  FUZZ_CHECK(lay.data_length == mmc_be32(buf));
  FUZZ_CHECK(lay.desc_size == (lay.kind == MMC_DESC_EXCEPTION ? 6u : 16u));
  FUZZ_CHECK(lay.kind == (r.request_type == MMC_REQ_WRITE_SPEED ? MMC_DESC_WRITE_SPEED
                          : lay.except ? MMC_DESC_EXCEPTION : MMC_DESC_NOMINAL));
  FUZZ_CHECK(lay.used >= MMC_PERF_HEADER_LEN && lay.used <= len);
  FUZZ_CHECK(lay.count * lay.desc_size + MMC_PERF_HEADER_LEN <= lay.used);
  FUZZ_CHECK(lay.used - MMC_PERF_HEADER_LEN - lay.count * lay.desc_size < lay.desc_size);
  FUZZ_CHECK(lay.count <= lay.claimed);
  FUZZ_CHECK(lay.truncated == ((uint64_t)lay.data_length + 4 > len ||
                               (lay.used - MMC_PERF_HEADER_LEN) % lay.desc_size != 0));
  if ((uint64_t)lay.data_length + 4 <= len)
    FUZZ_CHECK(lay.used == (lay.data_length + 4 < 8 ? 8 : (size_t)lay.data_length + 4));
  if (pr == MMC_PARSE_EXCEPT_ON_NOMINAL)
    FUZZ_CHECK(r.request_type == MMC_REQ_PERFORMANCE && r.exceptions == MMC_EXC_NOMINAL && lay.except);
  if (pr == MMC_PARSE_NOMINAL_ON_EXCEPTIONS)
    FUZZ_CHECK(r.exceptions == MMC_EXC_ONLY && !lay.except && lay.count > 0);

  /* Decode from an exact-size copy of the bytes the parser says are used. */
  cut = fuzz_copy(buf, lay.used);
  check_descriptors(cut, lay.used, &lay);
  free(cut);
  /* Past the end of the whole buffer, every decoder says 0, even for huge i. */
  i = (len - MMC_PERF_HEADER_LEN) / 6 + 1;
  FUZZ_CHECK(!mmc_decode_exception(buf, len, i, &ed));
  FUZZ_CHECK(!mmc_decode_nominal(buf, len, (len - 8) / 16 + 1, &nd));
  FUZZ_CHECK(!mmc_decode_write_speed(buf, len, (size_t)-1, &wd));
  FUZZ_CHECK(!mmc_decode_nominal(buf, len, (size_t)-1 / 16 + 1, &nd));
  FUZZ_CHECK(!mmc_decode_exception(NULL, 0, 0, &ed));
  free(buf);
  return 0;
}

/*
 * fuzz_page2a.c - MODE SENSE(10) page 2Ah: mmc_decode_page_2a on any bytes.
 */
#include "../src/mmc.c"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct mmc_capabilities c;
  enum mmc_page_result pr;
  uint8_t *buf = fuzz_copy(data, size);
  uint8_t cdb[10];
  size_t total, i;
  const uint8_t *p;

  mmc_build_mode_sense_2a(cdb, (unsigned)size * 40u);
  FUZZ_CHECK(cdb[0] == 0x5A && cdb[1] == 0x08 && cdb[2] == 0x2A);

  pr = mmc_decode_page_2a(buf, size, &c);
  FUZZ_CHECK(pr == MMC_PAGE_OK || pr == MMC_PAGE_SHORT || pr == MMC_PAGE_WRONG_PAGE);
  FUZZ_CHECK(c.n_speeds <= MMC_MAX_SPEED_ENTRIES);
  if (size < 8)
    FUZZ_CHECK(pr == MMC_PAGE_SHORT);
  if (pr == MMC_PAGE_WRONG_PAGE) {
    /* The caller names the page it got from buf[page_offset]. */
    FUZZ_CHECK(c.n_speeds == 0);
    FUZZ_CHECK(c.page_offset == 8 + (size_t)mmc_be16(buf + 6) && c.page_offset < size);
    FUZZ_CHECK((buf[c.page_offset] & 0x3F) != 0x2A);
  }
  if (pr == MMC_PAGE_OK) {
    total = (size_t)mmc_be16(buf) + 2;
    if (total > size)
      total = size;
    FUZZ_CHECK(c.page_offset == 8 + (size_t)mmc_be16(buf + 6));
    FUZZ_CHECK(c.page_length >= 16);
    FUZZ_CHECK(c.page_offset + c.page_length <= total);
    FUZZ_CHECK(c.page_offset + c.page_length <= size);
    p = buf + c.page_offset;
    FUZZ_CHECK((p[0] & 0x3F) == 0x2A);
    FUZZ_CHECK(c.max_read_speed == mmc_be16(p + 8) && c.current_read_speed == mmc_be16(p + 14));
    FUZZ_CHECK(c.buffer_size_kb == mmc_be16(p + 12));
    FUZZ_CHECK(c.max_write_speed == (c.page_length >= 20 ? mmc_be16(p + 18) : 0u));
    FUZZ_CHECK(c.has_selected == (c.page_length >= 32));
    FUZZ_CHECK(c.n_speeds <= c.claimed_speeds);
    if (c.n_speeds > 0)
      FUZZ_CHECK(32 + 4 * c.n_speeds <= c.page_length);
    if (c.n_speeds < c.claimed_speeds)
      FUZZ_CHECK(c.truncated);
    if (c.has_selected && c.claimed_speeds <= MMC_MAX_SPEED_ENTRIES &&
        32 + 4 * (size_t)c.claimed_speeds <= c.page_length)
      FUZZ_CHECK(c.n_speeds == c.claimed_speeds);
    for (i = 0; i < c.n_speeds; i++) {
      FUZZ_CHECK(c.speeds[i].speed == mmc_be16(p + 32 + 4 * i + 2));
      FUZZ_CHECK(c.speeds[i].rotation == (p[32 + 4 * i + 1] & 3));
    }
  }
  FUZZ_CHECK(mmc_decode_page_2a(NULL, 0, &c) == MMC_PAGE_SHORT);
  free(buf);
  return 0;
}

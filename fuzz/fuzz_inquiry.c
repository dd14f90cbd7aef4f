/*
 * fuzz_inquiry.c - INQUIRY: mmc_decode_inquiry on any bytes; the strings must
 * be printable ASCII, NUL-terminated inside their arrays, without trailing blanks.
 */
#include "../src/mmc.c"
#include "fuzz.h"

static void check_text(const char *s, size_t cap)
{
  size_t n = 0, i;
  while (n < cap && s[n] != '\0')
    n++;
  FUZZ_CHECK(n < cap);
  for (i = 0; i < n; i++)
    FUZZ_CHECK(s[i] >= 0x20 && s[i] < 0x7F);
  FUZZ_CHECK(n == 0 || s[n - 1] != ' ');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  uint8_t *buf = fuzz_copy(data, size), cdb[6];
  struct mmc_inquiry q;
  int ok;

  memset(&q, 0xA5, sizeof q);
  ok = mmc_decode_inquiry(buf, size, &q);
  FUZZ_CHECK(ok == (size >= 5));
  check_text(q.vendor, sizeof q.vendor);
  check_text(q.product, sizeof q.product);
  check_text(q.revision, sizeof q.revision);
  if (ok) {
    FUZZ_CHECK(q.peripheral_type == (buf[0] & 0x1F));
    FUZZ_CHECK(q.peripheral_qualifier == buf[0] >> 5);
    if (size >= 9 && buf[8] > 0x20 && buf[8] < 0x7F)
      FUZZ_CHECK(q.vendor[0] == (char)buf[8]);
  }
  mmc_build_inquiry(cdb, (unsigned)size * 1000u);
  FUZZ_CHECK(cdb[0] == 0x12);
  FUZZ_CHECK(!mmc_decode_inquiry(NULL, 0, &q));
  free(buf);
  return 0;
}

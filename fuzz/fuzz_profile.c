/*
 * fuzz_profile.c - GET CONFIGURATION: mmc_decode_current_profile on any bytes.
 */
#include "../src/mmc.c"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  uint8_t *buf = fuzz_copy(data, size), cdb[10];
  unsigned profile = 0xDEADBEEFu;
  int ok = mmc_decode_current_profile(buf, size, &profile);

  FUZZ_CHECK(ok == (size >= MMC_CONFIG_HEADER_LEN));
  if (ok)
    FUZZ_CHECK(profile == ((unsigned)buf[6] << 8 | buf[7]));
  else
    FUZZ_CHECK(profile == 0xDEADBEEFu); /* untouched on failure */
  mmc_build_get_configuration(cdb, (unsigned)size << 8);
  FUZZ_CHECK(cdb[0] == 0x46 && cdb[1] == 0x01);
  FUZZ_CHECK(!mmc_decode_current_profile(NULL, 0, &profile));
  free(buf);
  return 0;
}

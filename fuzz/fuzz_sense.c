/*
 * fuzz_sense.c - sense data, fixed (70h/71h) and descriptor (72h/73h) format:
 * mmc_decode_sense, then the key name and ASC/ASCQ text lookups of sense.c.
 * Input byte 0 may force the format (bits 0-1: 0 as sent, 1 fixed, 2 descriptor,
 * 3 deferred descriptor); the rest is the sense data.
 */
#include "../src/mmc.c"
#include "../src/sense.c"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  size_t i, n = sizeof sense_asc_table / sizeof sense_asc_table[0];
  (void)argc;
  (void)argv;
  /* sense_asc_text binary-searches: the table must be strictly increasing. */
  for (i = 1; i < n; i++)
    FUZZ_CHECK(((sense_asc_table[i - 1].asc << 8) | sense_asc_table[i - 1].ascq) <
               ((sense_asc_table[i].asc << 8) | sense_asc_table[i].ascq));
  for (i = 0; i < n; i++)
    FUZZ_CHECK(sense_asc_text(sense_asc_table[i].asc, sense_asc_table[i].ascq) ==
               sense_asc_table[i].text);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct mmc_sense s;
  uint8_t *buf, cdb[6];
  size_t len;
  int ok, rc;
  const char *text;

  if (size < 1)
    return 0;
  len = size - 1;
  buf = fuzz_copy(data + 1, len);
  if (len > 0) {
    static const uint8_t forced[4] = { 0, 0x70, 0x72, 0x73 };
    if (data[0] & 3)
      buf[0] = (uint8_t)((buf[0] & 0x80) | forced[data[0] & 3]);
  }
  memset(&s, 0x5A, sizeof s);
  ok = mmc_decode_sense(buf, len, &s);
  FUZZ_CHECK(ok == 0 || ok == 1);
  FUZZ_CHECK(ok == s.valid || !ok);
  if (ok) {
    rc = buf[0] & 0x7F;
    FUZZ_CHECK(rc >= 0x70 && rc <= 0x73);
    FUZZ_CHECK(s.response_code == rc);
    FUZZ_CHECK(s.descriptor_format == (rc >= 0x72));
    FUZZ_CHECK(s.deferred == (rc == 0x71 || rc == 0x73));
    FUZZ_CHECK(s.key >= 0 && s.key <= 15);
    FUZZ_CHECK(s.asc >= 0 && s.asc <= 255 && s.ascq >= 0 && s.ascq <= 255);
    FUZZ_CHECK(s.key == (s.descriptor_format ? (buf[1] & 15) : (buf[2] & 15)));
    if (s.descriptor_format)
      FUZZ_CHECK(s.asc == buf[2] && s.ascq == buf[3]);
    else if (len < 14)
      FUZZ_CHECK(s.asc == 0 && s.ascq == 0);
    FUZZ_CHECK(s.information_valid == 0 || s.information_valid == 1);
  } else {
    FUZZ_CHECK(len < 4 || ((buf[0] & 0x7F) < 0x70 || (buf[0] & 0x7F) > 0x73));
  }
  FUZZ_CHECK(sense_key_name(s.key) != NULL);
  text = sense_asc_text(s.asc, s.ascq);
  if (text != NULL)
    FUZZ_CHECK(strlen(text) > 0);
  /* Out-of-range lookups from hostile integers. */
  if (size >= 3) {
    int a = (int)(int8_t)data[1] * 300, b = (int)(int8_t)data[2] * 7;
    FUZZ_CHECK(sense_key_name(a) != NULL);
    if (a < 0 || a > 255 || b < 0 || b > 255)
      FUZZ_CHECK(sense_asc_text(a, b) == NULL);
  }
  mmc_build_request_sense(cdb, (unsigned)size);
  FUZZ_CHECK(cdb[0] == 0x03 && cdb[4] == (size > 255 ? 255 : size));
  FUZZ_CHECK(!mmc_decode_sense(NULL, 0, &s));
  free(buf);
  return 0;
}

/*
 * fuzz.h - shared bits of the cdperf libFuzzer harnesses.
 * Every harness includes ../src/mmc.c (and sense.c) so that it can reach the
 * static decoders; build with -Wno-unused-function (see mk/hardening.mk).
 */
#ifndef CDPERF_FUZZ_H
#define CDPERF_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A violated invariant is a crash: libFuzzer saves the input. */
#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      fprintf(stderr, "cdperf fuzz: invariant violated at %s:%d: %s\n", __FILE__, \
              __LINE__, #cond);                                                     \
      abort();                                                                      \
    }                                                                               \
  } while (0)

/* An exact-size heap copy, so ASan flags any read past len (NULL for 0). */
static uint8_t *fuzz_copy(const uint8_t *p, size_t len)
{
  uint8_t *q;
  if (len == 0)
    return NULL;
  q = (uint8_t *)malloc(len);
  if (q == NULL)
    abort();
  memcpy(q, p, len);
  return q;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif

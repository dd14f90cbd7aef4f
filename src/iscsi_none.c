/*
 * iscsi_none.c - what the build compiles instead of transport_iscsi.c when libiscsi
 * is not there: iscsi:// names fail with a message that says how to get them.
 */
#include <stddef.h>

#include "transport.h"

const int cdperf_have_iscsi = 0;

int cdperf_iscsi_open(const char *url, const char *display, const char *credentials, int write,
                      unsigned timeout_ms, struct cdperf_transport **out,
                      struct cdperf_error *err)
{
  (void)url;
  (void)display;
  (void)credentials;
  (void)write;
  (void)timeout_ms;
  *out = NULL;
  cdperf_error_set(err, CDPERF_ERR_UNSUPPORTED, 0,
                   "this cdperf was built without libiscsi; install libiscsi-dev and rebuild");
  return -1;
}

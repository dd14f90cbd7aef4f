/*
 * sense.h - SCSI/MMC sense key names and ASC/ASCQ texts.
 * No Lua, no OS calls: pure lookups into constant tables.
 */
#ifndef CDPERF_SENSE_H
#define CDPERF_SENSE_H

#include "hidden.h"

CDPERF_HIDDEN_BEGIN

/* "NO SENSE" .. "COMPLETED" for 0..15; "UNKNOWN SENSE KEY" otherwise.
 * Never NULL. */
const char *sense_key_name(int key);

/* The SPC/MMC text for an ASC/ASCQ pair, or NULL when the pair is not in
 * the table (or either value is outside 0..255). */
const char *sense_asc_text(int asc, int ascq);

CDPERF_HIDDEN_END

#endif

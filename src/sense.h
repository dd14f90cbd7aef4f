/*
 * sense.h - SCSI/MMC sense key names and ASC/ASCQ texts.
 * No Lua, no OS calls: pure lookups into constant tables.
 *
 * cdperf is built as one translation unit (cdperf.c includes the other .c
 * files), so every function here is static.
 */
#ifndef CDPERF_SENSE_H
#define CDPERF_SENSE_H

/* "NO SENSE" .. "COMPLETED" for 0..15; "UNKNOWN SENSE KEY" otherwise.
 * Never NULL. */
static const char *sense_key_name(int key);

/* The SPC/MMC text for an ASC/ASCQ pair, or NULL when the pair is not in
 * the table (or either value is outside 0..255). */
static const char *sense_asc_text(int asc, int ascq);

#endif

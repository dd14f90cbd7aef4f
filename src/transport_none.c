/*
 * transport_none.c - what a build for an OS without a transport compiles: cdperf
 * reaches drives through Linux SG_IO or Windows DeviceIoControl only, so the build
 * stops here rather than shipping a module that cannot open a drive.
 */
#error "cdperf has no transport for this operating system (Linux SG_IO and Windows only)"

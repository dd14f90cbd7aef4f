/*
 * transport_lua.h - where the Lua transport finds the callable device: the user value
 * of the drive (stack index 1 of the command's caller) that cdperf.c stores it in.
 */
#ifndef CDPERF_TRANSPORT_LUA_H
#define CDPERF_TRANSPORT_LUA_H

#define CDPERF_LUA_DEVICE_UV 2

#endif

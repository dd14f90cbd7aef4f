/*
 * hidden.h - wraps every internal header so that its functions stay out of the
 * shared object's symbol table even when the build forgets -fvisibility=hidden
 * (LuaRocks' builtin type does): luaopen_cdperf_core is the only export.
 * A DLL exports only what is marked dllexport, so Windows needs nothing here.
 */
#ifndef CDPERF_HIDDEN_H
#define CDPERF_HIDDEN_H

#if defined(__GNUC__) && !defined(_WIN32)
#define CDPERF_HIDDEN_BEGIN _Pragma("GCC visibility push(hidden)")
#define CDPERF_HIDDEN_END _Pragma("GCC visibility pop")
#else
#define CDPERF_HIDDEN_BEGIN
#define CDPERF_HIDDEN_END
#endif

#if defined(__GNUC__)
#define CDPERF_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CDPERF_PRINTF(f, a)
#endif

#endif

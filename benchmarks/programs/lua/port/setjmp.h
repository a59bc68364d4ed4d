/* ldo.c includes <setjmp.h>, which this WASI libc does not have; wasi_lua.h
 * makes Lua do without it (see there), so an empty header stands in. */

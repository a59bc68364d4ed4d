/* Included before every Lua source (clang -include) by build.sh: what this WASI
 * libc lacks, said to Lua through the macros luaconf.h and ldo.c leave open.
 *
 * wasi-libc has no setjmp/longjmp, and Lua raises errors (and yields from C
 * functions such as coroutine.yield) by longjmp.  So a protected call is a
 * plain call here, and raising an error aborts the program (a trap).  The
 * benchmark script raises no error and does not yield.  */
#define LUAI_THROW(L, c) abort()
#define LUAI_TRY(L, c, a) { a }
#define luai_jmpbuf int

/* No tmpnam either: os.tmpname fails. */
#define LUA_TMPNAMBUFSIZE 32
#define lua_tmpnam(b, e) { e = 1; }

/* A fixed seed for string hashes (Lua mixes the time into it): every run of a
 * script then executes the same instructions, which the benchmarks count. */
#define luai_makeseed(L) 0u

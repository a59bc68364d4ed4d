#!/bin/sh
# Rebuild lua.wasm: Lua 5.4.8 (src/, unmodified) for wasm32-wasi, with port/ for
# what Debian's wasi-libc lacks (no setjmp: see port/wasi_lua.h).  Needs clang,
# wasm-ld and wasi-libc (Debian: clang lld wasi-libc libclang-rt-14-dev-wasm32).
# Compiling and linking are separate steps, and the link step gets no -O (with -O
# clang runs wasm-opt when installed); --strip-debug keeps the name section.
set -eu
cd "$(dirname "$0")"
CC=${CC:-clang}
# -Wno-deprecated-declarations: wasi-libc marks tmpfile, which port/wasi_port.c defines, deprecated.
CFLAGS="--target=wasm32-wasi -O2 -Wno-deprecated-declarations -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -Iport -include port/wasi_lua.h"
objects=$(mktemp -d)
trap 'rm -rf "$objects"' EXIT
for source in src/*.c port/wasi_port.c; do
    $CC $CFLAGS -c "$source" -o "$objects/$(basename "$source" .c).o"
done
$CC --target=wasm32-wasi "$objects"/*.o -lwasi-emulated-signal -lwasi-emulated-process-clocks \
    -Wl,--strip-debug -o lua.wasm

#!/bin/sh
# Rebuild sqlite3.wasm: the SQLite 3.52.0 shell (src/, the amalgamation of
# sqlite-autoconf-3520000, unmodified) for wasm32-wasi, with port/ for the two
# functions Debian's wasi-libc lacks.  Needs clang, wasm-ld and wasi-libc (Debian:
# clang lld wasi-libc libclang-rt-14-dev-wasm32); sqlite3.c takes a minute or two.
# Compiling and linking are separate steps, and the link step gets no -O (with -O
# clang runs wasm-opt when installed); --strip-debug keeps the name section.
#
# No threads, no loadable extensions, no .system/.shell (WASI has no processes);
# the emulated signal, clock, mman and getpid libraries of wasi-libc stand in for
# what the shell and the library call.
set -eu
cd "$(dirname "$0")"
CC=${CC:-clang}
CFLAGS="--target=wasm32-wasi -O2 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_NOHAVE_SYSTEM \
 -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_GETPID"
objects=$(mktemp -d)
trap 'rm -rf "$objects"' EXIT
for source in src/sqlite3.c src/shell.c port/wasi_port.c; do
    $CC $CFLAGS -c "$source" -o "$objects/$(basename "$source" .c).o"
done
$CC --target=wasm32-wasi "$objects"/shell.o "$objects"/sqlite3.o "$objects"/wasi_port.o \
    -lwasi-emulated-signal -lwasi-emulated-process-clocks -lwasi-emulated-mman -lwasi-emulated-getpid \
    -Wl,--strip-debug -o sqlite3.wasm

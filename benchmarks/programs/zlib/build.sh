#!/bin/sh
# Rebuild minigzip.wasm: zlib 1.3.1 and its test/minigzip.c (src/, unmodified) for
# wasm32-wasi.  Needs clang, wasm-ld and wasi-libc (Debian: clang lld wasi-libc
# libclang-rt-14-dev-wasm32).  Compiling and linking are separate steps, and the link
# step gets no -O (with -O clang runs wasm-opt when installed); --strip-debug keeps
# the name section.
set -eu
cd "$(dirname "$0")"
CC=${CC:-clang}
CFLAGS="--target=wasm32-wasi -O2 -DHAVE_UNISTD_H"
objects=$(mktemp -d)
trap 'rm -rf "$objects"' EXIT
for source in src/*.c; do
    $CC $CFLAGS -c "$source" -o "$objects/$(basename "$source" .c).o"
done
$CC --target=wasm32-wasi "$objects"/*.o -Wl,--strip-debug -o minigzip.wasm

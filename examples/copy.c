/*
 * copy: copies the file SRC to DST (created or truncated), byte for byte.
 *
 *     wasmrun --dir DIR::/data examples/copy.wasm /data/a /data/b
 *
 * Both paths must lie inside a preopened directory. Prints "copied N bytes" on standard output.
 * Exit status: 0 on success; 1 on an I/O error (with a message naming the file); 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: copy SRC DST\n");
        return 2;
    }
    int in = open(argv[1], O_RDONLY);
    if (in < 0) {
        fprintf(stderr, "copy: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0) {
        fprintf(stderr, "copy: %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    unsigned char buf[8192];
    unsigned long long total = 0;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n == 0)
            break;
        if (n < 0) {
            fprintf(stderr, "copy: %s: %s\n", argv[1], strerror(errno));
            return 1;
        }
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w < 0) {
                fprintf(stderr, "copy: %s: %s\n", argv[2], strerror(errno));
                return 1;
            }
            done += w;
        }
        total += (unsigned long long)n;
    }
    if (close(out) != 0) {
        fprintf(stderr, "copy: %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    close(in);
    printf("copied %llu bytes\n", total);
    return 0;
}

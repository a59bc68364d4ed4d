/*
 * upper: copies standard input to standard output, turning ASCII letters a-z into A-Z.
 *
 * Binary-safe: it works on raw bytes with read()/write(), so NUL, 0xFF and every other byte pass
 * through unchanged. Exit status: 0 at end of input; 1 when reading or writing fails (for example
 * EPIPE when the reader of standard output has gone away), after a message on standard error,
 * as a C program that checks its errors does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int write_all(const unsigned char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int main(void) {
    unsigned char buf[4096];
    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n == 0)
            return 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "upper: read error: %s\n", strerror(errno));
            return 1;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] >= 'a' && buf[i] <= 'z')
                buf[i] = (unsigned char)(buf[i] - 'a' + 'A');
        }
        if (write_all(buf, (size_t)n) != 0) {
            fprintf(stderr, "upper: write error: %s\n", strerror(errno));
            return 1;
        }
    }
}

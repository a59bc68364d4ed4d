/*
 * wc: counts the lines, words and bytes of standard input and prints them as
 * "LINES WORDS BYTES\n". A line is a '\n' byte; a word is a maximal run of bytes that are not
 * space, tab, newline, carriage return, vertical tab or form feed. Exit status 1 on a read error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int main(void) {
    unsigned char buf[4096];
    unsigned long long lines = 0, words = 0, bytes = 0;
    int in_word = 0;
    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "wc: read error: %s\n", strerror(errno));
            return 1;
        }
        bytes += (unsigned long long)n;
        for (ssize_t i = 0; i < n; i++) {
            unsigned char c = buf[i];
            if (c == '\n')
                lines++;
            if (is_space(c)) {
                in_word = 0;
            } else if (!in_word) {
                in_word = 1;
                words++;
            }
        }
    }
    printf("%llu %llu %llu\n", lines, words, bytes);
    return 0;
}

/* Functions the shell calls (its fileio extension: writefile, fsdir) that this
 * WASI libc does not define: they fail with ENOTSUP. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

char *realpath(const char *path, char *resolved) {
    (void)path;
    (void)resolved;
    errno = ENOTSUP;
    return NULL;
}

int chmod(const char *path, mode_t mode) {
    (void)path;
    (void)mode;
    errno = ENOTSUP;
    return -1;
}

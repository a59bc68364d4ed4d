/* Functions Lua's libraries call that this WASI libc does not define: they fail
 * as the C standard lets them (io.tmpfile returns nil, os.execute says there is
 * no shell). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

FILE *tmpfile(void) {
    errno = ENOTSUP;
    return NULL;
}

int system(const char *command) {
    return command == NULL ? 0 : -1;
}

/* hello: prints a greeting and exits with status 0. Also used to measure start-up time. */
#include <stdio.h>

int main(void) {
    printf("Hello, world!\n");
    return 0;
}

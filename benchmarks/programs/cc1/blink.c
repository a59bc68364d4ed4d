/* The C file cc1 compiles in `python -m benchmarks --section programs`: a small AVR
 * program (an ATmega328P's LED driven by a CRC-16), compiled to assembly with -Os
 * and the ATmega328P's flags, as PyMCU compiles firmware.  No #include: cc1 is given
 * no include path. */

typedef unsigned char uint8_t;
typedef unsigned int uint16_t;

#define DDRB (*(volatile uint8_t *)0x24)
#define PORTB (*(volatile uint8_t *)0x25)
#define LED (1 << 5)

static uint16_t crc16_update(uint16_t crc, uint8_t data) {
    crc ^= data;
    for (uint8_t bit = 0; bit < 8; bit++)
        crc = (crc & 1) ? (crc >> 1) ^ 0xA001 : crc >> 1;
    return crc;
}

uint16_t crc16(const uint8_t *data, uint16_t length) {
    uint16_t crc = 0xFFFF;
    while (length--)
        crc = crc16_update(crc, *data++);
    return crc;
}

int main(void) {
    uint8_t block[16];
    DDRB = LED;
    for (uint8_t round = 0;; round++) {
        for (uint8_t i = 0; i < sizeof block; i++)
            block[i] = (uint8_t)(round + i * 7);
        PORTB = (crc16(block, sizeof block) & 1) ? LED : 0;
    }
}

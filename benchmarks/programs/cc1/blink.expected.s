	.file	"blink.c"
__SP_H__ = 0x3e
__SP_L__ = 0x3d
__SREG__ = 0x3f
__tmp_reg__ = 0
__zero_reg__ = 1
	.text
.global	crc16
	.type	crc16, @function
crc16:
/* prologue: function */
/* frame size = 0 */
/* stack size = 0 */
.L__stack_usage = 0
	add r22,r24
	adc r23,r25
	ldi r18,lo8(-1)
	ldi r19,lo8(-1)
.L2:
	cp r24,r22
	cpc r25,r23
	brne .L4
	movw r24,r18
/* epilogue start */
	ret
.L4:
	movw r30,r24
	ld r20,Z+
	movw r24,r30
	eor r18,r20
	ldi r20,lo8(8)
.L3:
	movw r30,r18
	lsr r31
	ror r30
	mov r21,r18
	movw r18,r30
	sbrs r21,0
	rjmp .L6
	ldi r31,lo8(1)
	eor r18,r31
	ldi r31,lo8(-96)
	eor r19,r31
.L6:
	subi r20,lo8(1)
	brne .L3
	rjmp .L2
	.size	crc16, .-crc16
	.section	.text.startup,"ax",@progbits
.global	main
	.type	main, @function
main:
	in r28,__SP_L__
	in r29,__SP_H__
	sbiw r28,16
	in __tmp_reg__,__SREG__
	cli
	out __SP_H__,r29
	out __SREG__,__tmp_reg__
	out __SP_L__,r28
/* prologue: function */
/* frame size = 16 */
/* stack size = 16 */
.L__stack_usage = 16
	ldi r24,lo8(32)
	out 0x4,r24
	ldi r17,0
.L9:
	movw r30,r28
	adiw r30,1
	mov r18,r17
	movw r24,r30
	ldi r19,lo8(112)
	add r19,r17
.L8:
	st Z+,r18
	subi r18,lo8(-(7))
	cpse r18,r19
	rjmp .L8
	ldi r22,lo8(16)
	ldi r23,0
	call crc16
	andi r24,1
	swap r24
	lsl r24
	andi r24,lo8(-32)
	out 0x5,r24
	subi r17,lo8(-(1))
	rjmp .L9
	.size	main, .-main
	.ident	"GCC: (GNU) 15.2.0"

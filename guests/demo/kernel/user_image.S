/* The user program (user/, linked at 0x400000), embedded as bytes; the
 * kernel maps these pages into every process. */
	.section .user_image, "a"
	.incbin USER_BIN

/* sha256.c: placeholder until written. */
extern int a0_placeholder_sha256;

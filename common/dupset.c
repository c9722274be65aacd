/* dupset.c: placeholder until written. */
extern int a0_placeholder_dupset;

/* auth0.c: placeholder until written. */
extern int a0_placeholder_auth0;

/* http.c: placeholder until written. */
extern int a0_placeholder_http;

/*
 * A validation error: which input field broke which rule. Domain checks
 * fill one in; the HTTP layer turns it into a 400/422 JSON error body.
 */
#ifndef CD_VERR_H
#define CD_VERR_H

struct verr {
	char field[64];	   /* JSON path of the field, e.g. "to_number" */
	char code[40];	   /* stable machine code, e.g. "invalid_e164" */
	char message[192]; /* one human sentence */
};

/*
 * Fills *e (when not NULL) and returns CD_EINVAL, so a check can end with
 * `return verr_set(e, "to_number", "invalid_e164", "...")`.
 */
int verr_set(struct verr *e, const char *field, const char *code,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif

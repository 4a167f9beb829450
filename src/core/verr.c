/*
 * Filling a validation error.
 */
#include <stdarg.h>
#include <stdio.h>

#include "core/err.h"
#include "core/verr.h"

int
verr_set(struct verr *e, const char *field, const char *code, const char *fmt,
	 ...)
{
	va_list ap;

	if (e == NULL)
		return CD_EINVAL;
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	snprintf(e->code, sizeof(e->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return CD_EINVAL;
}

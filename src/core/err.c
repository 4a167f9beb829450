/*
 * Names for the error codes of err.h.
 */
#include "core/err.h"

const char *
cd_strerror(int err)
{
	switch (err) {
	case CD_OK:
		return "success";
	case CD_ENOMEM:
		return "out of memory";
	case CD_EINVAL:
		return "invalid input";
	case CD_ENOTFOUND:
		return "not found";
	case CD_ECONFLICT:
		return "conflicting state";
	case CD_ESTORE:
		return "store failure";
	case CD_EEXIST:
		return "already exists";
	case CD_EIDEM:
		return "idempotency key reused";
	case CD_ESHUTDOWN:
		return "shutting down";
	case CD_ERANGE:
		return "out of range";
	}
	return "unknown error";
}

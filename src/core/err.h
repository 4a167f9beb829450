/*
 * Error codes shared by every layer: functions return 0 or one of these
 * negative values, and cd_strerror() names them for logs.
 */
#ifndef CD_ERR_H
#define CD_ERR_H

enum cd_err {
	CD_OK = 0,
	CD_ENOMEM = -1,	   /* allocation failed */
	CD_EINVAL = -2,	   /* input does not satisfy a rule */
	CD_ENOTFOUND = -3, /* no such object, or another account's */
	CD_ECONFLICT = -4, /* the object's state forbids the change */
	CD_ESTORE = -5,	   /* the store failed; nothing was committed */
	CD_EEXIST = -6,	   /* an object with that identity exists */
	CD_EIDEM = -7,	   /* idempotency key reused for another request */
	CD_ESHUTDOWN = -8, /* the service is stopping */
	CD_ERANGE = -9,	   /* a value is outside its allowed range */
};

/* Returns a short static description of an error code, never NULL. */
const char *cd_strerror(int err);

#endif

/*
 * The SQLite schema as an ordered list of migrations: migration i takes a
 * store from version i to i + 1 (PRAGMA user_version).
 */
#ifndef CD_SCHEMA_SQLITE_H
#define CD_SCHEMA_SQLITE_H

extern const char *const schema_sqlite_migrations[];
extern const int schema_sqlite_version;

#endif

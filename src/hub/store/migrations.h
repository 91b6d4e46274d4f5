/* migrations.h — the hub's schema migrations, embedded at build time from
 * migrations/NNN_*.sql (see embed_migrations.cmake); applied in order, recorded in
 * schema_version. */
#ifndef SETU_HUB_STORE_MIGRATIONS_H
#define SETU_HUB_STORE_MIGRATIONS_H

#include <stddef.h>

typedef struct setu_migration {
	int version;      /* NNN of the file name */
	const char *name; /* file name */
	const char *sql;  /* NUL-terminated */
} setu_migration_t;

extern const setu_migration_t setu_hub_migrations[];
extern const size_t setu_hub_migrations_count;

#endif

// The last include of every pure C++ file of autoreport (files that must not see PostgreSQL).
//
// Pure files hold the models, parsers and renderers. They are compiled twice: into autoreport.so and
// into the GoogleTest binary, which has no PostgreSQL include path at all, so a PostgreSQL include
// fails to compile there. This header adds a second check inside the extension build: if any
// PostgreSQL header was included before it, directly or through another header, the build stops.
// `make lint` checks that every pure .cpp file includes it last.
#pragma once

#if defined(POSTGRES_H) || defined(PG_VERSION_NUM) || defined(FMGR_H)
#error "a pure autoreport file includes a PostgreSQL header; move that code into a *_pg.cpp glue file"
#endif

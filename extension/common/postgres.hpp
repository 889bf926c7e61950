// The PostgreSQL headers every glue file needs, included the one way that works from C++.
//
// Glue files (*_pg.cpp) include this first. PostgreSQL's headers are C; the build passes their
// directory with -isystem so that our strict warning flags judge only our own code. Version-dependent
// code is guarded here, in one place.
#pragma once

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/memutils.h"
}

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 160000
#error "autoreport is built for PostgreSQL 15"
#endif

// Symbols PostgreSQL looks up in autoreport.so. Everything else is hidden (-fvisibility=hidden).
#define AUTOREPORT_EXPORT __attribute__((visibility("default")))

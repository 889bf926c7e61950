// What a signal (SIGINT, SIGTERM, SIGHUP) does while the client works: cancel the running query on
// the server, as psql does on Ctrl-C, remove the temporary output file, and end the process with the
// signal's usual status. Only async-signal-safe calls are made in the handler.
#pragma once

#include <libpq-fe.h>

namespace autoreport::cli::interrupt {

void install();
// The temporary file to remove on a signal; nullptr for none. The text must outlive its registration.
void set_temp_file(const char* path);
// The query to cancel on a signal; nullptr for none. The caller keeps ownership.
void set_cancel(PGcancel* cancel);

} // namespace autoreport::cli::interrupt

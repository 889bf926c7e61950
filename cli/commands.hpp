// The client's commands, each over one connection: render, list, describe.
#pragma once

#include "cli/args.hpp"
#include "cli/db.hpp"

namespace autoreport::cli {

void render(Db& db, const Args& a);
void list(Db& db, const Args& a);
void describe(Db& db, const Args& a);

} // namespace autoreport::cli

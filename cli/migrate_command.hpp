#pragma once
// rosterctl migrate [--status] [--create]: bring the schema to this build's head, or show it.

#include "cli/command.hpp"

namespace CLI {
class App;
}

namespace rosterd::cli {

struct migrate_args {
  bool status = false;  // only print the version; change nothing
  bool create = false;  // create the database if it does not exist
};

/// Declares the `migrate` subcommand on `app`; its flags are written into `args`.
CLI::App& add_migrate_command(CLI::App& app, migrate_args& args);

/// Applies pending migrations (or with --status only reads) and prints each file applied and
/// "schema version N (head H)". Refuses a database newer than this build. Returns the exit code.
int run_migrate(const context& ctx, const migrate_args& args);

}  // namespace rosterd::cli

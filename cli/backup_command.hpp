#pragma once
// rosterctl backup DEST: an online, verified copy of the database.

#include <filesystem>

#include "cli/command.hpp"

namespace CLI {
class App;
}

namespace rosterd::cli {

struct backup_args {
  std::filesystem::path destination;
};

/// Declares the `backup` subcommand on `app`; its arguments are written into `args`.
CLI::App& add_backup_command(CLI::App& app, backup_args& args);

/// Copies the database to args.destination (see store::backup) and prints what was written.
/// Safe while the daemon runs. Returns the exit code.
int run_backup(const context& ctx, const backup_args& args);

}  // namespace rosterd::cli

#pragma once
// rosterctl bootstrap (a new agency account and its owner's one-time setup link) and
// rosterctl import (the onboarding CSV: dry run or apply), on the daemon's database.

#include <filesystem>
#include <string>

#include "cli/command.hpp"

namespace CLI {
class App;
}

namespace rosterd::cli {

/// Rows had errors: the report says which; the other rows were applied (or would be).
inline constexpr int exit_rows_with_errors = 3;

struct bootstrap_args {
  std::string name;
  std::string owner_email;
};
CLI::App& add_bootstrap_command(CLI::App& app, bootstrap_args& args);
int run_bootstrap(const context& ctx, const bootstrap_args& args);

struct import_args {
  std::string account;
  std::filesystem::path file;
  bool dry_run = false;
  bool json = false;
};
CLI::App& add_import_command(CLI::App& app, import_args& args);
int run_import(const context& ctx, const import_args& args);

}  // namespace rosterd::cli

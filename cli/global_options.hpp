#pragma once
// Options that come before the subcommand and apply to all of them. Adding one (the lead's
// planned --config PATH) means: a field here, a line in add_global_options(), and, if it
// changes where the database is, a branch in database_path().

#include <filesystem>
#include <optional>
#include <string_view>

#include "base/failure.hpp"

namespace CLI {
class App;
}

namespace rosterd::cli {

struct global_options {
  std::optional<std::filesystem::path> database;  // --database PATH
};

/// Where the daemon keeps its database by default (systemd StateDirectory=rosterd).
inline constexpr std::string_view default_database_path = "/var/lib/rosterd/rosterd.db";

/// Declares the global options on the top-level app, writing into `options`.
void add_global_options(CLI::App& app, global_options& options);

/// The database to operate on: --database if given, else the default path.
[[nodiscard]] base::result<std::filesystem::path> database_path(const global_options& options);

}  // namespace rosterd::cli

#pragma once
// Options that come before the subcommand and apply to all of them. Adding one means: a field
// here, a line in add_global_options(), and, if it changes where the database is, a branch in
// database_path().

#include <filesystem>
#include <optional>
#include <string_view>

#include "base/failure.hpp"

namespace CLI {
class App;
}

namespace rosterd::setup {
struct config;
}

namespace rosterd::cli {

struct global_options {
  std::optional<std::filesystem::path> database;  // --database PATH
  std::optional<std::filesystem::path> config;    // --config PATH (the daemon's TOML)
};

/// The daemon's config file, read when neither --database nor --config is given and it exists.
inline constexpr std::string_view default_config_path = "/etc/rosterd/rosterd.toml";

/// Where the daemon keeps its database by default (systemd StateDirectory=rosterd).
inline constexpr std::string_view default_database_path = "/var/lib/rosterd/rosterd.db";

/// Declares the global options on the top-level app, writing into `options`.
void add_global_options(CLI::App& app, global_options& options);

/// The daemon's configuration as the CLI sees it: --config, or the default file when it exists
/// (and --database is not given), else the built-in defaults; --database overrides store.path.
[[nodiscard]] base::result<setup::config> effective_config(const global_options& options);

/// The database to operate on: --database if given; else store.path from --config, or from
/// the default config file when it exists; else the default path. A config that does not
/// validate is an error (the CLI must not guess at a different database than the daemon's).
[[nodiscard]] base::result<std::filesystem::path> database_path(const global_options& options);

}  // namespace rosterd::cli

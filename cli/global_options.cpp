#include "cli/global_options.hpp"

#include <CLI/CLI.hpp>

namespace rosterd::cli {

void add_global_options(CLI::App& app, global_options& options) {
  app.add_option("--database", options.database,
                 "SQLite database file (default: " + std::string(default_database_path) + ")")
      ->type_name("PATH");
}

base::result<std::filesystem::path> database_path(const global_options& options) {
  return options.database.value_or(std::filesystem::path(default_database_path));
}

}  // namespace rosterd::cli

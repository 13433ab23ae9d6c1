#include "cli/global_options.hpp"

#include <CLI/CLI.hpp>

#include "setup/config.hpp"

namespace rosterd::cli {

void add_global_options(CLI::App& app, global_options& options) {
  auto* database =
      app.add_option("--database", options.database,
                     "SQLite database file (default: store.path from the config, else " +
                         std::string(default_database_path) + ")")
          ->type_name("PATH");
  app.add_option("--config", options.config,
                 "The daemon's configuration file, for store.path (default: " +
                     std::string(default_config_path) + " if it exists)")
      ->type_name("PATH")
      ->excludes(database);
}

base::result<setup::config> effective_config(const global_options& options) {
  std::filesystem::path config_file;
  if (options.config) {
    config_file = *options.config;
  } else if (std::error_code ec;
             !options.database && std::filesystem::exists(default_config_path, ec)) {
    config_file = default_config_path;
  }
  setup::config cfg;
  cfg.store.path = default_database_path;
  if (!config_file.empty()) {
    auto loaded = setup::load_config(config_file);
    if (!loaded) {
      return loaded.error();
    }
    cfg = std::move(*loaded);
  }
  if (options.database) {
    cfg.store.path = *options.database;
  }
  return cfg;
}

base::result<std::filesystem::path> database_path(const global_options& options) {
  auto cfg = effective_config(options);
  if (!cfg) {
    return cfg.error();
  }
  return cfg->store.path;
}

}  // namespace rosterd::cli

// rosterd: parse the command line, load and validate the config, then hand over to run_daemon.

#include <iostream>

#include <CLI/CLI.hpp>

#include "daemon/app.hpp"
#include "daemon/version.hpp"
#include "setup/config.hpp"

int main(int argc, char** argv) {
  using namespace rosterd::daemon;
  namespace setup = rosterd::setup;
  CLI::App cli{"rosterd: keeps talent agencies' creators connected"};
  std::string config_path = "/etc/rosterd/rosterd.toml";
  bool check_only = false;
  bool print = false;
  cli.add_option("-c,--config", config_path, "Configuration file (TOML)")->capture_default_str();
  cli.add_flag("--check-config", check_only, "Validate the configuration and exit");
  cli.add_flag("--print-config", print,
               "Print the effective configuration (secrets by reference only) and exit");
  cli.set_version_flag("--version", std::string(version));
  CLI11_PARSE(cli, argc, argv);

  auto cfg = setup::load_config(config_path);
  if (!cfg) {
    std::cerr << "rosterd: configuration error in " << config_path << ":\n"
              << cfg.error().detail << "\n";
    return exit_config;
  }
  if (auto files = setup::check_referenced_files(*cfg); !files) {
    std::cerr << "rosterd: configuration error in " << config_path << ":\n"
              << files.error().detail << "\n";
    return exit_config;
  }
  if (check_only) {
    std::cout << "rosterd: configuration " << config_path << " is valid\n";
    return exit_ok;
  }
  if (print) {
    std::cout << setup::render_config(*cfg);
    return exit_ok;
  }
  return run_daemon(config_path, std::move(*cfg));
}

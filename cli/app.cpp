#include "cli/app.hpp"

#include <CLI/CLI.hpp>

#include "cli/backup_command.hpp"
#include "cli/command.hpp"
#include "cli/global_options.hpp"
#include "cli/key_commands.hpp"
#include "cli/migrate_command.hpp"
#include "cli/oauth_commands.hpp"
#include "cli/roster_commands.hpp"
#include "cli/status_commands.hpp"

namespace rosterd::cli {

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app("rosterctl: operate a rosterd instance", "rosterctl");
  app.require_subcommand(1);

  global_options global;
  add_global_options(app, global);
  backup_args backup;
  const auto& backup_command = add_backup_command(app, backup);
  migrate_args migrate;
  const auto& migrate_command = add_migrate_command(app, migrate);
  bootstrap_args bootstrap;
  const auto& bootstrap_command = add_bootstrap_command(app, bootstrap);
  import_args import;
  const auto& import_command = add_import_command(app, import);
  keys_generate_args keys;
  const auto& keys_generate_command = add_keys_command(app, keys);
  keys_rotate_args rotate;
  const auto& keys_rotate_command = add_keys_rotate_command(*app.get_subcommand("keys"), rotate);
  keys_status_args key_status;
  const auto& keys_status_command =
      add_keys_status_command(*app.get_subcommand("keys"), key_status);
  status_args status;
  const auto& status_command = add_status_command(app, status);
  link_args link;
  const auto& link_command = add_link_command(app, link);
  provider_urls_args provider_urls;
  const auto& provider_urls_command = add_provider_urls_command(app, provider_urls);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a ParseError too; it prints to `out` and succeeds.
    const int code = app.exit(e, out, err);
    return code == 0 ? exit_ok : exit_usage;
  }

  const context ctx{global, out, err};
  if (backup_command.parsed()) {
    return run_backup(ctx, backup);
  }
  if (migrate_command.parsed()) {
    return run_migrate(ctx, migrate);
  }
  if (bootstrap_command.parsed()) {
    return run_bootstrap(ctx, bootstrap);
  }
  if (import_command.parsed()) {
    return run_import(ctx, import);
  }
  if (keys_generate_command.parsed()) {
    return run_keys_generate(ctx, keys);
  }
  if (keys_rotate_command.parsed()) {
    return run_keys_rotate(ctx, rotate);
  }
  if (keys_status_command.parsed()) {
    return run_keys_status(ctx, key_status);
  }
  if (status_command.parsed()) {
    return run_status(ctx, status);
  }
  if (link_command.parsed()) {
    return run_link(ctx, link);
  }
  if (provider_urls_command.parsed()) {
    return run_provider_urls(ctx, provider_urls);
  }
  return exit_usage;  // unreachable: require_subcommand(1)
}

}  // namespace rosterd::cli

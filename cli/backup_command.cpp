#include "cli/backup_command.hpp"

#include <CLI/CLI.hpp>

#include "store/backup.hpp"

namespace rosterd::cli {

CLI::App& add_backup_command(CLI::App& app, backup_args& args) {
  auto* command = app.add_subcommand(
      "backup", "Copy the database (safe while rosterd runs) to DEST, verified, atomically");
  command->add_option("DEST", args.destination, "Backup file to write (replaced if present)")
      ->required();
  return *command;
}

int run_backup(const context& ctx, const backup_args& args) {
  auto source = database_path(ctx.global);
  if (!source) {
    return report(ctx, source.error());
  }
  auto done = store::backup(*source, args.destination);
  if (!done) {
    return report(ctx, done.error());
  }
  ctx.out << "backed up " << source->string() << " to " << done->destination.string() << ": "
          << done->pages << " pages, " << done->bytes << " bytes, schema version "
          << done->schema_version << '\n';
  return exit_ok;
}

}  // namespace rosterd::cli

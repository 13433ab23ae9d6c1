#include "cli/migrate_command.hpp"

#include <chrono>
#include <memory>

#include <CLI/CLI.hpp>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include "store/connection.hpp"
#include "store/error.hpp"
#include "store/migrations.hpp"
#include "store/schema.hpp"

namespace rosterd::cli {
namespace {

// Long enough to wait out a daemon's write transaction, short enough to fail visibly.
constexpr std::chrono::milliseconds busy_timeout{5000};

void print_version(const context& ctx, int current, int head) {
  ctx.out << "schema version " << current << " (head " << head << ")\n";
}

int show_status(const context& ctx, const std::filesystem::path& path) {
  auto db = store::open_reader(path, busy_timeout);
  if (!db) {
    return report(ctx, db.error());
  }
  auto current = store::current_version(*db);
  if (!current) {
    return report(ctx, current.error());
  }
  const int head = store::head_version();
  print_version(ctx, *current, head);
  if (*current > head) {
    ctx.out << "the database is newer than this rosterctl; use a newer rosterctl\n";
  }
  for (const auto& m : store::builtin_migrations()) {
    if (m.version > *current) {
      ctx.out << "pending " << m.name << '\n';
    }
  }
  return exit_ok;
}

int apply(const context& ctx, const std::filesystem::path& path) {
  // Warnings from the runner (an edited migration) go to stderr, where an operator looks.
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(ctx.err);
  spdlog::logger log("store", sink);
  log.set_pattern("rosterctl: %l: %v");
  log.set_level(spdlog::level::warn);

  const int head = store::head_version();
  auto db = store::open_writer(path, busy_timeout, head);
  if (!db) {
    return report(ctx, db.error());
  }
  auto migrated = store::upgrade_schema(*db, log);
  if (!migrated) {
    return report(ctx, migrated.error());
  }
  for (const auto& name : migrated->applied) {
    ctx.out << "applied " << name << '\n';
  }
  print_version(ctx, migrated->to, head);
  return exit_ok;
}

}  // namespace

CLI::App& add_migrate_command(CLI::App& app, migrate_args& args) {
  auto* command = app.add_subcommand("migrate", "Apply pending schema migrations");
  command->add_flag("--status", args.status, "Only print the schema version and what is pending");
  command->add_flag("--create", args.create, "Create the database if it does not exist");
  return *command;
}

int run_migrate(const context& ctx, const migrate_args& args) {
  auto path = database_path(ctx.global);
  if (!path) {
    return report(ctx, path.error());
  }
  std::error_code ec;
  if (!std::filesystem::exists(*path, ec) && !(args.create && !args.status)) {
    // Creating a database at a mistyped path would hide the mistake; ask for --create.
    return report(
        ctx, base::fail(store::errc::not_found, "database " + path->string() +
                                                    " does not exist (check --database, or pass "
                                                    "--create to make a new one)"));
  }
  return args.status ? show_status(ctx, *path) : apply(ctx, *path);
}

}  // namespace rosterd::cli

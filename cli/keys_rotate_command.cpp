// rosterctl keys rotate. Safe to run while the daemon serves, to interrupt (every batch
// commits on its own) and to run again (values already moved are skipped unread).
#include <chrono>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/global_options.hpp"
#include "cli/key_commands.hpp"
#include "cli/vault_keys_source.hpp"
#include "lifecycle/key_checks.hpp"
#include "lifecycle/key_rotation.hpp"
#include "store/in_transaction.hpp"
#include "store/store.hpp"

namespace rosterd::cli {
namespace {

std::string list(const std::vector<std::uint32_t>& versions) {
  std::string out;
  for (const auto v : versions) {
    out += (out.empty() ? "" : ", ") + std::to_string(v);
  }
  return out;
}

/// Versions in the key file below the newest that no stored value uses any more.
std::vector<std::uint32_t> removable(const vault::keyring& keys,
                                     const lifecycle::key_version_counts& counts) {
  std::vector<std::uint32_t> out;
  for (const auto v : keys.versions()) {
    if (v != keys.current_version() && counts.under(v) == 0) {
      out.push_back(v);
    }
  }
  return out;
}

std::uint64_t older_values(const lifecycle::key_version_counts& counts, std::uint32_t current) {
  return counts.total() - counts.unreadable - counts.under(current);
}

void print_counts(const context& ctx, const lifecycle::key_version_counts& counts) {
  ctx.out << "stored values by key version:";
  for (const auto& [version, n] : counts.by_version) {
    ctx.out << " version " << version << ": " << n << ";";
  }
  if (counts.by_version.empty()) {
    ctx.out << " none;";
  }
  ctx.out << " unreadable: " << counts.unreadable << '\n';
}

void print_removable(const context& ctx, const vault::keyring& keys,
                     const lifecycle::key_version_counts& counts) {
  const auto old = removable(keys, counts);
  if (!old.empty()) {
    ctx.out << "no stored value uses key version" << (old.size() == 1 ? " " : "s ") << list(old)
            << " any more: delete " << (old.size() == 1 ? "its line" : "their lines")
            << " from the key file, then `systemctl reload rosterd`\n";
  }
}

// The key file and the database must agree before anything is re-sealed: a key that differs
// from the one the database recorded for its version would make moved values unreadable to
// the daemon.
base::result<void> check_agreement(store::store& db, const vault::keyring& keys, bool offline) {
  auto check = store::in_transaction([&keys, offline,
                                      now = std::chrono::system_clock::now()](store::database& d) {
    return lifecycle::check_vault_keys(
        d, &keys,
        offline ? lifecycle::new_key_versions::record : lifecycle::new_key_versions::leave, now);
  });
  return db.write_now(check);
}

// Values moved to a version the running daemon has not loaded would fail every read until it
// does. The daemon records a version's check value when it loads it (start or SIGHUP), so a
// recorded newest version means it can open what we write.
int refuse_unloaded(const context& ctx, std::uint32_t version) {
  ctx.err << "rosterctl: key version " << version
          << " is not loaded by the daemon yet (the database has no check value for it): run "
             "`systemctl reload rosterd` first so the daemon can open values sealed with it, then "
             "run this again; if the daemon is stopped, pass --offline\n";
  return exit_failure;
}

int summarize(const context& ctx, const vault::keyring& keys, const lifecycle::rotation_report& r) {
  ctx.out << "rewrapped " << r.rewrapped << ", already on version " << r.target_version << ": "
          << r.already_current
          << ", rewritten by the daemon meanwhile (kept as it wrote them): " << r.skipped_changed
          << ", could not be opened: " << r.failed << '\n';
  print_counts(ctx, r.remaining);
  for (const auto& u : r.unmovable) {
    ctx.err << "rosterctl: " << u.column << " of " << u.row_id
            << " could not be opened: " << base::describe(u.why) << '\n';
  }
  if (r.failed > r.unmovable.size()) {
    ctx.err << "rosterctl: ... and " << (r.failed - r.unmovable.size()) << " more\n";
  }
  const auto left = older_values(r.remaining, r.target_version);
  if (r.stopped) {
    ctx.err << "rosterctl: stopped before the end; run it again to continue\n";
    return exit_failure;
  }
  if (left > 0 || r.failed > 0) {
    ctx.err << "rosterctl: " << left << " stored values still use older key versions";
    if (r.failed == 0) {
      ctx.err << " (written meanwhile under an older key: is version " << r.target_version
              << " loaded by the daemon? `systemctl reload rosterd`, then run this again)";
    } else {
      ctx.err << " (including the values above that could not be opened: their key version "
                 "cannot be retired until those connections are reconnected or deleted)";
    }
    ctx.err << '\n';
    return exit_failure;
  }
  ctx.out << "every stored value now uses key version " << r.target_version << '\n';
  print_removable(ctx, keys, r.remaining);
  return exit_ok;
}

}  // namespace

CLI::App& add_keys_rotate_command(CLI::App& keys, keys_rotate_args& args) {
  auto* rotate = keys.add_subcommand(
      "rotate",
      "Re-encrypt every stored token under the key file's newest version, in short batches, "
      "while the daemon serves (resumable; run `systemctl reload rosterd` first)");
  rotate->add_option("--batch", args.batch, "Rows per write transaction")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000}));
  rotate->add_option("--key-file", args.key_file, "Key file to use instead of [vault] key_file")
      ->type_name("PATH");
  rotate->add_flag("--offline", args.offline,
                   "The daemon is stopped: accept a newest version it has not loaded yet");
  return *rotate;
}

int run_keys_rotate(const context& ctx, const keys_rotate_args& args) {
  auto cfg = effective_config(ctx.global);
  if (!cfg) {
    return report(ctx, cfg.error());
  }
  if (auto exists = require_database(*cfg); !exists) {
    return report(ctx, exists.error());
  }
  auto keys = load_cli_keys(*cfg, args.key_file);
  if (!keys) {
    return report(ctx, keys.error());
  }
  const auto& ring = **keys;
  const auto target = ring.current_version();
  if (ring.versions().size() == 1) {
    ctx.err << "rosterctl: the key file has only version " << target
            << ", so there is nothing newer to rotate to: add a version first (`rosterctl keys "
               "generate --version "
            << target + 1 << "` appended to the key file, then `systemctl reload rosterd`)\n";
    return exit_failure;
  }
  auto db = open_store(*cfg);
  if (!db) {
    return report(ctx, db.error());
  }
  if (auto agreed = check_agreement(**db, ring, args.offline); !agreed) {
    return report(ctx, agreed.error());
  }
  auto recorded =
      (*db)->read_now([](store::database& d) { return lifecycle::recorded_key_checks(d); });
  if (!recorded) {
    return report(ctx, recorded.error());
  }
  if (recorded->count(target) == 0) {
    return refuse_unloaded(ctx, target);
  }
  auto before =
      (*db)->read_now([](store::database& d) { return lifecycle::count_key_versions(d); });
  if (!before) {
    return report(ctx, before.error());
  }
  const auto to_move = older_values(*before, target);
  if (to_move == 0) {
    ctx.out << "nothing to do: all " << before->under(target) << " stored values use key version "
            << target << '\n';
    print_removable(ctx, ring, *before);
    return exit_ok;
  }
  ctx.out << "rotating " << to_move << " stored values to key version " << target
          << " in batches of " << args.batch << " (" << before->under(target)
          << " already on it)\n";

  lifecycle::rotation_options options;
  options.batch_rows = args.batch;
  auto last_print = std::chrono::steady_clock::now();
  options.after_batch = [&](const lifecycle::rotation_report& r) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_print >= std::chrono::seconds(1)) {
      last_print = now;
      ctx.out << "  " << r.rewrapped << " of " << to_move << " rewrapped\n" << std::flush;
    }
    return true;
  };
  auto rotated = lifecycle::rotate_keys(**db, ring, options);
  if (!rotated) {
    ctx.err << "rosterctl: rotation stopped; batches already written stay written, run it again "
               "to continue\n";
    return report(ctx, rotated.error());
  }
  return summarize(ctx, ring, *rotated);
}

}  // namespace rosterd::cli

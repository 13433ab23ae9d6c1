// rosterctl keys status: read-only. One line per key version that the key file lists, the
// database recorded, or a stored value uses, saying what may be done with it.
#include <chrono>
#include <set>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/global_options.hpp"
#include "cli/key_commands.hpp"
#include "cli/vault_keys_source.hpp"
#include "lifecycle/key_checks.hpp"
#include "lifecycle/key_rotation.hpp"
#include "store/connection.hpp"

namespace rosterd::cli {
namespace {

struct snapshot {
  std::map<std::uint32_t, std::string> recorded;
  lifecycle::key_version_counts counts;
};

base::result<snapshot> read_snapshot(const setup::config& cfg) {
  auto db = store::open_reader(cfg.store.path, cfg.store.busy_timeout);
  if (!db) {
    return db.error();
  }
  snapshot out;
  auto recorded = lifecycle::recorded_key_checks(*db);
  if (!recorded) {
    return recorded.error();
  }
  out.recorded = std::move(*recorded);
  auto counts = lifecycle::count_key_versions(*db);
  if (!counts) {
    return counts.error();
  }
  out.counts = std::move(*counts);
  return out;
}

std::string per_column(const lifecycle::key_version_counts& counts, std::uint32_t version) {
  std::string out;
  for (const auto& [column, versions] : counts.by_column) {
    const auto it = versions.find(version);
    if (it != versions.end() && it->second != 0) {
      out += (out.empty() ? " (" : ", ") + column + " " + std::to_string(it->second);
    }
  }
  return out.empty() ? out : out + ")";
}

// What an operator may do with one version; false when something is wrong.
bool describe_version(const context& ctx, const vault::keyring* keys, const snapshot& s,
                      std::uint32_t version) {
  const auto used = s.counts.under(version);
  const bool in_file = keys != nullptr && keys->has_version(version);
  const auto recorded = s.recorded.find(version);
  ctx.out << "key version " << version << ": " << used << " stored values"
          << per_column(s.counts, version) << "; ";
  if (keys == nullptr) {
    ctx.out << (recorded != s.recorded.end() ? "recorded by the database" : "not recorded") << '\n';
    return true;
  }
  if (!in_file) {
    if (used != 0) {
      ctx.out << "MISSING from the key file: these values cannot be opened; add the key back\n";
      return false;
    }
    ctx.out << "retired (not in the key file, no stored value uses it)\n";
    return true;
  }
  if (recorded != s.recorded.end() && !keys->verify_check_value(version, recorded->second)) {
    ctx.out << "DOES NOT MATCH the key the database recorded for this version: wrong key file\n";
    return false;
  }
  ctx.out << "in the key file";
  if (recorded == s.recorded.end()) {
    ctx.out << ", not loaded by the daemon yet (`systemctl reload rosterd`)";
  }
  if (version == keys->current_version()) {
    ctx.out << ", seals new values\n";
  } else if (used == 0) {
    ctx.out << ", can be removed from the key file\n";
  } else {
    ctx.out << ", still needed (`rosterctl keys rotate` moves these values)\n";
  }
  return true;
}

}  // namespace

CLI::App& add_keys_status_command(CLI::App& keys, keys_status_args& args) {
  auto* status = keys.add_subcommand(
      "status",
      "Show how many stored tokens use each key version and which versions the key file may "
      "drop (read-only)");
  status->add_option("--key-file", args.key_file, "Key file to use instead of [vault] key_file")
      ->type_name("PATH");
  return *status;
}

int run_keys_status(const context& ctx, const keys_status_args& args) {
  auto cfg = effective_config(ctx.global);
  if (!cfg) {
    return report(ctx, cfg.error());
  }
  if (auto exists = require_database(*cfg); !exists) {
    return report(ctx, exists.error());
  }
  auto s = read_snapshot(*cfg);
  if (!s) {
    return report(ctx, s.error());
  }
  // Without the key file the counts are still worth showing; the exit code says it failed.
  auto keys = load_cli_keys(*cfg, args.key_file);
  bool ok = keys.has_value();
  if (!keys) {
    report(ctx, keys.error());
  }
  const vault::keyring* ring = keys ? keys->get() : nullptr;
  std::set<std::uint32_t> versions;
  for (const auto& [version, check] : s->recorded) {
    versions.insert(version);
  }
  for (const auto& [version, n] : s->counts.by_version) {
    versions.insert(version);
  }
  if (ring != nullptr) {
    const auto listed = ring->versions();
    versions.insert(listed.begin(), listed.end());
  }
  for (const auto version : versions) {
    ok = describe_version(ctx, ring, *s, version) && ok;
  }
  ctx.out << "stored values: " << s->counts.total();
  if (s->counts.unreadable != 0) {
    ctx.out << ", of which " << s->counts.unreadable
            << " UNREADABLE (not vault ciphertext: corrupt)";
    ok = false;
  }
  ctx.out << '\n';
  if (ring != nullptr) {
    const auto older =
        s->counts.total() - s->counts.unreadable - s->counts.under(ring->current_version());
    ctx.out << (older == 0
                    ? "rotation: complete\n"
                    : "rotation: " + std::to_string(older) + " values still use older versions\n");
  }
  return ok ? exit_ok : exit_failure;
}

}  // namespace rosterd::cli

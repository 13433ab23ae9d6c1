#pragma once
// What every subcommand gets when it runs, and how it ends.

#include <memory>
#include <ostream>

#include "base/failure.hpp"
#include "cli/global_options.hpp"
#include "setup/config.hpp"
#include "store/store.hpp"

namespace rosterd::cli {

/// Process exit codes. Scripts may rely on them.
enum exit_code : int {
  exit_ok = 0,
  exit_failure = 1,  // the command ran and failed (missing database, disk full...)
  exit_usage = 2,    // the command line was wrong
};

struct context {
  const global_options& global;
  std::ostream& out;  // results, for people and scripts
  std::ostream& err;  // errors and warnings
};

/// Prints "rosterctl: <detail>" on ctx.err and returns exit_failure. The detail names files
/// and causes but never a secret (see base::failure).
int report(const context& ctx, const base::failure& f);

/// The daemon's database for a command that writes (migrated to head like the daemon does),
/// with one read connection.
base::result<std::unique_ptr<store::store>> open_store(const setup::config& cfg);

}  // namespace rosterd::cli

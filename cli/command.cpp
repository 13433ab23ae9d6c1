#include "cli/command.hpp"

namespace rosterd::cli {

int report(const context& ctx, const base::failure& f) {
  ctx.err << "rosterctl: " << base::describe(f) << '\n';
  return exit_failure;
}

base::result<std::unique_ptr<store::store>> open_store(const setup::config& cfg) {
  store::options opts;
  opts.path = cfg.store.path;
  opts.busy_timeout = cfg.store.busy_timeout;
  opts.read_connections = 1;
  return store::store::open(opts, nullptr);
}

}  // namespace rosterd::cli

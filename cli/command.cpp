#include "cli/command.hpp"

namespace rosterd::cli {

int report(const context& ctx, const base::failure& f) {
  ctx.err << "rosterctl: " << base::describe(f) << '\n';
  return exit_failure;
}

}  // namespace rosterd::cli

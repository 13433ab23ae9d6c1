#pragma once
// rosterctl status (an account's roster-wide connection status, as a table or --json) and
// rosterctl link (a fresh reconnect link for one creator, covering every platform of theirs
// that needs attention), on the daemon's database.

#include <string>

#include "cli/command.hpp"

namespace CLI {
class App;
}

namespace rosterd::cli {

struct status_args {
  std::string account;
  bool json = false;
};
CLI::App& add_status_command(CLI::App& app, status_args& args);
int run_status(const context& ctx, const status_args& args);

struct link_args {
  std::string creator;  ///< a creator id (cre_...) or the creator's email address
  std::string account;  ///< needed only when the email is a creator in several accounts
};
CLI::App& add_link_command(CLI::App& app, link_args& args);
int run_link(const context& ctx, const link_args& args);

}  // namespace rosterd::cli

#pragma once
// rosterctl's command line: parse, dispatch to one subcommand, return the exit code.

#include <ostream>

namespace rosterd::cli {

/// Runs rosterctl with `argv` (argv[0] is the program name), writing results to `out` and
/// errors to `err`. Returns the process exit code (see command.hpp); never throws for a bad
/// command line.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace rosterd::cli

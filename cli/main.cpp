// rosterctl: the operator's command-line tool. Everything lives in rosterd_cli so tests can
// link it; this file only connects it to the process.
#include <exception>
#include <iostream>

#include "cli/app.hpp"

int main(int argc, char** argv) {
  try {
    return rosterd::cli::run(argc, argv, std::cout, std::cerr);
  } catch (const std::exception& e) {
    // Expected failures are results; reaching here means a bug or an exhausted resource.
    std::cerr << "rosterctl: internal error: " << e.what() << '\n';
    return 70;  // EX_SOFTWARE
  }
}

#pragma once
// How the benchmark programs stop on a failed setup step: a message naming the step, exit 1.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "base/failure.hpp"

namespace rosterd::bench {

/// The program's name in messages; each benchmark sets it first thing in main().
inline const char* program = "bench";

[[noreturn]] inline void die(const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", program, what.c_str());
  std::exit(1);
}

template <class T>
T must(base::result<T> r, const char* what) {
  if (!r) {
    die(std::string(what) + ": " + r.error().detail);
  }
  return std::move(*r);
}

inline void must(base::result<void> r, const char* what) {
  if (!r) {
    die(std::string(what) + ": " + r.error().detail);
  }
}

}  // namespace rosterd::bench

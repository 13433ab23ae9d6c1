#pragma once
// What the store needs to know to open: one struct, filled from the daemon's config.

#include <chrono>
#include <filesystem>

#include "base/metrics.hpp"

namespace rosterd::store {

struct options {
  std::filesystem::path path;                    // the database file; parents made 0700
  std::chrono::milliseconds busy_timeout{5000};  // how long a connection waits for a lock
  int read_connections = 2;                      // size of the read pool (and its threads)
  base::metrics::registry* metrics = nullptr;    // optional; must outlive the store
};

}  // namespace rosterd::store

#pragma once
// Time as the roster stores it: ISO-8601 UTC text (store/timestamp.hpp), always passed in so
// tests can move it.

#include <chrono>
#include <string>

#include "store/timestamp.hpp"

namespace rosterd::roster {

using time_point = std::chrono::system_clock::time_point;

inline std::string stamp(time_point t) {
  return store::iso8601_utc(t);
}

/// A fresh public id, "<prefix>_" + 24 hex digits (96 random bits).
std::string new_id(std::string_view prefix);

}  // namespace rosterd::roster

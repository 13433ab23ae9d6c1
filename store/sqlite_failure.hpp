#pragma once
// Internal to the store: turns a SQLite result code into a base::failure. Not part of the
// public API (it exposes <sqlite3.h>).

#include <string_view>

#include <sqlite3.h>

#include "base/failure.hpp"
#include "store/error.hpp"

namespace rosterd::store {

/// Classifies a (possibly extended) SQLite result code.
errc errc_from_sqlite(int rc) noexcept;

/// A failure for `rc`, with detail "<context>: <sqlite3_errmsg(db)>". `db` may be null (then
/// sqlite3_errstr(rc) is used).
base::failure sqlite_failure(int rc, sqlite3* db, std::string_view context);

}  // namespace rosterd::store

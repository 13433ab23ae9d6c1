#include "store/sqlite_failure.hpp"

#include <string>

namespace rosterd::store {

errc errc_from_sqlite(int rc) noexcept {
  switch (rc & 0xff) {  // the primary code; extended codes only refine it
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return errc::busy;
    case SQLITE_CONSTRAINT:
      return errc::constraint;
    case SQLITE_FULL:
      return errc::full;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return errc::corrupt;
    case SQLITE_IOERR:
      return errc::io;
    case SQLITE_READONLY:
      return errc::readonly;
    case SQLITE_CANTOPEN:
      return errc::open_failed;
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
      return errc::misuse;
    default:
      return errc::sqlite_error;
  }
}

base::failure sqlite_failure(int rc, sqlite3* db, std::string_view context) {
  // sqlite3_errmsg describes the most recent failed call on `db`, which is the one we report:
  // each connection is used by one thread at a time.
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string detail(context);
  detail += ": ";
  detail += message;
  return base::fail(errc_from_sqlite(rc), std::move(detail));
}

}  // namespace rosterd::store
